/**
 * The linter's speed. In-process: a 5,000-line script through the whole engine, median of
 * repeated runs, beside tree-sitter's parse of the same text alone (the floor), under the
 * language server's V8 flags (the defaults) and under Liftoff only, each in a process of its own.
 * Command line: one small file beside a bare `node -e 0`, and hpc-lint over a corpus of 300+
 * scripts beside shellcheck over the same files, in one run; each also with V8's default tiers
 * (what hpc-lint ran with before it asked for Liftoff only).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { writeCorpus } from './corpus';
import type { EditFigures } from './lintEditChild';
import { median, type Bench, type BenchRow } from './types';
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

/** The edit figures from a process of their own, with these node flags. */
function editFigures(flags: string[]): EditFigures {
  const out = execFileSync(process.execPath, [...flags, '-r', 'tsx/cjs', join(__dirname, 'lintEditChild.ts')], { cwd: root, maxBuffer: 1 << 20 });
  return JSON.parse(out.toString('utf8')) as EditFigures;
}

const bench: Bench = {
  name: 'lint',
  async run() {
    const server = editFigures([]);
    const liftoff = editFigures(['--liftoff-only']);
    const rows: BenchRow[] = [
      { metric: `lint a ${server.lines.toLocaleString('en-US')}-line script (${server.kb} KB) in-process, cold (median of 30)`, value: server.cold, unit: 'ms', alternative: { name: 'tree-sitter-bash parse alone (the floor)', value: server.parse }, note: 'target ≤ 20 ms' },
      { metric: 're-lint the same script after a one-line edit (incremental parse, as in the editor)', value: server.edit, unit: 'ms', alternative: { name: 'cold lint of it', value: server.cold }, note: 'target ≤ 20 ms' },
      { metric: 'the language server\'s re-lint after an edit, V8 defaults (its flags)', value: server.edit, unit: 'ms', alternative: { name: 'the same under --liftoff-only', value: liftoff.edit }, note: 'the server keeps the defaults' },
      { metric: 'a new process\'s first lint of that script, V8 defaults', value: server.first, unit: 'ms', alternative: { name: 'the same under --liftoff-only', value: liftoff.first } },
    ];

    execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'ignore' });
    const cli = join(root, 'dist', 'hpc-lint.js');
    // hpc-lint without its --liftoff-only: its main() from a process that sets no flag
    const defaultTiers = ['-e', `require(${JSON.stringify(cli)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, '--'];
    const small = join(mkdtempSync(join(tmpdir(), 'hpcgeo-bench-')), 'small.sbatch');
    writeFileSync(small, '#!/bin/bash\n#SBATCH --time=01:00:00\nsrun hostname\n');
    const one = timeCommand(process.execPath, [cli, small], 11);
    rows.push({ metric: 'hpc-lint on one 3-line file (median of 11)', value: one, unit: 'ms', alternative: { name: 'a bare node -e 0', value: timeCommand(process.execPath, ['-e', '0'], 11) }, note: 'target: ratio ≤ 2' });
    rows.push({ metric: 'hpc-lint on one 3-line file, Liftoff only (as shipped)', value: one, unit: 'ms', alternative: { name: 'V8 default tiers (before)', value: timeCommand(process.execPath, [...defaultTiers, small], 11) } });

    const files = writeCorpus(320);
    const hpcLint = timeCommand(process.execPath, [cli, '--fail-on', 'error', ...files], 5);
    if (ensureShellcheck()) {
      const shellcheck = timeCommand('shellcheck', ['-s', 'bash', '-f', 'gcc', ...files], 5);
      rows.push({ metric: `hpc-lint on ${files.length} scripts, one process (median of 5)`, value: hpcLint, unit: 'ms', alternative: { name: 'shellcheck on the same files', value: shellcheck }, note: 'target: ratio ≤ 0.5' });
    } else {
      rows.push({ metric: `hpc-lint on ${files.length} scripts, one process (median of 5)`, value: hpcLint, unit: 'ms', note: 'shellcheck not installed (needs root to apt-get it): no comparison' });
    }
    rows.push({ metric: `hpc-lint on ${files.length} scripts, Liftoff only (as shipped)`, value: hpcLint, unit: 'ms', alternative: { name: 'V8 default tiers (before)', value: timeCommand(process.execPath, [...defaultTiers, '--fail-on', 'error', ...files], 5) } });
    return rows;
  },
};
export default bench;
