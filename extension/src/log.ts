import * as vscode from 'vscode';

/** The one error path: log with its cause, show with a "Show Log" button. */
export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('HPC Geo', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  /** Logs `error` under `context` and shows it; resolves once the user has answered. */
  async showError(context: string, error: unknown): Promise<void> {
    const message = describeError(error);
    this.channel.error(`${context}: ${message}`);
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause !== undefined) this.channel.error(`  caused by: ${describeError(cause)}`);
    if (error instanceof Error && error.stack) this.channel.debug(error.stack);
    const choice = await vscode.window.showErrorMessage(`HPC Geo: ${message}`, 'Show Log');
    if (choice === 'Show Log') this.channel.show(true);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
