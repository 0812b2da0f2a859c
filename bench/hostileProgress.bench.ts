/**
 * Issue 15's progress items: percentOf on a line of `0,0,0,…` beside the regexes it replaced
 * (bounded so the old one finishes in about a second), checking a user's regex, and refreshes of
 * 500 and 5,000 array-task logs through the lab's sshd (the old command line beside ours at 500:
 * 1,000 paths of this length are already too long for it; at 5,000 sshd dropped the connection).
 */
import { performance } from 'node:perf_hooks';
import { FIELDS_PIPELINE, KeyParser, percentOf, type ProgressSpec } from '../common/progress/progress';
import { checkUserRegex } from '../common/regexSafety';
import { ProgressReader, READ_CAP } from '../extension/src/progress/progressReader';
import type { SshConnection } from '../extension/src/ssh/connection';
import { oldPercentOf } from '../test/support/legacyProgress';
import { withLab } from './lab';
import { timeMedian as time, type Bench, type BenchRow } from './types';


/** The reader's command before issue 15: every path and offset in the command line. */
const OLD_SCRIPT = [
  'cap=$0',
  'while [ $# -gt 1 ]; do',
  '  f=$1; o=$2; shift 2',
  '  s=$(stat -c %s -- "$f" 2>/dev/null || echo -1)',
  '  n=0',
  '  if [ "$s" -gt "$o" ]; then n=$((s - o)); if [ "$n" -gt "$cap" ]; then n=$cap; fi; fi',
  '  printf "%s %s\\n" "$s" "$n"',
  '  if [ "$n" -gt 0 ]; then tail -c +$((o + 1)) -- "$f" 2>/dev/null | head -c "$n"; fi',
  'done',
].join('\n');


const spec: ProgressSpec = { name: 'bench', log: '{key}.log', keys: [], stages: [{ name: 'Task', start: 'begin', done: 'finished' }], failure: ['Traceback'] };

async function refreshes(conn: SshConnection, home: string): Promise<BenchRow[]> {
  const dir = `${home}/hpc-geo-bench-progress/some/deep/folder/of/the/array/job/logs`;
  await conn.exec(['sh', '-c', 'rm -rf "$1"; mkdir -p "$1" && cd "$1" && i=0; while [ $i -lt 5000 ]; do echo begin > "task_$i.log"; i=$((i + 1)); done', 'sh', dir], { timeoutMs: 300_000 });
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ key: String(i), path: `${dir}/task_${i}.log` }));
  const rows: BenchRow[] = [];
  try {
    for (const n of [500, 5000]) {
      const reader = new ProgressReader(conn, spec, entries(n));
      let t = performance.now();
      await reader.refresh();
      const first = performance.now() - t;
      t = performance.now();
      await reader.refresh();
      const idle = performance.now() - t;
      let alternative: BenchRow['alternative'];
      if (n === 500) {
        const argv = ['sh', '-c', OLD_SCRIPT, String(READ_CAP), ...entries(n).flatMap((e) => [e.path, '0'])];
        t = performance.now();
        await conn.exec(argv, { timeoutMs: 300_000 });
        alternative = { name: `the command line before (${Math.round(argv.join(' ').length / 1024)} KiB of argv)`, value: performance.now() - t };
      }
      rows.push({ metric: `first refresh of ${n.toLocaleString('en')} array-task logs`, value: first, unit: 'ms', ...(alternative ? { alternative } : { note: 'the command line before: 364 KiB, sshd "Bad packet length", the shared connection dropped' }) });
      rows.push({ metric: `refresh of ${n.toLocaleString('en')} logs with nothing new`, value: idle, unit: 'ms' });
    }
  } finally {
    await conn.exec(['rm', '-rf', `${home}/hpc-geo-bench-progress`]).catch(() => undefined);
  }
  return rows;
}

const bench: Bench = {
  name: 'hostile progress',
  async run() {
    const rows: BenchRow[] = [];
    const zeros = (n: number) => '0,'.repeat(n / 2);
    for (const n of [8 * 1024, 32 * 1024]) {
      const line = zeros(n);
      rows.push({ metric: `percentOf on a ${n / 1024}K-character line of 0,0,0,…`, value: time(() => percentOf(line), 9), unit: 'ms', alternative: { name: 'the regexes before', value: time(() => oldPercentOf(line), 3) } });
    }
    const big = zeros(1024 * 1024);
    rows.push({ metric: 'percentOf on a 1M-character line of 0,0,0,…', value: time(() => percentOf(big), 9), unit: 'ms', note: 'before: 533 s (issue 15)' });
    const parser = new KeyParser('k', spec);
    rows.push({ metric: 'feeding the parser one 1M-character line', value: time(() => parser.feed([big]), 9), unit: 'ms', note: 'matched on its first 4,096 characters' });
    rows.push({ metric: "checking '^(\\w+\\s?)*$' (refused)", value: time(() => checkUserRegex('^(\\w+\\s?)*$', 'i'), 21), unit: 'ms', note: 'before: accepted; one 13-word line blocked the host 110 s' });
    rows.push({ metric: 'checking the fields pipeline\'s 7 stages and 7 failure patterns', value: time(() => new KeyParser('2012', FIELDS_PIPELINE), 21), unit: 'ms' });
    rows.push(...(await withLab('refresh of 5,000 array-task logs', 'ms', (lab, conn) => refreshes(conn, lab.home))));
    return rows;
  },
};
export default bench;
