/**
 * One SSH connection to a cluster (through its ProxyJump hosts), on ssh2. Everything that touches
 * the cluster goes through one of these: commands, SFTP reads, port forwards.
 *
 * - Authentication in OpenSSH's order: agent, key files (asking for a passphrase when a key is
 *   encrypted), keyboard-interactive (each prompt with its own text: "Verification code: "),
 *   password. Every question goes through the injected Prompter; a cancelled prompt ends the
 *   attempt with AuthCancelled.
 * - Host keys checked against known_hosts; unknown keys are confirmed by the user and recorded,
 *   changed or revoked keys refused. Never accepted silently (unless the config says so).
 * - Nagle off (setNoDelay): about 40 ms less per command on an open connection.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Client, utils, type AnyAuthMethod, type AuthHandlerMiddleware, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm, type SFTPWrapper, type Stats } from 'ssh2';
import { AuthCancelled, AuthFailed, CommandError, ConnectionLost, describeArgv, HostKeyError } from './errors';
import { algorithmsFor, appendKnownHost, checkHostKey, fingerprint, keyType, knownHostName, knownTypes } from './knownHosts';
import { OUTPUT_MARK, remoteCommand } from './quote';
import { CommandOutput, MarkedStream } from './output';
import { targetKey, type ClusterRunner, type ClusterTarget, type ExecOptions, type ExecResult, type HopTarget, type PortForward, type Prompter } from './types';

export type { PortForward } from './types';

/** Reaching the server (TCP and key exchange, up to its host key). */
const NETWORK_TIMEOUT_MS = 30_000;
/** The whole login, people included: fetching a one-time code from a phone takes a while. */
const LOGIN_TIMEOUT_MS = 10 * 60_000;
/** An SFTP stat or read that has not answered in this long (a hung NFS mount) fails. */
export const SFTP_TIMEOUT_MS = 30_000;
/** sh could not find argv[0] when it came to run it (dash: `sh: 1: exec: squeue: not found`; bash as sh: `sh: line 1: exec: squeue: not found`): nothing ran. */
function notFound(argv: readonly string[], code: number | null, stderr: string): boolean {
  if (code !== 127) return false;
  const m = /^\S*sh: (?:line )?\d+: exec: (.+): not found$/m.exec(stderr);
  return m?.[1] === argv[0];
}

type AuthAttempt = AnyAuthMethod;

interface HopState {
  cancelled?: AuthCancelled;
  hostKey?: HostKeyError;
  interactive: boolean;
  /** Ends the attempt at once (a cancelled prompt). */
  abort?: () => void;
  /** The server's host key arrived: the network part is done, people may take their time now. */
  reached?: () => void;
  /** The passphrase of the key offered last: remembered only if the server takes that key. */
  offered?: { keyFile: string; passphrase: string };
  /** Passphrases of keys the server took (the login, or a first factor of it). */
  accepted: { keyFile: string; passphrase: string }[];
  /** The last attempt asked a person for a code (its attempt number): refused, it is asked again. */
  codeAsked?: number;
  /** What was offered, for the message when everything was refused (names only, never answers). */
  tried: { key: boolean; prompts: Set<string>; password: boolean };
  /** The method of the attempt made last, and whether the server took a key as a first factor (it then needs more). */
  lastMethod?: string;
  keyTaken?: boolean;
  /** The prompts of the current keyboard-interactive try, round after round. */
  tryPrompts?: string[];
}

/** How many times a one-time code is asked in one login (OpenSSH's NumberOfPasswordPrompts). */
const CODE_TRIES = 3;

/** A server's prompt as a name in messages: "Verification code: " → "Verification code" (linear: a lookbehind). */
export function promptLabel(prompt: string): string {
  return prompt.replace(/(?<![:\s])[:\s]+$/, '') || 'login';
}

