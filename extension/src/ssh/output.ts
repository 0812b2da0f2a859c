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
