/**
 * Lines for a page, at most one message per `ms`: a line of a quiet log is handed over at once,
 * a chatty log's lines are gathered while the last message is younger than `ms`. No vscode here:
 * the log panel and the benchmark share it.
 */
import type { LogLine } from '../../../common/logs/stream';

export class LineBatcher {
  private pending: LogLine[] = [];
  private open: LogLine | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(
    private readonly deliver: (lines: LogLine[], open: LogLine | undefined) => void,
    private readonly ms = 40,
  ) {}

  push(lines: LogLine[], open: LogLine | undefined): void {
    this.pending.push(...lines);
    this.open = open;
    if (this.timer) return;
    const wait = this.last + this.ms - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Hands over what is pending now (before a reset or status message, to keep the order). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length && !this.open) return;
    const lines = this.pending;
    this.pending = [];
    this.last = Date.now();
    this.deliver(lines, this.open);
  }

  /** Drops what is pending (the page it was meant for is gone). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.open = undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