/** The ssh2 client config and auth for one hop, asking the prompter as needed. */
function hopConfig(hop: HopTarget, prompter: Prompter, state: HopState): ConnectConfig {
  // prompts name the cluster as the person calls it ("lab-totp"), not user@host:port
  const name = hop.alias && hop.alias !== hop.host ? hop.alias : targetKey(hop);
  const candidates: { method: string; make: () => Promise<AuthAttempt | undefined> }[] = [];
  const keyFiles = hop.identityFiles.filter((f) => existsSync(f));
  if (hop.agent && !(hop.identitiesOnly && keyFiles.length)) {
    candidates.push({ method: 'publickey', make: async () => ({ type: 'agent', username: hop.user, agent: hop.agent! }) });
  }
  for (const file of keyFiles) {
    candidates.push({
      method: 'publickey',
      make: async () => {
        const data = readFileSync(file);
        let parsed = utils.parseKey(data);
        if (!(parsed instanceof Error)) return { type: 'publickey', username: hop.user, key: data };
        if (!/encrypted|passphrase/i.test(parsed.message)) return undefined; // not a key we can use
        for (let attempt = 0; attempt < 3; attempt++) {
          const passphrase = await prompter.passphrase({ target: name, keyFile: file, retry: attempt > 0 });
          if (passphrase === undefined) throw new AuthCancelled('passphrase');
          parsed = utils.parseKey(data, passphrase);
          if (!(parsed instanceof Error)) {
            state.offered = { keyFile: file, passphrase };
            return { type: 'publickey', username: hop.user, key: data, passphrase };
          }
        }
        return undefined;
      },
    });
  }
  const keyboardInteractive = (attempt: number): { method: string; make: () => Promise<AuthAttempt | undefined> } => ({
    method: 'keyboard-interactive',
    make: async () => {
      // the prompts of the try the server refused, and of this one (a code, then a password: rounds of one try)
      const refused = state.tryPrompts ?? [];
      const asked: string[] = (state.tryPrompts = []);
      return {
        type: 'keyboard-interactive',
        username: hop.user,
        prompt: (promptName, instructions, _lang, prompts, finish) => {
          if (!prompts.length) return finish([]);
          state.interactive = true;
          state.codeAsked = attempt;
          const first = !asked.length;
          for (const p of prompts) {
            state.tried.prompts.add(promptLabel(p.prompt));
            asked.push(promptLabel(p.prompt));
          }
          prompter
            .keyboardInteractive({ target: name, name: promptName, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: !!p.echo })), ...(attempt > 0 && first ? { retry: true, refused } : {}) })
            .then(
              (answers) => {
                if (answers === undefined) {
                  // answering with no replies is a protocol error to sshd: close instead
                  state.cancelled = new AuthCancelled(promptLabel(prompts[0]?.prompt ?? ''));
                  state.abort?.();
                } else finish(answers);
              },
              () => state.abort?.(),
            );
        },
      };
    },
  });
  candidates.push(keyboardInteractive(0));
  candidates.push({
    method: 'password',
    make: async () => {
      const password = await prompter.password({ target: name, retry: false });
      if (password === undefined) throw new AuthCancelled('password');
      state.tried.password = true;
      return { type: 'password', username: hop.user, password };
    },
  });

  let next = 0;
  const types = knownTypes(hop.knownHostsFiles, hop.host, hop.port);
  return {
    host: hop.host,
    port: hop.port,
    username: hop.user,
    readyTimeout: LOGIN_TIMEOUT_MS,
    keepaliveInterval: hop.keepaliveSeconds * 1000,
    keepaliveCountMax: 3,
    // ask for the key types already trusted for this host first, as OpenSSH does
    ...(types.length ? { algorithms: { serverHostKey: { prepend: types.flatMap(algorithmsFor) as ServerHostKeyAlgorithm[], append: [], remove: [] } } } : {}),
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      state.reached?.();
      void verifyHostKey(hop, key, prompter).then(
        () => verify(true),
        (e: unknown) => {
          state.hostKey = e instanceof HostKeyError ? e : new HostKeyError(String(e), 'rejected');
          verify(false);
        },
      );
    },
    authHandler: ((methodsLeft: string[] | null, partial: boolean | null, callback: (next: AnyAuthMethod | false) => void) => {
      // called again after each attempt: `partial` says the last one was taken as a first factor
      if (partial && state.offered) state.accepted.push(state.offered);
      if (partial && state.lastMethod === 'publickey') state.keyTaken = true;
      state.offered = undefined;
      // a one-time code the server refused: ask again (a typo, a code that just expired), as OpenSSH does
      const asked = state.codeAsked;
      state.codeAsked = undefined;
      if (asked !== undefined && !partial && asked + 1 < CODE_TRIES && (!methodsLeft || methodsLeft.includes('keyboard-interactive'))) candidates.splice(next, 0, keyboardInteractive(asked + 1));
      void (async () => {
        while (next < candidates.length) {
          const c = candidates[next++]!;
          if (methodsLeft && !methodsLeft.includes(c.method)) continue;
          try {
            const attempt = await c.make();
            if (attempt && c.method === 'publickey') state.tried.key = true;
            if (attempt) state.lastMethod = c.method;
            if (attempt) return callback(attempt);
          } catch (e) {
            if (e instanceof AuthCancelled) state.cancelled = e;
            return callback(false);
          }
        }
        callback(false);
      })();
    }) as unknown as AuthHandlerMiddleware,
  };
}

