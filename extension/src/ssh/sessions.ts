/**
 * One connection per cluster, shared by everything (job tree, logs, submit, port forwards).
 * Connections are keyed by user@host:port. Concurrent callers share one connect attempt. When a
 * connection drops it is reopened with backoff, except where the login asks a human (a one-time
 * code): there at most one automatic attempt is made, then the user is asked, because automatic
 * reconnects lock two-factor accounts.
 */
import { EventEmitter } from 'node:events';
import type { SshConnection } from './connection';
import { targetKey, type ClusterTarget, type Prompter } from './types';

export type SessionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'needs-user' | 'failed';

export interface SessionStatus {
  key: string;
  state: SessionState;
  /** Why it is not connected, for the status bar and the log (never holds a secret). */
  reason?: string;
}

export interface SessionOptions {
  /** Delays before automatic reconnect attempts; its length is the number of attempts. */
  backoffMs?: number[];
  /** Opens a connection (SshConnection.open; the extension loads it from its own bundle). */
  open: (target: ClusterTarget, prompter: Prompter) => Promise<SshConnection>;
}

/** A command for a cluster that is not connected and may not be connected without its person. */
export class NotConnected extends Error {
  override name = 'NotConnected';
}

/**
 * The prompter of automatic logins: remembered passphrases still work (the VS Code prompter reads
 * them from SecretStorage without asking when it is not a retry), every question to a person is
 * answered "cancel", and an unknown host key is refused.
 */
function silent(p: Prompter): Prompter {
  return {
    confirmHostKey: async () => false,
    passphrase: async (q) => (q.retry ? undefined : p.storedPassphrase?.(q)),
    keyboardInteractive: async () => undefined,
    password: async () => undefined,
    ...(p.passphraseAccepted ? { passphraseAccepted: (q) => p.passphraseAccepted!(q) } : {}),
  };
}

/** Errors a person has to resolve: a cancelled prompt, a refused or changed host key. By name:
 * they may come from another bundle, where instanceof does not hold. */
function needsUser(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AuthCancelled' || e.name === 'HostKeyError');
}

interface Session {
  target: ClusterTarget;
  state: SessionState;
  reason?: string;
  connection?: SshConnection;
  connecting?: Promise<SshConnection>;
  /** The last login asked a human; reconnects are limited. */
  interactive: boolean;
  /** Automatic attempts since the user last asked to connect. */
  autoAttempts: number;
  timer?: NodeJS.Timeout;
  userClosed: boolean;
}

export class SessionManager extends EventEmitter {
  private readonly sessions = new Map<string, Session>();
  private readonly backoff: number[];
  private readonly open: SessionOptions['open'];

  constructor(
    private readonly prompter: Prompter,
    options: SessionOptions,
  ) {
    super();
    this.backoff = options.backoffMs ?? [1000, 2000, 5000, 10_000, 30_000, 60_000];
    this.open = options.open;
  }

  status(key: string): SessionStatus {
    const s = this.sessions.get(key);
    return { key, state: s?.state ?? 'disconnected', ...(s?.reason ? { reason: s.reason } : {}) };
  }

  all(): SessionStatus[] {
    return [...this.sessions.keys()].map((k) => this.status(k));
  }

  private set(s: Session, state: SessionState, reason?: string): void {
    s.state = state;
    s.reason = reason;
    this.emit('state', this.status(targetKey(s.target)));
  }

