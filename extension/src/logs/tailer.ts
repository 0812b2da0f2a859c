/**
 * Follows a log on a cluster. Opening reads backwards from the end, chunk by chunk, until it has
 * the lines to show: the bytes moved grow with the lines shown, not with the file. Then a held
 * `tail -F` on the cluster connection streams what is written (inotify where the cluster has it),
 * and reports what real logs do: a file that does not exist yet (it waits), truncation and
 * replacement (it starts over). Pause keeps the stream and holds lines back until resume.
 * No vscode here.
 */
import type { TailStatus } from '../../../common/logs/protocol';
import { LineStartFinder, LogStream, type LogLine } from '../../../common/logs/stream';

export type { TailStatus };
import type { CommandRunner } from '../ssh/types';

export interface TailSource extends CommandRunner {
  stat(path: string): Promise<{ size: number }>;
  readRange(path: string, start: number, length: number): Promise<Buffer>;
}


export interface TailListener {
  lines(lines: LogLine[], open: LogLine | undefined): void;
  reset(reason: string): void;
  status(status: TailStatus, detail?: string): void;
}

const CHUNK = 64 * 1024;

/** Lines kept while paused; older ones are dropped (and counted). */
const PAUSE_BUFFER = 20_000;

export class LogTailer {
  /** Bytes read from the cluster since opening (the initial read and the stream). */
  bytesMoved = 0;
  private readonly stream = new LogStream();
  private abort: AbortController | undefined;
  private stopped = false;
  private paused: { lines: LogLine[]; open: LogLine | undefined; dropped: number } | undefined;
  private readonly notice: RegExp;
  /** Followed before the file existed: its appearance is its start, not a rotation. */
  private awaited = false;

  constructor(
    private readonly source: TailSource,
    readonly path: string,
    private readonly listener: TailListener,
    private readonly initialLines = 1000,
  ) {
    // GNU tail's notes name the file, quoted or not, and end their line; "cannot open" puts the name after
    // (coreutils tail.c: "cannot open %s for reading"), and one note names no file
    const name = `(?:'${escapeRegExp(path)}'|${escapeRegExp(path)})`;
    this.notice = new RegExp(`tail: (?:${name}:? (file truncated|has been replaced;\\s+following new file|has appeared;\\s+following new file|has become inaccessible: .*|cannot open .*|has become accessible)|(cannot open) ${name} for reading: .*|(inotify cannot be used), reverting to polling)$`);
  }

  async start(): Promise<void> {
    this.listener.status('opening');
    let size: number | undefined;
    try {
      size = (await this.source.stat(this.path)).size;
    } catch {
      size = undefined; // not there yet (a pending job): tail -F waits for it
    }
    if (this.stopped) return;
    let offset = 0;
    if (size !== undefined && size > 0) {
      const { start, bytes, cut } = await this.readLastLines(size);
      if (this.stopped) return;
      const u = this.stream.push(bytes);
      offset = start + bytes.length;
      const shown = u.lines.slice(-this.initialLines);
      if (cut) shown.unshift({ text: `[… the first ${start.toLocaleString('en-US')} bytes of the log are not shown …]` });
      this.listener.lines(shown, u.open);
    }
    this.follow(offset, size === undefined);
  }

  /**
   * The last `initialLines` lines, read backwards a chunk at a time: the bytes moved grow with the
   * lines shown, not with the file, and stop at MAX_OPEN_BYTES whatever the lines.
   */
  private async readLastLines(size: number): Promise<{ start: number; bytes: Buffer; cut: boolean }> {
    const finder = new LineStartFinder(size, this.initialLines);
    const chunks: Buffer[] = [];
    let pos = size;
    let start: number | undefined;
    while (start === undefined && !this.stopped) {
      const from = Math.max(finder.floor, pos - CHUNK);
      const buf = await this.source.readRange(this.path, from, pos - from);
      this.bytesMoved += buf.length;
      chunks.unshift(buf);
      start = finder.feed(from, buf);
      pos = from;
    }
    start ??= pos;
    return { start, bytes: Buffer.concat(chunks).subarray(start - pos), cut: start > 0 && start === finder.floor };
  }

  private follow(offset: number, waiting: boolean): void {
    if (this.stopped) return;
    const abort = new AbortController();
    this.abort = abort;
    this.awaited = waiting;
    this.listener.status(waiting ? 'waiting' : 'following', waiting ? `${this.path} is not there yet` : undefined);
    // tail's notes go to stdout too (2>&1), so that they arrive in order with the file's bytes
    const argv = ['sh', '-c', 'exec tail -c "+$1" -F --sleep-interval=0.2 -- "$2" 2>&1', 'sh', String(offset + 1), this.path];
    this.source
      .exec(argv, {
        signal: abort.signal,
        allowNonZero: true,
        onStdout: (chunk) => {
          if (this.stopped) return;
          this.bytesMoved += chunk.length;
          const u = this.stream.push(chunk);
          this.deliver(u.lines, u.open);
        },
      })
      .then(
        () => {
          if (!abort.signal.aborted && !this.stopped) this.listener.status('stopped', 'tail ended');
        },
        (e: unknown) => {
          if (abort.signal.aborted || this.stopped) return;
          this.listener.status('error', e instanceof Error ? e.message : String(e));
        },
      );
  }

  private deliver(lines: LogLine[], open: LogLine | undefined): void {
    let batch: LogLine[] = [];
    for (const line of lines) {
      const m = this.notice.exec(line.text);
      if (!m) {
        batch.push(line);
        continue;
      }
      const before = line.text.slice(0, m.index);
      if (before) batch.push({ text: before });
      this.emit(batch, undefined);
      batch = [];
      this.onNotice(m[1] ?? m[2] ?? m[3]!);
    }
    this.emit(batch, open);
  }

  private emit(lines: LogLine[], open: LogLine | undefined): void {
    if (!lines.length && !open) return;
    if (this.paused) {
      this.paused.lines.push(...lines);
      const over = this.paused.lines.length - PAUSE_BUFFER;
      if (over > 0) {
        this.paused.lines.splice(0, over);
        this.paused.dropped += over;
      }
      this.paused.open = open;
      return;
    }
    this.listener.lines(lines, open);
  }

  private onNotice(what: string): void {
    if (/truncated/.test(what)) this.listener.reset('The log was truncated; showing it from its start.');
    // "has appeared": the file waited for from the start, or one that went away (rotated) and came back
    else if (/appeared/.test(what) && this.awaited) this.listener.reset('The log is there now; following it.');
    else if (/replaced|appeared/.test(what)) this.listener.reset('The log was replaced (rotated?); following the new file.');
    if (/replaced|appeared/.test(what)) this.awaited = false;
    else if (/inaccessible|cannot open/.test(what)) this.listener.status('waiting', `${this.path} is not there yet`);
    if (/replaced|appeared|accessible$|truncated/.test(what)) this.listener.status('following');
  }

  /** Stops showing new lines; they are kept (the latest 20,000) until resume. */
  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = { lines: [], open: undefined, dropped: 0 };
    this.listener.status('paused');
  }

  resume(): void {
    const p = this.paused;
    if (!p) return;
    this.paused = undefined;
    if (p.dropped) this.listener.lines([{ text: `[… ${p.dropped} lines written while paused are not shown …]` }], undefined);
    this.listener.lines(p.lines, p.open);
    this.listener.status('following');
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
