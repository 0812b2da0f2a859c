/**
 * A command's output, gathered the same way by every runner (SSH channel, local process): stdout
 * buffered up to `maxBytes` unless streamed, the last 64 KiB of stderr (where the reason is), and
 * the end turned into a result or a `CommandError` with the same wording everywhere.
 */
import { CommandError } from './errors';
import { DEFAULT_MAX_BYTES, type ExecOptions, type ExecResult } from './types';

const STDERR_KEPT = 65536;

export class CommandOutput {
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private readonly err: Buffer[] = [];
  private errBytes = 0;
  private readonly maxBytes: number;

  constructor(
    readonly what: string,
    private readonly options: ExecOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Takes a stdout chunk; an error when the buffered output passed `maxBytes`. */
  stdout(d: Buffer): CommandError | undefined {
    if (this.options.onStdout) {
      this.options.onStdout(d);
      return undefined;
    }
    this.outBytes += d.length;
    if (this.outBytes > this.maxBytes) return new CommandError(this.what, null, '', `${this.what} printed more than ${Math.round(this.maxBytes / 1048576)} MiB; stream it instead`);
    this.out.push(d);
    return undefined;
  }

  stderr(d: Buffer): void {
    this.options.onStderr?.(d);
    this.err.push(d);
    this.errBytes += d.length;
    while (this.errBytes > STDERR_KEPT && this.err.length > 1) this.errBytes -= this.err.shift()!.length;
  }

  timedOut(): CommandError {
    return new CommandError(this.what, null, '', `${this.what} did not finish within ${Math.round(this.options.timeoutMs! / 1000)} s`);
  }

  cancelled(): CommandError {
    return new CommandError(this.what, null, '', `${this.what} was cancelled`);
  }

  /** The result of a command that ended; throws its `CommandError` when it failed and that is not allowed. */
  result(code: number | null, signal?: string | null): ExecResult {
    const stderr = Buffer.concat(this.err).toString('utf8');
    if (code !== 0 && !this.options.allowNonZero) throw new CommandError(this.what, code, stderr, signal ? `${this.what} was killed by signal ${signal}` : undefined);
    return { code, ...(signal ? { signal } : {}), stdout: Buffer.concat(this.out), stderr };
  }
}

/**
 * One output stream of a remote command: what arrives before `mark` was printed by the login
 * shell's startup files, not by the command; it is kept apart and the rest passes through.
 */
export class MarkedStream {
  private before: Buffer[] = [];
  private seen = false;
  private readonly mark: Buffer;

  constructor(mark: string) {
    this.mark = Buffer.from(mark);
  }

  /** The part of a chunk that the command printed (empty while the mark has not come). */
  take(d: Buffer): Buffer {
    if (this.seen) return d;
    this.before.push(d);
    const all = Buffer.concat(this.before);
    const at = all.indexOf(this.mark);
    if (at < 0) {
      this.before = [all];
      return Buffer.alloc(0);
    }
    this.seen = true;
    this.before = [all.subarray(0, at)];
    return all.subarray(at + this.mark.length);
  }

  /** At the end: the mark never came (the program did not start), so all of it is output. */
  rest(): Buffer {
    return this.seen ? Buffer.alloc(0) : Buffer.concat(this.before);
  }

  /** What the startup files printed, once the mark came. */
  get noise(): string {
    return this.seen ? Buffer.concat(this.before).toString('utf8') : '';
  }
}
