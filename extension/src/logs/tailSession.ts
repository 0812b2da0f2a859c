/**
 * The tail behind one log page: opens a LogTailer on the cluster's connection when the page asks
 * (its `ready`, a Reopen), pauses and resumes it, and hands its lines to the page through a
 * LineBatcher. No vscode here: the panel wires a webview to it, the tests a real connection.
 */
import type { TailToPage } from '../../../common/logs/protocol';
import type { LogLine } from '../../../common/logs/stream';
import { LineBatcher } from './lineBatcher';
import { LogTailer, type TailSource } from './tailer';

export interface TailSessionOptions {
  path: string;
  initialLines: number;
  /** The cluster's connection, as it is now (it may have been reopened since the last call). */
  source: () => Promise<TailSource>;
  post: (m: TailToPage) => void;
  warn: (message: string) => void;
}

export class TailSession {
  private tailer: LogTailer | undefined;
  /** Counts opens: an open overtaken by a later one (while it waited for the connection) gives up. */
  private opens = 0;
  private disposed = false;
  private readonly batcher: LineBatcher;
  /** The last `initialLines` lines the page was given (and the open one): a page loaded again while stopped gets them back. */
  private kept: LogLine[] = [];
  private keptOpen: LogLine | undefined;
  /** Why the tail stopped (a disconnect), until the next open. */
  private stopped: { detail: string; bytesMoved: number } | undefined;

  constructor(private readonly o: TailSessionOptions) {
    this.batcher = new LineBatcher((lines, open) => {
      this.keep(lines, open);
      this.o.post({ type: 'lines', lines, ...(open ? { open } : {}) });
    });
  }

  private keep(lines: LogLine[], open: LogLine | undefined): void {
    this.kept.push(...lines);
    if (this.kept.length > this.o.initialLines) this.kept.splice(0, this.kept.length - this.o.initialLines);
    this.keptOpen = open;
  }

  /** Whether the tail was stopped (a disconnect) and not opened since. */
  get isStopped(): boolean {
    return this.stopped !== undefined;
  }

  /**
   * For a page loaded again while stopped (VS Code reloads a hidden page when it is shown): the
   * lines it had and why it stopped, without opening anything (a disconnected cluster stays so).
   */
  replay(): void {
    if (!this.stopped) return;
    if (this.kept.length || this.keptOpen) this.o.post({ type: 'lines', lines: [...this.kept], ...(this.keptOpen ? { open: this.keptOpen } : {}) });
    this.o.post({ type: 'status', status: 'stopped', detail: this.stopped.detail, bytesMoved: this.stopped.bytesMoved });
  }

  /**
   * Opens the log from its end and follows it, in place of any tail opened before: a page that is
   * loaded again (VS Code reloads a hidden page when it is shown) says ready again, and so does
   * Reopen. One remote `tail` per page, whatever the number of opens.
   */
  async open(): Promise<void> {
    if (this.disposed) return;
    const mine = ++this.opens;
    this.tailer?.stop();
    this.tailer = undefined;
    this.batcher.clear();
    // a new open reads the log's end again: what was kept is what it will show
    this.stopped = undefined;
    this.kept = [];
    this.keptOpen = undefined;
    try {
      const source = await this.o.source();
      if (mine !== this.opens || this.disposed) return;
      const tailer = new LogTailer(source, this.o.path, {
        lines: (lines, open) => this.batcher.push(lines, open),
        reset: (reason) => {
          this.batcher.flush();
          this.kept = [];
          this.keptOpen = undefined;
          this.o.post({ type: 'reset', reason });
        },
        status: (status, detail) => {
          this.batcher.flush();
          this.o.post({ type: 'status', status, ...(detail ? { detail } : {}), bytesMoved: tailer.bytesMoved });
        },
      }, this.o.initialLines);
      this.tailer = tailer;
      await tailer.start();
    } catch (e) {
      if (mine !== this.opens || this.disposed) return;
      const detail = e instanceof Error ? e.message : String(e);
      this.o.warn(`log tail of ${this.o.path}: ${detail}`);
      this.o.post({ type: 'status', status: 'error', detail, bytesMoved: this.tailer?.bytesMoved ?? 0 });
    }
  }

  /** Stops following (the cluster was disconnected); the page says why and offers Reopen. */
  stop(reason: string): void {
    if (this.disposed || !this.tailer) return;
    ++this.opens; // an open still waiting for its connection gives up too
    const bytesMoved = this.tailer.bytesMoved;
    this.tailer.stop();
    this.tailer = undefined;
    this.batcher.flush();
    this.stopped = { detail: reason, bytesMoved };
    this.o.post({ type: 'status', status: 'stopped', detail: reason, bytesMoved });
  }

  pause(): void {
    this.tailer?.pause();
  }

  resume(): void {
    this.tailer?.resume();
  }

  dispose(): void {
    this.disposed = true;
    this.tailer?.stop();
    this.tailer = undefined;
    this.batcher.dispose();
  }
}
