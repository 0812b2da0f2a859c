import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { detectKind, lint, PARSE_BUDGET_MS } from '../../server/src/engine';
import { completions } from '../../server/src/features';
import { editDistance } from '../../server/src/rules/util';
import { engine, lintText, testParser } from '../support/engine';
import { hostileCases, longDirectiveLine } from '../support/hostile';

/** A hang guard, not a speed figure: every case took 8–80 s before the fix (bench/hostileLint.bench.ts has the figures). */
const BUDGET_MS = 3000;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

function inBounds(text: string, lines: string[], d: { start: number; end: number; range: { start: { line: number; character: number }; end: { line: number; character: number } } }): boolean {
  return d.start >= 0 && d.start <= d.end && d.end <= text.length && d.range.end.line < lines.length && d.range.start.character <= lines[d.range.start.line]!.length;
}

describe('hostile input: the engine stays linear', function () {
  this.timeout(600_000);
  before(engine);

  it('detects the kind of a script with many blank header lines at once, and still finds Apptainer headers', () => {
    for (const blank of ['\n', '  \n', '\r\n', '\t \r\n']) {
      const text = `#!/bin/bash\n${blank.repeat(40)}srun x\n`;
      const { value, ms } = timed(() => detectKind('job.sbatch', text));
      assert.equal(value, 'sbatch');
      assert.ok(ms < BUDGET_MS, `${JSON.stringify(blank)} x40 took ${ms.toFixed(0)} ms`);
    }
    assert.equal(detectKind('x', `# a comment\n${'  \n'.repeat(40)}\r\n  Bootstrap: docker\nFrom: x\n`), 'apptainer');
    assert.equal(detectKind('x', 'bootstrap :docker\n'), 'apptainer');
    assert.equal(detectKind('x', '#!/bin/bash\n# Bootstrap: docker\n'), 'sbatch');
    assert.equal(detectKind('x', '#!/bin/bash\necho Bootstrap: x\n'), 'sbatch');
  });

  it('bounds the shell parse: one info diagnostic says so, and the #SBATCH rules still run', () => {
    const text = `#!/bin/bash\n#SBATCH --time=2h\n#SBATCH --time=01:00:00\n${'|'.repeat(100_000)}\n`;
    const { value, ms } = timed(() => lintText(text));
    assert.ok(ms < BUDGET_MS, `took ${ms.toFixed(0)} ms`);
    const codes = value.map((d) => d.code);
    assert.deepEqual(codes.filter((c) => c === 'too-complex'), ['too-complex']);
    assert.equal(value.find((d) => d.code === 'too-complex')!.severity, 'info');
    assert.ok(codes.includes('invalid-time') && codes.includes('duplicate-option'), codes.join(' '));
  });

  it('leaves an ordinary 5,000-line script alone: no parse limit reached, well under the budget', () => {
    const body = Array.from({ length: 5000 }, (_, i) => (i % 3 ? `srun --exact -n 1 ./step ${i} > out_${i}.log 2>&1 &` : `for f in a b c; do echo "$f" | tee -a log_${i}; done`)).join('\n');
    const text = `#!/bin/bash\n#SBATCH --time=01:00:00\nset -euo pipefail\n${body}\nwait\n`;
    const { value, ms } = timed(() => lintText(text));
    assert.ok(!value.some((d) => d.code === 'too-complex'));
    assert.ok(ms < PARSE_BUDGET_MS, `an ordinary script took ${ms.toFixed(0)} ms, near the parse limit`);
  });

  it('sees a NUL byte anywhere in the file, not only in its first 8 KiB', () => {
    const text = `#!/bin/bash\n${'# comment line\n'.repeat(600)}${'\u0000\n'.repeat(20_000)}`;
    const { value, ms } = timed(() => lintText(text));
    assert.deepEqual(value.map((d) => d.code), ['binary-file']);
    assert.ok(ms < BUDGET_MS, `took ${ms.toFixed(0)} ms`);
  });

  it('makes a NUL byte one error at the first NUL, wherever it is, and lints nothing else', () => {
    // sbatch refuses any script with a NUL (src/sbatch/sbatch.c: contains_null_char)
    const late = `#!/bin/bash\n#SBATCH --time=2h\n${'echo fine\n'.repeat(5000)}echo a\u0000b\necho \u0000\n`;
    const [d, ...rest] = lintText(late);
    assert.deepEqual(rest, [], 'one finding: not the invalid time, not a second NUL');
    assert.equal(d!.code, 'binary-file');
    assert.equal(d!.severity, 'error');
    assert.match(d!.message, /binary or NUL byte at line 5003\b/);
    assert.deepEqual([d!.range.start, d!.range.end], [{ line: 5002, character: 6 }, { line: 5002, character: 7 }]);
    assert.equal(late.slice(d!.start, d!.end), '\u0000');
    assert.match(lintText('\u0000ELF')[0]!.message, /binary or NUL byte at line 1\b/);
  });

  it('reads a script behind a UTF-8 byte-order mark as written, and reports the mark once (sbatch needs #! as the first two bytes)', () => {
    const text = '\uFEFF#!/bin/bash -e\n#SBATCH --time=10\n#SBATCH --mem=1G\nfor y in 2021 2022; do\n  srun --exact -N1 bash year.sh $y &\ndone\nwait\n';
    const found = lintText(text);
    const plain = lintText(text.slice(1));
    // the same findings as without the mark (the header read, the shebang's -e seen), plus the mark
    assert.deepEqual(found.filter((d) => d.code !== 'missing-shebang').map((d) => d.code), plain.map((d) => d.code));
    const bom = found.filter((d) => d.code === 'missing-shebang');
    assert.equal(bom.length, 1);
    assert.equal(bom[0]!.severity, 'error');
    assert.match(bom[0]!.message, /^A byte-order mark before #!: sbatch refuses the script/);
    assert.deepEqual([bom[0]!.start, bom[0]!.end], [0, 1]);
    assert.deepEqual(bom[0]!.fix?.edits, [{ start: 0, end: 1, newText: '' }]);
    assert.ok(plain.some((d) => d.code === 'errexit-with-background-steps'), 'the -e of the #! line is seen');
    assert.ok(!found.some((d) => d.code === 'directive-after-command'));
  });

  it('reports 50k duplicate options on one line in linear time', () => {
    const text = `#!/bin/bash\n#SBATCH${' --time=01:00:00'.repeat(50_000)}\nsrun x\n`;
    const { value, ms } = timed(() => lintText(text));
    assert.equal(value.filter((d) => d.code === 'duplicate-option').length, 49_999);
    assert.ok(value.every((d) => !d.fix), 'no line-deleting fix when the line holds other options');
    assert.ok(ms < BUDGET_MS, `took ${ms.toFixed(0)} ms`);
  });

  it('scans a 1 MB line of database URL starts in linear time and still finds a real one', () => {
    const text = `#!/bin/bash\nexport U=${'postgres://u:'.repeat(80_000)}\nexport V=postgres://dr:hunter2@db/x\n`;
    const { value, ms } = timed(() => lintText(text));
    assert.ok(ms < BUDGET_MS, `took ${ms.toFixed(0)} ms`);
    const found = value.filter((d) => d.code === 'database-url-password');
    assert.equal(found.length, 1);
    assert.equal(text.slice(found[0]!.start, found[0]!.end), 'hunter2');
  });

  it('suggests for 100k unknown options and for a 1M-character name within the budget', () => {
    const many = `#!/bin/bash\n${Array.from({ length: 100_000 }, (_, i) => `#SBATCH --qz${i.toString(36)}=1\n`).join('')}#SBATCH --tme=01:00:00\nsrun x\n`;
    let r = timed(() => lintText(many));
    assert.ok(r.ms < BUDGET_MS, `100k unknown options took ${r.ms.toFixed(0)} ms`);
    const typo = r.value.find((d) => d.code === 'unknown-option' && d.message.includes('--tme'));
    assert.equal(typo?.fix?.edits[0]?.newText, '--time');
    r = timed(() => lintText(`#!/bin/bash\n#SBATCH --${'n'.repeat(1_000_000)}\nsrun x\n`));
    assert.ok(r.ms < BUDGET_MS, `a 1M-character name took ${r.ms.toFixed(0)} ms`);
    assert.ok(r.value.some((d) => d.code === 'site-plugin-option' && !d.fix));
  });

  it('computes the banded edit distance as the full table does, up to its limit', () => {
    const full = (a: string, b: string) => {
      const t = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i]![j] = Math.min(t[i - 1]![j]! + 1, t[i]![j - 1]! + 1, t[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      return t[a.length]![b.length]!;
    };
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const word = () => Array.from({ length: rand(9) }, () => 'abc'[rand(3)]).join('');
    for (let k = 0; k < 3000; k++) {
      const a = word();
      const b = word();
      const limit = rand(6);
      assert.equal(editDistance(a, b, limit), Math.min(full(a, b), limit + 1), `${a} ${b} ${limit}`);
    }
  });

  it('completes on a 160k-character directive line in linear time', () => {
    const line = longDirectiveLine(160_000);
    const text = `#!/bin/bash\n${line}\nsrun x\n`;
    const result = lint(testParser(), text, { kind: 'sbatch', builtinProfiles: new Map() });
    const doc = TextDocument.create('file:///job.sbatch', 'sbatch', 1, text);
    const { value, ms } = timed(() => completions({ version: 1, result, document: doc }, doc, { line: 1, character: line.length }));
    assert.ok(ms < BUDGET_MS, `took ${ms.toFixed(0)} ms`);
    assert.ok(value.some((c) => c.label === '--time'));
  });

  it('lints every generated hostile case: no crash, ranges in bounds, memory bounded, each within the budget', () => {
    for (const c of hostileCases()) {
      const { value, ms } = timed(() => lintText(c.text, { fileName: c.fileName }));
      assert.ok(ms < BUDGET_MS, `${c.name} took ${ms.toFixed(0)} ms (before the fix: ${c.before})`);
      const lines = c.text.split('\n');
      for (const d of value) {
        assert.notEqual(d.code, 'internal-error', `${c.name}: ${d.message}`);
        assert.ok(inBounds(c.text, lines, d), `${c.name}: ${d.code} range ${d.start}-${d.end} outside the text`);
      }
      const rss = process.memoryUsage().rss;
      assert.ok(rss < 2 * 1024 ** 3, `${c.name}: resident memory ${(rss / 1024 ** 2).toFixed(0)} MB`);
    }
  });
});