  /**
   * The open connection to a cluster, connecting if needed. `user` is true when a person asked
   * (the connect command): that resets the limit on automatic attempts.
   */
  get(target: ClusterTarget, opts: { user?: boolean } = {}): Promise<SshConnection> {
    const key = targetKey(target);
    let s = this.sessions.get(key);
    if (!s) {
      s = { target, state: 'disconnected', interactive: false, autoAttempts: 0, userClosed: false };
      this.sessions.set(key, s);
    }
    if (s.connection?.isOpen) return Promise.resolve(s.connection);
    if (s.connecting) return s.connecting;
    if (opts.user) {
      s.autoAttempts = 0;
      s.userClosed = false;
      clearTimeout(s.timer);
    } else if (s.userClosed) {
      // after a person disconnects, only that person opens a login again
      return Promise.reject(new NotConnected(`Not connected to ${s.target.alias}: you disconnected. Connect again from the status bar or "HPC Geo: Connect to Cluster".`));
    } else if (s.state === 'needs-user' || (s.interactive && s.autoAttempts >= 1)) {
      this.set(s, 'needs-user', s.reason ?? 'the login needs a one-time code');
      return Promise.reject(new NotConnected(`Not connected to ${s.target.alias}: its login needs you (${s.reason ?? 'a one-time code'}), so HPC Geo does not log in on its own. Connect from the status bar or "HPC Geo: Connect to Cluster".`));
    } else {
      s.autoAttempts++;
    }
    return this.connect(s, !!opts.user);
  }

  /**
   * `user`: a person asked for this login and may be asked questions. Any other attempt (a
   * background refresh, an automatic reconnect) gets a prompter that asks nobody: a login that
   * needs a person then fails with needs-user instead of popping up a prompt.
   */
  private connect(s: Session, user: boolean): Promise<SshConnection> {
    this.set(s, s.connection ? 'reconnecting' : 'connecting');
    const attempt = this.open(s.target, user ? this.prompter : silent(this.prompter)).then(
      (conn) => {
        s.connecting = undefined;
        if (s.userClosed) {
          conn.end();
          throw this.closedWhileConnecting(s);
        }
        s.connection = conn;
        s.interactive = conn.interactiveLogin;
        s.autoAttempts = 0;
        this.set(s, 'connected');
        conn.onClose((error) => this.dropped(s, conn, error));
        return conn;
      },
      (error: unknown) => {
        s.connecting = undefined;
        if (s.userClosed) throw this.closedWhileConnecting(s);
        let reason = error instanceof Error ? error.message : String(error);
        // an automatic login that would have had to ask someone (its prompts answer "cancel")
        if (!user && error instanceof Error && error.name === 'AuthCancelled') reason = 'the login needs you (a passphrase, a one-time code or a password); connect to enter it';
        // a person has to act: a cancelled prompt, a refused or changed host key
        if (needsUser(error)) this.set(s, 'needs-user', reason);
        else this.set(s, 'failed', reason);
        throw error;
      },
    );
    s.connecting = attempt;
    return attempt;
  }

  /** The person disconnected while the login was under way: it ends there, however it went. */
  private closedWhileConnecting(s: Session): NotConnected {
    this.set(s, 'disconnected');
    return new NotConnected(`Not connected to ${s.target.alias}: you disconnected while it was connecting.`);
  }

  private dropped(s: Session, conn: SshConnection, error?: Error): void {
    if (s.connection !== conn) return;
    s.connection = undefined;
    const reason = error ? `connection lost: ${error.message}` : 'connection closed';
    if (s.userClosed) return this.set(s, 'disconnected');
    if (s.interactive) {
      // never retry a one-time-code login on our own: the user reconnects when they want to
      return this.set(s, 'needs-user', `${reason}; reconnect to enter a new one-time code`);
    }
    this.set(s, 'reconnecting', reason);
    this.scheduleReconnect(s, 0);
  }

  private scheduleReconnect(s: Session, attempt: number): void {
    if (attempt >= this.backoff.length) return this.set(s, 'failed', `${s.reason ?? 'connection lost'}; gave up after ${attempt} attempts`);
    clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      if (s.userClosed || s.connection?.isOpen || s.connecting) return;
      this.connect(s, false).catch((e: unknown) => {
        if (needsUser(e)) return;
        this.set(s, 'reconnecting', e instanceof Error ? e.message : String(e));
        this.scheduleReconnect(s, attempt + 1);
      });
    }, this.backoff[attempt]);
  }

  disconnect(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    s.userClosed = true;
    clearTimeout(s.timer);
    s.connection?.end();
    s.connection = undefined;
    this.set(s, 'disconnected');
  }

  dispose(): void {
    for (const key of this.sessions.keys()) this.disconnect(key);
    this.removeAllListeners();
  }
}