async function verifyHostKey(hop: HopTarget, key: Buffer, prompter: Prompter): Promise<void> {
  const verdict = checkHostKey(hop.knownHostsFiles, hop.host, hop.port, key);
  const fp = fingerprint(key);
  const where = knownHostName(hop.host, hop.port);
  switch (verdict.status) {
    case 'match':
      return;
    case 'revoked':
      throw new HostKeyError(`The host key of ${where} (${fp}) is marked @revoked in ${verdict.file}:${verdict.line}. Not connecting.`, 'rejected');
    case 'changed':
      throw new HostKeyError(
        `The host key of ${where} has CHANGED: it now presents ${keyType(key)} ${fp}, but ${verdict.file}:${verdict.line} records ${verdict.knownFingerprint}. ` +
          'Someone may be intercepting the connection, or the server was reinstalled. Not connecting. If your admins confirm the change, remove that line from known_hosts and connect again.',
        'changed',
      );
    case 'unknown': {
      const file = hop.knownHostsFiles[0];
      if (hop.strictHostKeyChecking === 'yes' || !file) {
        throw new HostKeyError(`${where} presents a host key that is not in known_hosts (${keyType(key)} ${fp}) and StrictHostKeyChecking is yes. Not connecting.`, 'unknown');
      }
      // known with another key type is not a first contact: OpenSSH warns, and so does this, under accept-new too
      const knownTypes = verdict.otherTypes;
      const silent = hop.strictHostKeyChecking === 'no' || (hop.strictHostKeyChecking === 'accept-new' && !knownTypes.length);
      const accepted = silent || (await prompter.confirmHostKey({ target: where, keyType: keyType(key), fingerprint: fp, knownHostsFile: file, ...(knownTypes.length ? { knownTypes } : {}) }));
      if (!accepted) throw new HostKeyError(`The host key of ${where} (${fp}) was not accepted. Not connecting.`, 'rejected');
      if (hop.strictHostKeyChecking !== 'no') appendKnownHost(file, hop.host, hop.port, key);
    }
  }
}

