/**
 * The "local" cluster: Slurm's commands on this machine (VS Code on a login node, Remote-SSH).
 * Same interface as an SSH connection, no SSH: argv goes to the program directly, no shell.
 */
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { accessSync, constants, openSync, readSync, closeSync, statSync, type Stats } from 'node:fs';
import { CommandError, describeArgv } from './errors';
import { DEFAULT_MAX_BYTES, type CommandRunner, type ExecOptions, type ExecResult } from './types';

/** Whether `program` is on PATH (how the local cluster is detected: squeue here). */
export function onPath(program: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export class LocalRunner implements CommandRunner {
  readonly name = 'local';
  readonly interactiveLogin = false;

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const what = describeArgv(argv);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
      const out: Buffer[] = [];
      let bytes = 0;
      const err: Buffer[] = [];
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(e);
      };
      const timer = options.timeoutMs ? setTimeout(() => fail(new CommandError(what, null, '', `${what} did not finish within ${Math.round(options.timeoutMs! / 1000)} s`)), options.timeoutMs) : undefined;
      child.stdout.on('data', (d: Buffer) => {
        if (options.onStdout) return options.onStdout(d);
        bytes += d.length;
        if (bytes > maxBytes) return fail(new CommandError(what, null, '', `${what} printed more than ${Math.round(maxBytes / 1048576)} MiB; stream it instead`));
        out.push(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        options.onStderr?.(d);
        err.push(d);
      });
      child.on('error', (e: NodeJS.ErrnoException) => fail(e.name === 'AbortError' ? new CommandError(what, null, '', `${what} was cancelled`) : new CommandError(what, null, '', e.code === 'ENOENT' ? `${argv[0]} is not installed here` : e.message)));
      child.on('close', (code, signal) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString('utf8');
        if (code !== 0 && !options.allowNonZero) return reject(new CommandError(what, code, stderr, signal ? `${what} was killed by signal ${signal}` : undefined));
        resolve({ code, ...(signal ? { signal } : {}), stdout: Buffer.concat(out), stderr });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
  }

  async stat(path: string): Promise<Stats> {
    return statSync(path);
  }

  async readRange(path: string, start: number, length: number): Promise<Buffer> {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, start);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
}
