/**
 * The "local" cluster: Slurm's commands on this machine (VS Code on a login node, Remote-SSH).
 * Same interface as an SSH connection, no SSH: argv goes to the program directly, no shell.
 */
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { accessSync, constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CommandError, describeArgv } from './errors';
import { CommandOutput } from './output';
import type { ClusterRunner, ExecOptions, ExecResult } from './types';

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

export class LocalRunner implements ClusterRunner {
  readonly name = 'local';
  readonly interactiveLogin = false;

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const what = describeArgv(argv);
    const output = new CommandOutput(what, options);
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(e);
      };
      const timer = options.timeoutMs ? setTimeout(() => fail(output.timedOut()), options.timeoutMs) : undefined;
      child.stdout.on('data', (d: Buffer) => {
        const overflow = output.stdout(d);
        if (overflow) fail(overflow);
      });
      child.stderr.on('data', (d: Buffer) => output.stderr(d));
      child.on('error', (e: NodeJS.ErrnoException) => fail(e.name === 'AbortError' ? output.cancelled() : new CommandError(what, null, '', e.code === 'ENOENT' ? `${argv[0]} is not installed here` : e.message)));
      child.on('close', (code, signal) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          resolve(output.result(code, signal));
        } catch (ce) {
          reject(ce);
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
  }

  // File reads never block the extension host (a hung NFS mount holds a worker thread, not the
  // event loop) and fail after a deadline, as the SSH connection's SFTP reads do.
  stat(path: string, options: { timeoutMs?: number } = {}): Promise<Stats> {
    return withDeadline('stat', path, options.timeoutMs, stat(path));
  }

  readRange(path: string, start: number, length: number, options: { timeoutMs?: number } = {}): Promise<Buffer> {
    const read = (async () => {
      const file = await open(path, 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await file.read(buf, 0, length, start);
        return buf.subarray(0, bytesRead);
      } finally {
        await file.close();
      }
    })();
    return withDeadline('read', path, options.timeoutMs, read);
  }
}

/** The same deadline as SFTP operations (SFTP_TIMEOUT_MS of connection.ts, not loaded here). */
const FILE_TIMEOUT_MS = 30_000;

function withDeadline<T>(what: string, path: string, timeoutMs = FILE_TIMEOUT_MS, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} of ${path} on this machine did not answer within ${Math.round(timeoutMs / 1000)} s (the file system may hang there).`)), timeoutMs);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
