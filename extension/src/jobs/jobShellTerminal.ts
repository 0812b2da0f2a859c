/**
 * The terminal side of a job shell, with no runtime dependency on VS Code (only its types), so the
 * lab tests drive it over a real connection as VS Code would.
 */
import type * as vscode from 'vscode';
import type { PtyChannel } from '../ssh/types';

/** An event as VS Code's API has it, enough for a Pseudoterminal. */
class Emitter<T> {
  private readonly listeners = new Set<(e: T) => unknown>();
  readonly event: vscode.Event<T> = (listener, thisArg?) => {
    const l = (e: T) => listener.call(thisArg, e);
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
}

/** The step that gives a shell inside a running job's allocation, on one of its nodes. */
export function jobShellArgv(jobId: string, node?: string): string[] {
  return ['srun', '--overlap', `--jobid=${jobId}`, ...(node ? [`--nodelist=${node}`] : []), '--nodes=1', '--ntasks=1', '--pty', 'bash', '-l'];
}

/**
 * The terminal of a job shell over the cluster's connection. srun fails with "pty: accept
 * failure: Interrupted system call" when a window change reaches it before its pty is set up,
 * so sizes are passed on only once the shell has written something (the size at open goes with
 * the pty request). When the shell ends (the job ended, `exit`, a disconnect) the terminal says
 * so and keeps its text until a key is pressed.
 */
export class JobShellTerminal implements vscode.Pseudoterminal {
  private readonly write = new Emitter<string>();
  private readonly closed = new Emitter<number | void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closed.event;
  private channel: PtyChannel | undefined;
  private started = false;
  private pendingSize: vscode.TerminalDimensions | undefined;
  private ended = false;
  /** What was typed before the channel opened, sent when it does. */
  private typed = '';

  constructor(
    private readonly open_: (size: { cols: number; rows: number }) => Promise<PtyChannel>,
    private readonly what: string,
  ) {}

  open(size: vscode.TerminalDimensions | undefined): void {
    this.open_({ cols: size?.columns ?? 120, rows: size?.rows ?? 30 }).then(
      (ch) => {
        this.channel = ch;
        if (this.ended) return void ch.close();
        if (this.typed) ch.write(this.typed);
        this.typed = '';
        const data = (d: Buffer) => {
          if (!this.started) {
            this.started = true;
            if (this.pendingSize) this.resize(this.pendingSize);
          }
          this.write.fire(d.toString('utf8'));
        };
        ch.on('data', data);
        ch.stderr.on('data', data);
        ch.on('close', () => this.end(`The shell in ${this.what} has ended (it exited, or the job ended).`));
      },
      (e: unknown) => this.end(`The shell in ${this.what} could not start: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Ends the shell from outside (a disconnect) with a reason shown in the terminal. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.channel?.close();
    this.channel = undefined;
    this.write.fire(`\r\n\x1b[2m[${reason} Press any key to close this terminal.]\x1b[0m\r\n`);
  }

  close(): void {
    this.ended = true;
    this.channel?.close();
  }

  handleInput(data: string): void {
    if (this.ended) return this.closed.fire();
    if (this.channel) this.channel.write(data);
    else this.typed += data;
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    if (!this.started) this.pendingSize = d;
    else this.resize(d);
  }

  private resize(d: vscode.TerminalDimensions): void {
    this.channel?.setWindow(d.rows, d.columns, 0, 0);
  }
}
