/**
 * Issue 15's hostile inputs through the lint engine: each case's time after the fix, and beside
 * it the old behaviour where it can be shown in a bounded way (the old regex or loop, kept here,
 * on an input small enough to finish in a second or two).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadBash } from '../server/src/analysis/bash';
import { detectKind, lint, type LintOptions } from '../server/src/engine';
import { completions } from '../server/src/features';
import { loadBuiltinProfiles } from '../server/src/profiles/profiles';
import { resources } from '../server/src/resources';
import { didYouMean, LONG_OPTION_NAMES } from '../server/src/rules/util';
import { hostileCases, longDirectiveLine } from '../test/support/hostile';
import { timeMedian as time, type Bench, type BenchRow } from './types';


// the old code, kept only to be measured
/* eslint-disable regexp/no-super-linear-backtracking, regexp/no-super-linear-move */
const OLD_DETECT = /^\s*(#[^\n]*\n|\s*\n)*\s*Bootstrap\s*:/i;
const OLD_DB_URL = /\b(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?):\/\/([^:\s/@]+):([^@\s]+)@/g;
const OLD_PREV_WORD = /(\S+)\s+$/;
const OLD_TOKEN = /(\S*)$/;
/* eslint-enable regexp/no-super-linear-backtracking, regexp/no-super-linear-move */

function oldEditDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

function oldDidYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = oldEditDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** The old duplicate-option loop's cost: every earlier option looked for among all options of the header. */
function oldSameLineCounts(lines: number[]): number {
  let n = 0;
  for (const line of lines) n += lines.filter((l) => l === line).length === 1 ? 1 : 0;
  return n;
}

const bench: Bench = {
  name: 'hostileLint',
  async run() {
    const res = resources();
    const parser = await loadBash(res);
    const builtinProfiles = loadBuiltinProfiles(res.profilesDir);
    const options = (text: string, fileName: string): LintOptions => ({ kind: detectKind(fileName, text), builtinProfiles });
    lint(parser, '#!/bin/bash\nsrun x\n', options('', 'job.sbatch'));
    const rows: BenchRow[] = [];
    const alternatives: Record<string, { name: string; value: number } | undefined> = {
      '30 blank lines after the shebang': { name: 'old detectKind regex at N=20 blank lines', value: time(() => OLD_DETECT.test(`#!/bin/bash\n${'\n'.repeat(20)}srun x\n`)) },
      '30 lines of two spaces': { name: 'old detectKind regex at N=16 lines of two spaces', value: time(() => OLD_DETECT.test(`#!/bin/bash\n${'  \n'.repeat(16)}srun x\n`)) },
      '30 CRLF blank lines': { name: 'old detectKind regex at N=16 CRLF lines', value: time(() => OLD_DETECT.test(`#!/bin/bash\r\n${'\r\n'.repeat(16)}srun x\r\n`)) },
      '100 KB of ${': { name: 'unbounded parse of 20 KB of ${', value: time(() => parser.parse(`#!/bin/bash\n${'${'.repeat(10_000)}\n`)?.delete(), 1) },
      '100k |': { name: 'unbounded parse of 5k |', value: time(() => parser.parse(`#!/bin/bash\n${'|'.repeat(5000)}\n`)?.delete(), 1) },
      '50k <<': { name: 'unbounded parse of 2.5k <<', value: time(() => parser.parse(`#!/bin/bash\n${'<<'.repeat(2500)}\n`)?.delete(), 1) },
      '100 KB of < after an assignment': { name: 'unbounded parse of 5 KB of <', value: time(() => parser.parse(`#!/bin/bash\nA=${'<'.repeat(5000)}\n`)?.delete(), 1) },
      '20k NUL lines after 8 KiB': { name: 'old: parsed, 5k NUL lines', value: time(() => parser.parse(`#!/bin/bash\n${'\u0000\n'.repeat(5000)}`)?.delete(), 1) },
      '50k options on one line': { name: 'old duplicate-option loop, 5k options on one line', value: time(() => oldSameLineCounts(new Array<number>(5000).fill(1)), 1) },
      '1 MB line of database URL starts': { name: 'old database-url regex on a 100 KB line', value: time(() => OLD_DB_URL.test(`export U=${'postgres://u:'.repeat(8000)}`), 1) },
      '100k unknown options': { name: 'old suggestions for 10k unknown options', value: time(() => { for (let i = 0; i < 10_000; i++) oldDidYouMean(`qz${i.toString(36)}`, LONG_OPTION_NAMES); }, 1) },
      'one 1M-character option name': { name: 'old suggestion for one 100k-character name', value: time(() => oldDidYouMean('n'.repeat(100_000), LONG_OPTION_NAMES), 1) },
    };
    for (const c of hostileCases()) {
      const ms = time(() => lint(parser, c.text, options(c.text, c.fileName)));
      const alternative = alternatives[c.name];
      rows.push({ metric: `lint: ${c.name} (${(c.text.length / 1024).toFixed(0)} KB)`, value: ms, unit: 'ms', ...(alternative ? { alternative } : {}), note: `review, before: ${c.before}` });
    }
    // the new suggestion on the same sizes as the old one above, for a like-for-like ratio
    rows.push({ metric: 'suggestions for 10k unknown options (banded edit distance)', value: time(() => { for (let i = 0; i < 10_000; i++) didYouMean(`qz${i.toString(36)}`, LONG_OPTION_NAMES); }), unit: 'ms', alternative: alternatives['100k unknown options']! });

    const line = longDirectiveLine(16_000);
    const text = `#!/bin/bash\n${line}\nsrun x\n`;
    const result = lint(parser, text, { kind: 'sbatch', builtinProfiles });
    const doc = TextDocument.create('file:///job.sbatch', 'sbatch', 1, text);
    const before = line;
    const old = time(() => {
      const token = OLD_TOKEN.exec(before.slice(7))![1]!;
      OLD_PREV_WORD.exec(before.slice(0, before.length - token.length));
    });
    rows.push({ metric: 'completion at the end of a 16k-character #SBATCH line', value: time(() => completions({ version: 1, result, document: doc }, doc, { line: 1, character: line.length })), unit: 'ms', alternative: { name: 'old (\\S*)$ and (\\S+)\\s+$ alone', value: old }, note: 'review: 184 ms' });
    return rows;
  },
};
export default bench;
