/** What the SSH layer needs to know about one host, and what it asks of the UI. */

export interface HopTarget {
  /** What the user calls it (a Host alias, a cluster name). */
  alias: string;
  host: string;
  port: number;
  user: string;
  /** Key files to try, in order (after the agent). */
  identityFiles: string[];
  /** Only the identity files, not every key the agent holds (IdentitiesOnly). */
  identitiesOnly: boolean;
  /** ssh-agent socket; undefined for none. */
  agent?: string;
  /** Seconds between keepalives (ServerAliveInterval); 0 disables. */
  keepaliveSeconds: number;
  knownHostsFiles: string[];
  /** StrictHostKeyChecking: yes refuses unknown hosts without asking; no accepts silently. */
  strictHostKeyChecking: 'yes' | 'ask' | 'accept-new' | 'no';
}

export interface ClusterTarget extends HopTarget {
  /** ProxyJump hosts, first hop first. */
  jumps: HopTarget[];
}

/** user@host:port: how connections are keyed and named in logs (never an option value). */
export function targetKey(t: Pick<HopTarget, 'user' | 'host' | 'port'>): string {
  return `${t.user}@${t.host}:${t.port}`;
}

export interface PromptField {
  prompt: string;
  echo: boolean;
}

/**
 * The questions a connection may have to ask; the extension answers with VS Code input boxes,
 * tests answer directly. `undefined` means the user cancelled.
 */
export interface Prompter {
  /**
   * Unknown host key: accept (and record in known_hosts) or not. `knownTypes`: the host is known
   * with keys of these other types only (a warning, not a first contact).
   */
  confirmHostKey(q: { target: string; keyType: string; fingerprint: string; knownHostsFile: string; knownTypes?: string[] }): Promise<boolean>;
  passphrase(q: { target: string; keyFile: string; retry: boolean }): Promise<string | undefined>;
  /** A passphrase remembered for this key, without asking anyone (automatic logins use only this). */
  storedPassphrase?(q: { target: string; keyFile: string }): Promise<string | undefined>;
  /** A passphrase given to `passphrase` decrypted its key and the login succeeded: the one to remember, if any. */
  passphraseAccepted?(q: { target: string; keyFile: string; passphrase: string }): Promise<void>;
  /** keyboard-interactive: every prompt with its own text, in order (a one-time code, a password). */
  /**
   * `retry`: the first prompt of a login asked again after the server refused the answers of the
   * last try; `refused` names that try's prompts (a code and a password: the server does not say which was wrong).
   */
  keyboardInteractive(q: { target: string; name: string; instructions: string; prompts: PromptField[]; retry?: boolean; refused?: string[] }): Promise<string[] | undefined>;
  password(q: { target: string; retry: boolean }): Promise<string | undefined>;
}

/** Buffered command output above this fails the command; stream larger outputs. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Facts about a finished command. */
export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Buffered output above this many bytes fails the command (streaming has no limit). */
  maxBytes?: number;
  /** Called with each chunk of stdout instead of buffering it. */
  onStdout?: (chunk: Buffer) => void;
  /** Called with each chunk of stderr as it arrives (it is kept as well). */
  onStderr?: (chunk: Buffer) => void;
  /** Non-zero exit is an error unless this says otherwise. */
  allowNonZero?: boolean;
}

/** What runs commands on a cluster: over SSH, or on this machine for the "local" cluster. */
export interface CommandRunner {
  readonly name: string;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/** A file's facts as stat gives them (SFTP or this machine). */
export interface FileStat {
  size: number;
  /** Seconds since the epoch (SFTP) or a Date (fs); callers compare within one runner only. */
  mtime?: number | Date;
}

/** A local port that reaches a host and port from the cluster's side. */
export interface PortForward {
  localPort: number;
  remoteHost: string;
  remotePort: number;
  close(): Promise<void>;
}

/** An interactive command on a pseudo-terminal (a job shell), as ssh2's channel offers it. */
export interface PtyChannel {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  stderr: { on(event: 'data', listener: (data: Buffer) => void): unknown };
  write(data: string): unknown;
  setWindow(rows: number, cols: number, height: number, width: number): unknown;
  close(): unknown;
}

/**
 * Everything a cluster can do for the extension, stated once: commands, file facts and ranged
 * reads for every cluster; a pseudo-terminal and port forwards only over SSH (the local cluster
 * opens VS Code's own terminal and needs no forward). Callers test for the optional ones
 * instead of casting.
 */
export interface ClusterRunner extends CommandRunner {
  /** The login asked a human (a one-time code): reconnecting would ask again. */
  readonly interactiveLogin: boolean;
  stat(path: string, options?: { timeoutMs?: number }): Promise<FileStat>;
  /** `length` bytes at `start` (fewer at the file's end). */
  readRange(path: string, start: number, length: number, options?: { timeoutMs?: number }): Promise<Buffer>;
  pty?(argv: readonly string[], size: { cols: number; rows: number }): Promise<PtyChannel>;
  forwardLocal?(remoteHost: string, remotePort: number, localPort?: number): Promise<PortForward>;
}