/** What the server refused, by name ("the answers to its prompts (Verification code, Password)"), and what to check. */
function refusedWhat(state: Pick<HopState, 'tried' | 'keyTaken'>, hop: HopTarget): string {
  // a key the server took as a first factor was not what it refused
  const tried = { ...state.tried, key: state.tried.key && !state.keyTaken };
  const parts = [...(tried.key ? ['the key'] : []), ...(tried.prompts.size ? [`the answers to its prompts (${[...tried.prompts].join(', ')})`] : []), ...(tried.password ? ['the password'] : [])];
  if (!parts.length) return 'the server refused every method tried (key, one-time code, password).';
  const keys = hop.identityFiles.length ? ` (${hop.identityFiles.join(', ')})` : '';
  const check = [
    ...(tried.key ? [`that the public key of your key${keys} is in ~/.ssh/authorized_keys of ${hop.user} on the cluster`] : []),
    ...(tried.prompts.size || tried.password ? ['what you typed'] : []),
  ];
  return `the server refused ${parts.join(' and ')}. Check ${check.join(', and ')}, then connect again.`;
}

function connectHop(hop: HopTarget, prompter: Prompter, sock?: NodeJS.ReadWriteStream): Promise<{ client: Client; interactive: boolean }> {
  return new Promise((resolve, reject) => {
    const state: HopState = { interactive: false, accepted: [], tried: { key: false, prompts: new Set(), password: false } };
    const client = new Client();
    let ready = false;
    state.abort = () => client.end();
    const networkTimer = setTimeout(() => fail(new Error(`no answer within ${NETWORK_TIMEOUT_MS / 1000} s`)), NETWORK_TIMEOUT_MS);
    state.reached = () => clearTimeout(networkTimer);
    const fail = (e: Error) => {
      clearTimeout(networkTimer);
      if (ready) return;
      ready = true;
      client.end();
      reject(state.cancelled ?? state.hostKey ?? (/authentication methods failed/i.test(e.message) ? new AuthFailed(targetKey(hop), refusedWhat(state, hop)) : new Error(`Could not connect to ${targetKey(hop)}: ${e.message}`)));
    };
    client.once('ready', () => {
      clearTimeout(networkTimer);
      ready = true;
      // a passphrase is kept (if the user wants it) only now: its key decrypted and the login succeeded
      if (state.offered) state.accepted.push(state.offered);
      for (const a of state.accepted) void prompter.passphraseAccepted?.({ target: targetKey(hop), ...a }).catch(() => undefined);
      client.removeListener('error', fail);
      client.removeListener('close', onClose);
      resolve({ client, interactive: state.interactive });
    });
    const onClose = () => fail(new Error('the server closed the connection'));
    client.once('error', fail);
    client.once('close', onClose);
    client.connect({ ...hopConfig(hop, prompter, state), ...(sock ? { sock: sock as never } : {}) });
    // Nagle's algorithm meeting delayed ACKs costs ~40 ms per command on a kept connection
    if (!sock) client.setNoDelay(true);
  });
}

/** An open connection: the target's client, reached through its jump hosts' clients. */
export class SshConnection implements ClusterRunner {
  readonly name: string;
  private closedError: Error | undefined;
  private closed = false;
  private readonly inFlight = new Set<(e: Error) => void>();
  private readonly closeListeners = new Set<(error?: Error) => void>();
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private readonly forwards = new Set<PortForward>();
  private login = false;
  /** What the login shell's startup files printed on stdout before a command (for SFTP's error). */
  private startupNoise: string | undefined;

  private constructor(
    readonly target: ClusterTarget,
    private readonly clients: Client[],
    /** The login asked a human (a one-time code): reconnecting would ask again. */
    readonly interactiveLogin: boolean,
  ) {
    this.name = targetKey(target);
    for (const c of clients) {
      c.on('error', (e: Error) => (this.closedError ??= e));
      c.on('close', () => this.onClosed());
    }
  }

