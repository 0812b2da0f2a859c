/**
 * Hostile logs (issue 15, items 6 and 7). Lone ESCs through the log stream, beside the escape scan
 * it had before (a global regex checked at the ESC's index, which rescans the rest of the input
 * for every ESC that starts no sequence), at a size the old one finishes in about a second.
 * Opening a 300 MB log of tqdm bars (\r only) on the lab: bytes moved and the growth of the peak
 * RSS, beside the opening it had before (only \n counted, every byte read again).
 */
import { LogStream } from '../common/logs/stream';
import { LogTailer } from '../extension/src/logs/tailer';
import type { SshConnection } from '../extension/src/ssh/connection';
import { withLab } from './lab';
import { timeMedian as ms, type Bench, type BenchRow } from './types';

// eslint-disable-next-line no-control-regex
const OLD_ESCAPE = /\u001b(?:\[([0-9;?]*)([A-Za-z])|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[()][A-Za-z0-9]|[=>])/g;

/** The escape handling of the stream before: ESC by ESC, the regex exec'd from it, kept only if it matched there. */
function oldEscapeScan(s: string): number {
  let kept = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\u001b') {
      kept++;
      continue;
    }
    OLD_ESCAPE.lastIndex = i;
    const m = OLD_ESCAPE.exec(s);
    if (m && m.index === i) i += m[0].length - 1;
  }
  return kept;
}


/** The opening before: backwards counting \n only, then the whole range read again. */
async function oldOpen(conn: SshConnection, path: string, lines: number): Promise<number> {
  const size = (await conn.stat(path)).size;
  let moved = 0;
  let pos = size;
  let start = 0;
  let newlines = 0;
  scan: while (pos > 0) {
    const from = Math.max(0, pos - 64 * 1024);
    const buf = await conn.readRange(path, from, pos - from);
    moved += buf.length;
    for (let i = buf.length - 1; i >= 0; i--) {
      if (buf[i] === 0x0a && from + i !== size - 1 && ++newlines > lines) {
        start = from + i + 1;
        break scan;
      }
    }
    pos = from;
  }
  const bytes = await conn.readRange(path, start, size - start);
  moved += bytes.length;
  new LogStream().push(bytes);
  return moved;
}

const maxRss = () => process.resourceUsage().maxRSS * 1024;

const bench: Bench = {
  name: 'hostile logs',
  async run() {
    const rows: BenchRow[] = [];
    const small = '\u001b'.repeat(32 * 1024);
    const big = Buffer.from('\u001b'.repeat(256 * 1024));
    rows.push({ metric: '32 KiB of lone ESCs through the log stream', value: ms(() => new LogStream().push(Buffer.from(small))), unit: 'ms', alternative: { name: 'the escape scan before (global regex at the index)', value: ms(() => oldEscapeScan(small)) } });
    rows.push({ metric: '256 KiB of lone ESCs through the log stream', value: ms(() => new LogStream().push(big)), unit: 'ms', note: 'took 46.6 s before (issue 15)' });
    const line = Buffer.alloc(64 * 1024, 'x');
    rows.push({
      metric: '200 MB without a newline through the log stream: the open line posted last',
      value: (() => {
        const s = new LogStream();
        let open = 0;
        for (let i = 0; i < 3200; i++) open = s.push(line).open?.text.length ?? 0;
        return open;
      })(),
      unit: 'chars',
      alternative: { name: 'the whole line (kept before)', value: 3200 * line.length },
    });
    rows.push(
      ...(await withLab('opening a 300 MB log of \\r progress bars', '', async (lab, conn) => {
        const dir = `${lab.home}/hpc-geo-bench-hostile`;
        const bars = `${dir}/bars.log`;
        try {
          await conn.exec(['mkdir', '-p', dir]);
          await conn.exec(['sh', '-c', 'yes " 45%|████      | 450/1000 [00:10<00:12, 42.1it/s]" | tr "\\n" "\\r" | head -c 314572800 > "$1"; printf "\\rdone 100%%\\n" >> "$1"', 'sh', bars], { timeoutMs: 300_000 });
          const rss0 = maxRss();
          const t = new LogTailer(conn, bars, { lines: () => undefined, reset: () => undefined, status: () => undefined }, 1000);
          await t.start();
          t.stop();
          const oursRss = maxRss() - rss0;
          const rss1 = maxRss();
          const oldMoved = await oldOpen(conn, bars, 1000);
          const oldRss = maxRss() - rss1;
          return [
            { metric: 'bytes moved to open a 300 MB log of \\r progress bars', value: t.bytesMoved / 1024, unit: 'KiB', alternative: { name: 'the opening before (\\n only, read again)', value: oldMoved / 1024 } },
            { metric: 'peak RSS growth opening it', value: oursRss / 1048576, unit: 'MiB', alternative: { name: 'the opening before', value: oldRss / 1048576 }, note: 'ours measured first; growth of the process peak' },
          ];
        } finally {
          await conn.exec(['rm', '-rf', dir]).catch(() => undefined);
        }
      })),
    );
    return rows;
  },
};
export default bench;
