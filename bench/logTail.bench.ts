/**
 * The log tail. Latency: a loop on the cluster writes lines stamped with the time they were
 * written; the median delay until each is handed to the page (tailer + the panel's batching),
 * beside the same lines read through a plain `ssh host tail -F` process. Bytes: opening the last
 * 1,000 lines of a 1 GB log, beside the size of the log (what downloading it would move).
 */
import { spawn } from 'node:child_process';
import { LineBatcher } from '../extension/src/logs/lineBatcher';
import { LogTailer } from '../extension/src/logs/tailer';
import { opensshArgv } from '../test/support/labTargets';
import { withLab } from './lab';
import { median, type Bench } from './types';

const LINES = 40;
const WRITER = 'i=0; while [ $i -lt "$2" ]; do echo "stamp $(date +%s%3N) line $i" >> "$1"; i=$((i+1)); sleep 0.1; done';

const bench: Bench = {
  name: 'log tail',
  async run() {
    return withLab('log tail', '', async (lab, conn) => {
      const dir = `${lab.home}/hpc-geo-bench`;
      try {
        await conn.exec(['mkdir', '-p', dir]);
        const delays = (text: string, into: number[]) => {
          const m = /^stamp (\d+) /.exec(text);
          if (m) into.push(Date.now() - Number(m[1]));
        };

        // ours: held tail -F on the kept connection, then the page batcher
        const ours: number[] = [];
        const a = `${dir}/latency-a.log`;
        await conn.exec(['sh', '-c', ': > "$1"', 'sh', a]);
        const batcher = new LineBatcher((lines) => lines.forEach((l) => delays(l.text, ours)));
        const tailer = new LogTailer(conn, a, { lines: (l, o) => batcher.push(l, o), reset: () => undefined, status: () => undefined }, 10);
        await tailer.start();
        await conn.exec(['sh', '-c', WRITER, 'sh', a, String(LINES)]);
        await new Promise((r) => setTimeout(r, 500));
        tailer.stop();
        batcher.dispose();

        // theirs: an ssh process running tail -F, as in the five terminals of the field reports
        const theirs: number[] = [];
        const b = `${dir}/latency-b.log`;
        await conn.exec(['sh', '-c', ': > "$1"', 'sh', b]);
        const ssh = spawn('ssh', opensshArgv(lab, ['tail', '-F', b]));
        let rest = '';
        ssh.stdout.on('data', (d: Buffer) => {
          const parts = (rest + d.toString()).split('\n');
          rest = parts.pop()!;
          parts.forEach((p) => delays(p, theirs));
        });
        await new Promise((r) => setTimeout(r, 1500));
        await conn.exec(['sh', '-c', WRITER, 'sh', b, String(LINES)]);
        await new Promise((r) => setTimeout(r, 500));
        ssh.kill();

        // bytes to open the tail of a 1 GB log
        const big = `${dir}/big.log`;
        await conn.exec(['sh', '-c', 'yes "2026-11-21 08:00:00 INFO tile z14/8123/5412 written (58,000,000 features so far)" | head -c 1073741824 > "$1"; echo >> "$1"', 'sh', big], { timeoutMs: 600_000 });
        const size = (await conn.stat(big)).size;
        const open = new LogTailer(conn, big, { lines: () => undefined, reset: () => undefined, status: () => undefined }, 1000);
        await open.start();
        open.stop();
        return [
          { metric: `line written on the cluster → handed to the page (median of ${ours.length})`, value: median(ours), unit: 'ms', alternative: { name: 'an ssh process running tail -F', value: median(theirs) }, note: 'target < 300 ms; through the page batcher' },
          { metric: 'bytes moved to open the last 1,000 lines of a 1 GB log', value: open.bytesMoved / 1024, unit: 'KiB', alternative: { name: 'the whole log (downloading it)', value: size / 1024 }, note: 'target < 1 MB' },
        ];
      } finally {
        await conn.exec(['rm', '-rf', dir]).catch(() => undefined);
      }
    });
  },
};
export default bench;
