/**
 * Issue 15's SSH-side figures. The linear rewrites beside the regexes they replace, each "before"
 * bounded to an input it finishes in about a second; and the round trip of 1,000 hostile
 * arguments through the lab's sshd, the shell-neutral remote command beside the plain POSIX line
 * it wraps (which only a POSIX login shell reads right).
 */
import { performance } from 'node:perf_hooks';
import { promptLabel } from '../extension/src/ssh/connection';
import { hostFieldMatches } from '../extension/src/ssh/knownHosts';
import { commandLine, remoteCommand } from '../extension/src/ssh/quote';
import { inlineIncludes } from '../extension/src/ssh/sshConfig';
import { expandKeys } from '../common/progress/progress';
import { resolveLogPattern } from '../common/slurm/logPath';
import { hostileArgs } from '../test/support/hostileArgs';
import { connect, exec, labConfig } from '../test/support/labSsh';
import { withLab } from './lab';
import { median, timeMedian as time, type Bench, type BenchRow } from './types';


// the regexes as they were before issue 15, measured on bounded inputs only
// eslint-disable-next-line regexp/no-super-linear-move -- the old one, measured on a bounded input
const OLD_TRAILING_SLASHES = /\/+$/;
// eslint-disable-next-line regexp/no-super-linear-move -- the old one, measured on a bounded input
const OLD_PROMPT_END = /[:\s]+$/;
// eslint-disable-next-line regexp/no-super-linear-backtracking -- the old one, measured on a bounded input
const OLD_INCLUDE = /^\s*include\s*[= ]\s*(.+)$/i;

/** expandKeys before issue 15: every key of the range made, however many. */
function oldExpandRange(a: number, b: number): string[] {
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => String(a + i));
}

function keyRows(): BenchRow[] {
  const refused = time(() => {
    try {
      expandKeys('0..20000000');
    } catch {
      // refused: the figure is how soon
    }
  });
  return [{ metric: 'progress keys 0..20000000: refused with an error', value: refused, unit: 'ms', alternative: { name: 'the old expansion of 0..2000000 (a tenth; the whole took 3.4 s)', value: time(() => oldExpandRange(0, 2_000_000), 1) } }];
}

function regexRows(): BenchRow[] {
  const env = { home: '/nonexistent-home', localUser: 'me' };
  const slashes = 20_000;
  const workDir = `/${'/'.repeat(slashes)}x`;
  const prompt = `Code${': '.repeat(10_000)}x`;
  const spaces = 600;
  // a line terminator `.` does not cross: the old Include regex tries every split of the spaces
  const include = `include${' '.repeat(spaces)}\u2028`;
  const name = 'a'.repeat(250);
  // the old host pattern: a RegExp with `.*` for each star
  const oldPattern = new RegExp(`^${'*a*a*a*b'.replace(/\*/g, '.*')}$`, 'i');
  return [
    {
      metric: 'known_hosts pattern *a*a*a*b against a 250-letter name',
      value: time(() => hostFieldMatches('*a*a*a*b', name)),
      unit: 'ms',
      alternative: { name: 'the old RegExp built from the pattern', value: time(() => oldPattern.test(name), 1) },
    },
    {
      metric: `log path: work dir of ${slashes.toLocaleString('en-US')} slashes then a letter`,
      value: time(() => resolveLogPattern('slurm-%j.out', { jobId: '1', name: 'n', user: 'u', workDir })),
      unit: 'ms',
      alternative: { name: 'the old /\\/+$/ strip', value: time(() => workDir.replace(OLD_TRAILING_SLASHES, '')) },
    },
    {
      metric: 'prompt name: 10,000 ": " then a letter',
      value: time(() => promptLabel(prompt)),
      unit: 'ms',
      alternative: { name: 'the old /[:\\s]+$/ strip', value: time(() => prompt.replace(OLD_PROMPT_END, '')) },
    },
    {
      metric: `ssh config: an Include line of ${spaces} spaces and U+2028`,
      value: time(() => inlineIncludes(include, env)),
      unit: 'ms',
      alternative: { name: 'the old Include regex', value: time(() => OLD_INCLUDE.exec(include), 1) },
    },
  ];
}

const bench: Bench = {
  name: 'hostileSsh',
  async run() {
    const rows = [...regexRows(), ...keyRows()];
    rows.push(
      ...(await withLab('1,000 hostile arguments round trip', 'ms', async (lab) => {
        const args = hostileArgs(1000, 'hpc-geo-bench-canary');
        const argv = ['printf', '%s\\0', ...args];
        const out: BenchRow[] = [];
        for (const shell of ['bash', 'tcsh', 'fish'] as const) {
          const client = await connect({ ...labConfig(lab, 'ssh'), username: lab.shellUsers[shell] });
          try {
            const run = async (command: string) => {
              const times: number[] = [];
              for (let i = 0; i < 15; i++) {
                const t = performance.now();
                await exec(client, command);
                times.push(performance.now() - t);
              }
              return median(times);
            };
            if (shell === 'bash') {
              const small = ['squeue', '-h', '-u', lab.user];
              out.push({ metric: 'squeue, bash login shell (median of 15)', value: await run(remoteCommand(small)), unit: 'ms', alternative: { name: 'the plain POSIX line', value: await run(commandLine(small)) }, note: 'the wrapper\'s cost on an everyday command' });
            }
            const ours = await run(remoteCommand(argv));
            const check = (await exec(client, remoteCommand(argv))).stdout.split('\0').slice(0, -1);
            const exact = check.length === args.length && check.every((a, i) => a === args[i]);
            out.push({
              metric: `1,000 hostile arguments, ${shell} login shell (median of 15)`,
              value: ours,
              unit: 'ms',
              ...(shell === 'bash' ? { alternative: { name: 'the plain POSIX line (right only in a POSIX login shell)', value: await run(commandLine(argv)) } } : {}),
              note: exact ? 'byte-exact' : 'NOT byte-exact',
            });
          } finally {
            client.end();
          }
        }
        return out;
      })),
    );
    return rows;
  },
};
export default bench;
