/**
 * Reads the logs of every key of a progress view in one remote command per refresh: for each log
 * only the bytes written since the last refresh (capped), length-prefixed so that log content
 * cannot confuse the framing. A log that shrank was truncated or replaced: its key starts over.
 * No vscode here.
 */
import { KeyParser, type KeyProgress, type ProgressSpec } from '../../../common/progress/progress';
import { LogStream } from '../../../common/logs/stream';
import type { CommandRunner } from '../ssh/types';

/** At most this much of one log per refresh (a first read of a huge log takes a few refreshes). */
export const READ_CAP = 4 * 1024 * 1024;

const SCRIPT = [
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
    if (this.keys.length) {
      const argv = ['sh', '-c', SCRIPT, String(READ_CAP), ...this.keys.flatMap((k) => [k.path, String(k.offset)])];
      const out = (await this.runner.exec(argv, { timeoutMs: 120_000, maxBytes: READ_CAP * Math.min(this.keys.length, 64) + 1024 * 1024 })).stdout;
      this.bytesMoved += out.length;
      let at = 0;
      for (const k of this.keys) {
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
        k.offset += bytes.length;
        const u = k.stream.push(bytes);
        k.parser.feed(u.lines.map((l) => l.text).concat(u.open ? [u.open.text] : []));
      }
    }
    return this.keys.map((k) => ({ ...k.parser.progress, cells: [...k.parser.progress.cells], path: k.path, exists: k.exists }));
  }
}
