/**
 * The editor's lints in a process of its own, so the language server's choice of V8 flags can be
 * measured side by side (`node [--liftoff-only] -r tsx/cjs bench/lintEditChild.ts`): prints the
 * median cold lint and re-lint after a one-line edit of a 5,000-line script, as JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadBash, ParseSession } from '../server/src/analysis/bash';
import { lint } from '../server/src/engine';
import { loadBuiltinProfiles } from '../server/src/profiles/profiles';
import { resources } from '../server/src/resources';
import { bigScript } from './corpus';
import { median } from './types';

export interface EditFigures {
  lines: number;
  kb: number;
  cold: number;
  parse: number;
  edit: number;
  /** From the start of the process to the first lint's end (what a newly started server costs). */
  first: number;
}

export async function measureEdits(runs = 30): Promise<EditFigures> {
  const start = performance.now();
  const res = resources();
  const parser = await loadBash(res);
  const builtinProfiles = loadBuiltinProfiles(res.profilesDir);
  const text = bigScript(5000);
  const options = { kind: 'sbatch' as const, builtinProfiles, defaultProfile: 'betzy' };
  lint(parser, text, options);
  const first = performance.now() - start;
  for (let i = 0; i < 5; i++) lint(parser, text, options);
  const cold: number[] = [];
  const parse: number[] = [];
  const edit: number[] = [];
  const session = new ParseSession();
  lint(parser, text, { ...options, session });
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    lint(parser, text, options);
    cold.push(performance.now() - t);
    t = performance.now();
    parser.parse(text)?.delete();
    parse.push(performance.now() - t);
    // what the language server does on a keystroke: the same document, one line changed
    const edited = text.replace('set -uo pipefail', `set -uo pipefail # edit ${i}`);
    t = performance.now();
    lint(parser, edited, { ...options, session });
    edit.push(performance.now() - t);
  }
  session.dispose();
  return { lines: text.split('\n').length, kb: Math.round(text.length / 1024), cold: median(cold), parse: median(parse), edit: median(edit), first };
}

if (require.main === module) void measureEdits().then((f) => process.stdout.write(JSON.stringify(f)));
