/**
 * The linter's speed. In-process: a 5,000-line script through the whole engine, median of
 * repeated runs, beside tree-sitter's parse of the same text alone (the floor). Command line:
 * hpc-lint over a corpus of 300+ scripts beside shellcheck over the same files, in one run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { loadBash, ParseSession } from '../server/src/analysis/bash';
import { lint } from '../server/src/engine';
import { loadBuiltinProfiles } from '../server/src/profiles/profiles';
import { resources } from '../server/src/resources';
import { bigScript, writeCorpus } from './corpus';
import { median, type Bench } from './types';

const root = join(__dirname, '..');

function ensureShellcheck(): boolean {
  if (spawnSync('shellcheck', ['--version']).status === 0) return true;
  if (process.getuid?.() !== 0) return false;
  spawnSync('apt-get', ['install', '-y', '-qq', 'shellcheck'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return spawnSync('shellcheck', ['--version']).status === 0;
}

function timeCommand(cmd: string, args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(cmd, args, { stdio: 'ignore', maxBuffer: 1 << 28 });
    times.push(performance.now() - t);
  }
  return median(times);
}

const bench: Bench = {
  name: 'lint',
  async run() {
    const res = resources();
    const parser = await loadBash(res);
    const builtinProfiles = loadBuiltinProfiles(res.profilesDir);
    const text = bigScript(5000);
    const options = { kind: 'sbatch' as const, builtinProfiles, defaultProfile: 'betzy' };
    for (let i = 0; i < 5; i++) lint(parser, text, options);
    const lintTimes: number[] = [];
    const parseTimes: number[] = [];
    const editTimes: number[] = [];
    const session = new ParseSession();
    lint(parser, text, { ...options, session });
    for (let i = 0; i < 30; i++) {
      let t = performance.now();
      lint(parser, text, options);
      lintTimes.push(performance.now() - t);
      t = performance.now();
      parser.parse(text)?.delete();
      parseTimes.push(performance.now() - t);
      // what the language server does on a keystroke: the same document, one line changed
      const edited = text.replace('set -uo pipefail', `set -uo pipefail # edit ${i}`);
      t = performance.now();
      lint(parser, edited, { ...options, session });
      editTimes.push(performance.now() - t);
    }
    session.dispose();
    const lines = text.split('\n').length;
    const kb = Math.round(text.length / 1024);
    const rows = [
      { metric: `lint a ${lines.toLocaleString('en-US')}-line script (${kb} KB) in-process, cold (median of 30)`, value: median(lintTimes), unit: 'ms', alternative: { name: 'tree-sitter-bash parse alone (the floor)', value: median(parseTimes) }, note: 'target ≤ 20 ms' },
      { metric: 're-lint the same script after a one-line edit (incremental parse, as in the editor)', value: median(editTimes), unit: 'ms', alternative: { name: 'cold lint of it', value: median(lintTimes) }, note: 'target ≤ 20 ms' },
    ];

    execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'ignore' });
    const files = writeCorpus(320);
    const hpcLint = timeCommand(process.execPath, [join(root, 'dist', 'hpc-lint.js'), '--fail-on', 'error', ...files], 5);
    if (ensureShellcheck()) {
      const shellcheck = timeCommand('shellcheck', ['-s', 'bash', '-f', 'gcc', ...files], 5);
      rows.push({ metric: `hpc-lint on ${files.length} scripts, one process (median of 5)`, value: hpcLint, unit: 'ms', alternative: { name: 'shellcheck on the same files', value: shellcheck }, note: 'target: ratio ≤ 1' });
    } else {
      rows.push({ metric: `hpc-lint on ${files.length} scripts, one process (median of 5)`, value: hpcLint, unit: 'ms', note: 'shellcheck not installed (needs root to apt-get it): no comparison' } as never);
    }
    return rows;
  },
};
export default bench;
