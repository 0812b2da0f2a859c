/** The SSH layer's errors: each says what happened and what to do, and never holds a secret. */

/** The user cancelled a prompt (passphrase, one-time code, host key): the attempt ended cleanly. */
export class AuthCancelled extends Error {
  constructor(what: string) {
    super(`Connecting was cancelled at the ${what} prompt.`);
    this.name = 'AuthCancelled';
  }
}

export class AuthFailed extends Error {
  constructor(target: string, detail: string) {
    super(`Could not log in to ${target}: ${detail}`);
    this.name = 'AuthFailed';
  }
}

/** A host key that is unknown and was refused, or that changed. */
export class HostKeyError extends Error {
  constructor(message: string, readonly kind: 'rejected' | 'changed' | 'unknown') {
    super(message);
    this.name = 'HostKeyError';
  }
}

/** The connection went away (dropped, closed, killed) while something needed it. */
export class ConnectionLost extends Error {
  constructor(target: string, during?: string) {
    super(`The connection to ${target} was lost${during ? ` while running ${during}` : ''}. It will be reopened; run it again.`);
    this.name = 'ConnectionLost';
  }
}

/** A remote or local command that exited non-zero, timed out or was cancelled. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    reason?: string,
  ) {
    const err = stderr.trim().split('\n').slice(-5).join('\n');
    super(reason ?? `${command} failed${exitCode !== null ? ` (exit ${exitCode})` : ''}${err ? `: ${err}` : ''}`);
    this.name = 'CommandError';
  }
}

/** A short name for an argv in messages: the program and the first arguments, never stdin. */
export function describeArgv(argv: readonly string[]): string {
  const shown = argv.slice(0, 4).map((a) => (a.length > 40 ? `${a.slice(0, 37)}...` : a)).join(' ');
  return `\`${shown}${argv.length > 4 ? ' ...' : ''}\``;
}