  static async open(target: ClusterTarget, prompter: Prompter): Promise<SshConnection> {
    const clients: Client[] = [];
    let interactive = false;
    try {
      let sock: NodeJS.ReadWriteStream | undefined;
      const hops: HopTarget[] = [...target.jumps, target];
      for (let i = 0; i < hops.length; i++) {
        const hop = hops[i]!;
        if (i > 0) sock = await forwardOut(clients[i - 1]!, hop.host, hop.port);
        const { client, interactive: asked } = await connectHop(hop, prompter, sock);
        clients.push(client);
        interactive ||= asked;
      }
    } catch (e) {
      for (const c of clients.reverse()) c.end();
      throw e;
    }
    return new SshConnection(target, clients, interactive);
  }

  private get client(): Client {
    return this.clients[this.clients.length - 1]!;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients) c.end();
    const lost = new ConnectionLost(this.name);
    for (const fail of [...this.inFlight]) fail(lost);
    for (const f of [...this.forwards]) void f.close();
    for (const l of [...this.closeListeners]) l(this.closedError);
  }

  /**
   * Commands run as a login sh (/etc/profile.d read): a command was not found without it, as on
   * sites that put Slurm on PATH only for login shells. Once so, for the rest of the connection.
   */
  get usesLoginShell(): boolean {
    return this.login;
  }

  /**
   * Runs argv on the cluster; every argument is shell-quoted. What the login shell's startup files
   * print before the command is not its output. A command that sh cannot find (`exec: squeue: not
   * found`: nothing ran) runs again as a login sh, which reads /etc/profile and /etc/profile.d.
   */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (this.login) return this.run(argv, options, true);
    const plain = await this.attempt(argv, options, false);
    if (!plain.missing) return plain.settle();
    const login = await this.attempt(argv, options, true);
    if (!login.missing) {
      this.login = true;
      return login.settle();
    }
    if (login.error) {
      throw new CommandError(
        describeArgv(argv),
        login.error.exitCode,
        login.error.stderr,
        `${argv[0]} is not on PATH on ${this.name}, neither for commands over SSH nor in a login shell (/etc/profile, /etc/profile.d, ~/.profile). If it works in a terminal there, add its folder to PATH in ~/.bashrc (above the line that stops non-interactive shells) or ask the site where it is installed.`,
      );
    }
    return login.settle();
  }

  /** One run, settled: whether sh could not find the program (nothing ran), and its result or error. */
  private async attempt(argv: readonly string[], options: ExecOptions, login: boolean): Promise<{ missing: boolean; error?: CommandError; settle: () => ExecResult }> {
    try {
      const r = await this.run(argv, options, login);
      return { missing: notFound(argv, r.code, r.stderr), settle: () => r };
    } catch (e) {
      const missing = e instanceof CommandError && notFound(argv, e.exitCode, e.stderr);
      return {
        missing,
        ...(missing ? { error: e as CommandError } : {}),
        settle: () => {
          throw e;
        },
      };
    }
  }

  private run(argv: readonly string[], options: ExecOptions, login: boolean): Promise<ExecResult> {
    const command = remoteCommand(argv, { mark: true, login });
    const what = describeArgv(argv);
    if (this.closed) return Promise.reject(new ConnectionLost(this.name, what));
    const output = new CommandOutput(what, options);
    const out = new MarkedStream(OUTPUT_MARK);
    const err = new MarkedStream(OUTPUT_MARK);
    return new Promise<ExecResult>((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      let code: number | null = null;
      let signal: string | undefined;
      const finish = (e?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.inFlight.delete(onLost);
        if (e) {
          channel?.close();
          return reject(e);
        }
        // the program never started (the login shell failed): what came is the output
        const rest = out.rest();
        if (rest.length) output.stdout(rest);
        const restErr = err.rest();
        if (restErr.length) output.stderr(restErr);
        if (out.noise) this.startupNoise ??= out.noise;
        try {
          resolve(output.result(code, signal));
        } catch (ce) {
          reject(ce);
        }
      };
      const onLost = () => finish(new ConnectionLost(this.name, what));
      const onAbort = () => {
        channel?.signal('TERM');
        finish(output.cancelled());
      };
      this.inFlight.add(onLost);
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort);
      if (options.timeoutMs) {
        timer = setTimeout(() => {
          channel?.signal('KILL');
          finish(output.timedOut());
        }, options.timeoutMs);
      }
      this.client.exec(command, (e, ch) => {
        if (e) return finish(new Error(`Could not start ${what} on ${this.name}: ${e.message}`));
        channel = ch;
        if (settled) return ch.close();
        ch.on('data', (d: Buffer) => {
          const part = out.take(d);
          if (!part.length) return;
          const overflow = output.stdout(part);
          if (overflow) finish(overflow);
        });
        ch.stderr.on('data', (d: Buffer) => {
          const part = err.take(d);
          if (part.length) output.stderr(part);
        });
        ch.on('exit', (c: number | null, sig?: string) => {
          code = c;
          if (sig) signal = sig;
        });
        ch.on('close', () => finish());
        ch.on('error', (ce: Error) => finish(ce));
        if (options.stdin !== undefined) ch.end(options.stdin);
        else ch.end();
      });
    });
  }

  /** An interactive command on a pseudo-terminal (a job shell): the caller owns the channel. */
  pty(argv: readonly string[], size: { cols: number; rows: number }): Promise<ClientChannel> {
    if (this.closed) return Promise.reject(new ConnectionLost(this.name, describeArgv(argv)));
    return new Promise((resolve, reject) => {
      this.client.exec(remoteCommand(argv, { login: this.login }), { pty: { term: 'xterm-256color', cols: size.cols, rows: size.rows } }, (e, ch) => (e ? reject(new Error(`Could not start ${describeArgv(argv)} on ${this.name}: ${e.message}`)) : resolve(ch)));
    });
  }

  sftp(): Promise<SFTPWrapper> {
    if (this.closed) return Promise.reject(new ConnectionLost(this.name, 'SFTP'));
    if (this.sftpSession) return this.sftpSession;
    const session = new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((e, s) => {
        if (e) {
          if (this.sftpSession === session) this.sftpSession = undefined;
          return void this.sftpFailure(e).then(reject, reject);
        }
        s.on('close', () => {
          if (this.sftpSession === session) this.sftpSession = undefined;
        });
        resolve(s);
      });
    });
    this.sftpSession = session;
    return session;
  }

  /**
   * Why SFTP did not start. The classic cause: sshd starts the sftp-server program through the
   * login shell, and a startup file that prints text (a ~/.bashrc without its guard for
   * non-interactive shells) puts that text where the SFTP protocol expects its first packet;
   * ssh2 then reads the text as a packet length ("Packet length 1466264675 exceeds max length").
   */
  private async sftpFailure(e: Error): Promise<Error> {
    if (!/packet length|unexpected SFTP session termination|bad packet/i.test(e.message)) return new Error(`SFTP is not available on ${this.name}: ${e.message}`);
    if (this.startupNoise === undefined) await this.run(['true'], { allowNonZero: true, timeoutMs: SFTP_TIMEOUT_MS }, this.login).catch(() => undefined);
    const noise = (this.startupNoise ?? '').trim().split('\n')[0]!.slice(0, 80);
    if (!noise) return new Error(`SFTP is not available on ${this.name}: the server sent something that is not SFTP (${e.message}). A startup file of your login shell on the cluster may print text; SFTP needs non-interactive shells silent.`);
    return new Error(
      `SFTP does not work on ${this.name}: your login shell prints text in non-interactive shells ("${noise}"), and SFTP needs them silent. ` +
        'Guard that line of ~/.bashrc so that it runs only in interactive shells: put `[[ $- == *i* ]] || return` above it (tcsh: `if ( ! $?prompt ) exit` in ~/.cshrc; fish: `status is-interactive; or return` in config.fish).',
    );
  }

  /**
   * One SFTP operation within a deadline. One that does not answer fails with an error naming
   * it; its SFTP session (stuck behind it: the server answers in order) is closed and the next
   * operation opens another, on the same connection.
   */
  private async sftpOp<T>(what: string, path: string, timeoutMs: number, op: (s: SFTPWrapper) => Promise<T>): Promise<T> {
    const pending = this.sftp();
    const work = pending.then(op);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        if (this.sftpSession === pending) this.sftpSession = undefined;
        void pending.then((s) => s.end(), () => undefined);
        reject(new Error(`SFTP ${what} of ${path} on ${this.name} did not answer within ${Math.round(timeoutMs / 1000)} s (the file system may hang there); the connection is kept.`));
      }, timeoutMs);
    });
    work.catch(() => undefined); // settled after the deadline won: nobody waits for it
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  stat(path: string, options: { timeoutMs?: number } = {}): Promise<Stats> {
    return this.sftpOp('stat', path, options.timeoutMs ?? SFTP_TIMEOUT_MS, (s) => new Promise((resolve, reject) => s.stat(path, (e, st) => (e ? reject(new Error(`${path} on ${this.name}: ${e.message}`)) : resolve(st)))));
  }

  /** Reads `length` bytes at `start` of a remote file (fewer at its end). */
  readRange(path: string, start: number, length: number, options: { timeoutMs?: number } = {}): Promise<Buffer> {
    return this.sftpOp('read', path, options.timeoutMs ?? SFTP_TIMEOUT_MS, (s) => this.readWith(s, path, start, length));
  }

  private async readWith(s: SFTPWrapper, path: string, start: number, length: number): Promise<Buffer> {
    const handle = await new Promise<Buffer>((resolve, reject) => s.open(path, 'r', (e, h) => (e ? reject(new Error(`${path} on ${this.name}: ${e.message}`)) : resolve(h))));
    try {
      const out: Buffer[] = [];
      let read = 0;
      while (read < length) {
        const want = Math.min(length - read, 256 * 1024);
        const buf = Buffer.alloc(want);
        const n = await new Promise<number>((resolve, reject) => s.read(handle, buf, 0, want, start + read, (e, bytes) => (e ? reject(e) : resolve(bytes))));
        if (n <= 0) break;
        out.push(buf.subarray(0, n));
        read += n;
      }
      return Buffer.concat(out);
    } finally {
      s.close(handle, () => undefined);
    }
  }

  /** A local port (on 127.0.0.1) that reaches remoteHost:remotePort from the cluster's side. */
  forwardLocal(remoteHost: string, remotePort: number, localPort = 0): Promise<PortForward> {
    if (this.closed) return Promise.reject(new ConnectionLost(this.name, 'a port forward'));
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.setNoDelay(true);
      this.client.forwardOut('127.0.0.1', socket.remotePort ?? 0, remoteHost, remotePort, (e, stream) => {
        if (e) {
          socket.destroy();
          return;
        }
        socket.pipe(stream).pipe(socket);
        stream.on('error', () => socket.destroy());
        socket.on('error', () => stream.close());
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(Object.assign(new Error(e.code === 'EADDRINUSE' ? `Local port ${localPort} is in use; choose another or 0 for any` : e.message), { code: e.code })));
      server.listen(localPort, '127.0.0.1', () => {
        const forward: PortForward = {
          localPort: (server.address() as AddressInfo).port,
          remoteHost,
          remotePort,
          close: () =>
            new Promise<void>((done) => {
              this.forwards.delete(forward);
              for (const s of sockets) s.destroy();
              server.close(() => done());
            }),
        };
        this.forwards.add(forward);
        resolve(forward);
      });
    });
  }

  activeForwards(): PortForward[] {
    return [...this.forwards];
  }

  end(): void {
    for (const c of [...this.clients].reverse()) c.end();
    this.onClosed();
  }
}

function forwardOut(client: Client, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (e, stream) => (e ? reject(new Error(`The jump host could not reach ${host}:${port}: ${e.message}`)) : resolve(stream)));
  });
}
