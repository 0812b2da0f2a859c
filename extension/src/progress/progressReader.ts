/**
 * Reads the logs of every key of a progress view in one remote command per refresh: for each log
 * only the bytes written since the last refresh, length-prefixed so that log content cannot
 * confuse the framing. The paths go on the command's stdin (thousands of array-task logs would
 * not fit in a command line, nor in one SSH packet); a refresh moves at most REFRESH_BUDGET bytes
 * and the next one starts with the first key the budget left behind, so every key advances.
 * A log that shrank was truncated or replaced: its key starts over. No vscode here.
 */
import { KeyParser, type KeyProgress, type ProgressSpec } from '../../../common/progress/progress';
import { LogStream } from '../../../common/logs/stream';
import type { CommandRunner } from '../ssh/types';

/** At most this much of one log per refresh (a first read of a huge log takes a few refreshes). */
export const READ_CAP = 4 * 1024 * 1024;
/** At most this much of all logs together per refresh. */
export const REFRESH_BUDGET = 16 * 1024 * 1024;

/**
 * stdin: an offset line and a path line per key. stdout per key: `size n\n` and exactly n bytes.
 * A path that is not a readable regular file (missing, a directory, unreadable, a fifo) has size
 * -1 and n 0. GNU dd reads the chunk and a second one passes exactly n bytes, padded with NULs
 * should the file shrink, vanish or fail to read after `stat`, so the framing holds; the next refresh sees the smaller size and
 * starts that key over.
 */
const SCRIPT = [
  'cap=$1; budget=$2',
  'while IFS= read -r o && IFS= read -r f; do',
  '  s=-1; n=0',
  '  if [ -f "$f" ] && [ -r "$f" ]; then s=$(stat -L -c %s -- "$f" 2>/dev/null || echo -1); fi',
  '  if [ "$s" -gt "$o" ]; then',
  '    n=$((s - o)); if [ "$n" -gt "$cap" ]; then n=$cap; fi; if [ "$n" -gt "$budget" ]; then n=$budget; fi',
  '    budget=$((budget - n))',
  '  fi',
  '  printf "%s %s\\n" "$s" "$n"',
  '  if [ "$n" -gt 0 ]; then dd if="$f" bs="$n" count=1 skip="$o" iflag=skip_bytes,fullblock status=none 2>/dev/null | dd bs="$n" count=1 iflag=fullblock conv=sync status=none; fi',
  'done',
].join('\n');

interface KeyState {
  key: string;
  path: string;
  offset: number;
  stream: LogStream;
  parser: KeyParser;
  exists: boolean;
}

export class ProgressReader {
  private readonly keys: KeyState[];
  /** Where the next refresh starts: the first key the last one's budget did not fully serve. */
  private next = 0;
  bytesMoved = 0;

  constructor(
    private readonly runner: CommandRunner,
    spec: ProgressSpec,
    entries: readonly { key: string; path: string }[],
  ) {
    this.keys = entries.map(({ key, path }) => ({ key, path, offset: 0, stream: new LogStream(), parser: new KeyParser(key, spec), exists: false }));
  }

  /** One exec for all keys; returns each key's progress. */
  async refresh(): Promise<(KeyProgress & { path: string; exists: boolean })[]> {
    // a path with a line break cannot go on a line of stdin; no log is named so, it shows as missing
    const order = [...this.keys.slice(this.next), ...this.keys.slice(0, this.next)].filter((k) => !k.path.includes('\n'));
    if (order.length) {
      const stdin = order.map((k) => `${k.offset}\n${k.path}\n`).join('');
      const out = (await this.runner.exec(['sh', '-c', SCRIPT, 'sh', String(READ_CAP), String(REFRESH_BUDGET)], { stdin, timeoutMs: 120_000, maxBytes: REFRESH_BUDGET + order.length * 48 + 64 * 1024 })).stdout;
      this.bytesMoved += out.length;
      let at = 0;
      let starved: KeyState | undefined;
      for (const k of order) {
        const nl = out.indexOf(0x0a, at);
        if (nl < 0) break;
        const [size, n] = out.subarray(at, nl).toString('latin1').split(' ').map(Number) as [number, number];
        at = nl + 1;
        const bytes = out.subarray(at, at + n);
        at += n;
        k.exists = size >= 0;
        if (size >= 0 && size < k.offset) {
          // truncated or replaced: read it again from the start next time
          k.offset = 0;
          k.stream.reset();
          k.parser.reset();
          continue;
        }
        if (!starved && size - k.offset > n && n < READ_CAP) starved = k;
        k.offset += bytes.length;
        const u = k.stream.push(bytes);
        k.parser.feed(u.lines.map((l) => l.text).concat(u.open ? [u.open.text] : []));
      }
      this.next = starved ? this.keys.indexOf(starved) : 0;
    }
    return this.keys.map((k) => ({ ...k.parser.progress, cells: [...k.parser.progress.cells], path: k.path, exists: k.exists }));
  }
}
