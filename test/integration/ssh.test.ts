import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStream, type StreamUpdate } from '../../common/logs/stream';
import { SshConnection } from '../../extension/src/ssh/connection';
import { AuthCancelled, AuthFailed, CommandError, ConnectionLost, HostKeyError } from '../../extension/src/ssh/errors';
import { appendKnownHost } from '../../extension/src/ssh/knownHosts';
import { JobActions } from '../../extension/src/jobs/jobActions';
import { LocalRunner } from '../../extension/src/ssh/local';
import { SessionManager } from '../../extension/src/ssh/sessions';
import { SshConfigFile } from '../../extension/src/ssh/sshConfig';
import type { PromptField } from '../../extension/src/ssh/types';
import { dropSshSessions, requireLab, type LabFacts } from '../support/lab';
import { hostileArgs } from '../support/hostileArgs';
import { endAfterEach, freshKnownHosts, labTarget } from '../support/labTargets';
import { ScriptedPrompter } from '../support/prompter';
import { totp } from '../support/totp';
import { httpGet } from '../support/http';
import { waitFor } from '../support/wait';

function keyBlob(pubFile: string): Buffer {
  return Buffer.from(readFileSync(pubFile, 'utf8').split(/\s+/)[1]!, 'base64');
}

describe('SSH sessions against the lab', function () {
  this.timeout(60_000);
  let lab: LabFacts;
  const track = endAfterEach();

  before(function () {
    lab = requireLab(this);
  });

  it('logs in with a key and runs argv', async () => {
    const p = new ScriptedPrompter();
    const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), p));
    assert.equal((await c.exec(['id', '-un'])).stdout.toString().trim(), lab.user);
    assert.equal(c.interactiveLogin, false);
    assert.deepEqual(p.asked, [], 'nothing asked');
  });

  it('logs in with a key held by ssh-agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpc-geo-agent-'));
    const sock = join(dir, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
    const pid = /SSH_AGENT_PID=(\d+)/.exec(out)![1]!;
    try {
      execFileSync('ssh-add', [lab.keys.private], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const p = new ScriptedPrompter();
      const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab), { identityFiles: [], identitiesOnly: false, agent: sock }), p));
      assert.equal((await c.exec(['id', '-un'])).stdout.toString().trim(), lab.user);
      assert.deepEqual(p.asked, []);
    } finally {
      process.kill(Number(pid));
    }
  });

  it('asks for the passphrase of an encrypted key, again when it is wrong, and stops when cancelled', async () => {
    const p = new ScriptedPrompter();
    p.passphrases = ['wrong passphrase', lab.keys.passphrase];
    const target = labTarget(lab, 'ssh', freshKnownHosts(lab), { identityFiles: [lab.keys.encrypted] });
    const c = track(await SshConnection.open(target, p));
    assert.equal((await c.exec(['echo', 'ok'])).stdout.toString(), 'ok\n');
    assert.deepEqual(p.asked, ['passphrase', 'passphrase (retry)']);
    const cancel = new ScriptedPrompter();
    cancel.passphrases = [undefined];
    await assert.rejects(SshConnection.open(target, cancel), (e: Error) => e instanceof AuthCancelled && /passphrase/.test(e.message));
  });

  it('passes a one-time code through keyboard-interactive, with the server\'s prompt', async () => {
    const p = new ScriptedPrompter();
    p.codes = [(prompts) => prompts.map(() => totp(lab.totp.secret))];
    const c = track(await SshConnection.open(labTarget(lab, 'totp', freshKnownHosts(lab)), p));
    assert.deepEqual(p.seenPrompts, [{ prompt: 'Verification code: ', echo: false }]);
    assert.equal(c.interactiveLogin, true);
    assert.equal((await c.exec(['id', '-un'])).stdout.toString().trim(), lab.user);
  });

  it('refuses a wrong one-time code, and ends cleanly when the code prompt is cancelled', async () => {
    const valid = new Set([-1, 0, 1].map((s) => totp(lab.totp.secret, Date.now(), s)));
    let wrong = 0;
    while (valid.has(String(wrong).padStart(6, '0'))) wrong++;
    const p = new ScriptedPrompter();
    const wrongCode = (prompts: PromptField[]) => prompts.map(() => String(wrong).padStart(6, '0'));
    p.codes = [wrongCode, wrongCode, wrongCode];
    // the key was taken as the first factor: the message names the codes, not the key (issue 10)
    await assert.rejects(SshConnection.open(labTarget(lab, 'totp', freshKnownHosts(lab)), p), (e: Error) => e instanceof AuthFailed && /refused the answers to its prompts \(Verification code\)\. Check what you typed/.test(e.message) && !/the key|authorized_keys/.test(e.message));
    assert.deepEqual(p.asked.filter((a) => a.startsWith('keyboard-interactive')), ['keyboard-interactive "Verification code: "', 'keyboard-interactive (retry) "Verification code: "', 'keyboard-interactive (retry) "Verification code: "'], 'asked three times, as OpenSSH does, then refused');
    const cancel = new ScriptedPrompter();
    cancel.codes = [() => undefined];
    await assert.rejects(SshConnection.open(labTarget(lab, 'totp', freshKnownHosts(lab)), cancel), (e: Error) => e instanceof AuthCancelled && /Verification code/.test(e.message));
  });

  it('asks again after a wrong one-time code, saying so, and logs in with the right one (issue 10 item 13)', async () => {
    const valid = new Set([-1, 0, 1].map((s) => totp(lab.totp.secret, Date.now(), s)));
    let wrong = 0;
    while (valid.has(String(wrong).padStart(6, '0'))) wrong++;
    const p = new ScriptedPrompter();
    p.codes = [(prompts) => prompts.map(() => String(wrong).padStart(6, '0')), (prompts) => prompts.map(() => totp(lab.totp.secret))];
    const c = track(await SshConnection.open(labTarget(lab, 'totp', freshKnownHosts(lab)), p));
    assert.deepEqual(p.asked.filter((a) => a.startsWith('keyboard-interactive')), ['keyboard-interactive "Verification code: "', 'keyboard-interactive (retry) "Verification code: "']);
    assert.equal((await c.exec(['id', '-un'])).stdout.toString().trim(), lab.user);
  });

  it('asks about an unknown host key with its SHA256 fingerprint, and records it when accepted', async () => {
    const kh = freshKnownHosts();
    const p = new ScriptedPrompter();
    const c = track(await SshConnection.open(labTarget(lab, 'ssh', kh), p));
    const expected = execFileSync('ssh-keygen', ['-lf', lab.ssh.hostKey], { encoding: 'utf8' }).split(' ')[1];
    assert.deepEqual(p.asked, [`hostKey [127.0.0.1]:${lab.ssh.port} ssh-ed25519 ${expected}`]);
    c.end();
    assert.match(readFileSync(kh, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${lab.ssh.port} ssh-ed25519 AAAA`));
    const again = new ScriptedPrompter();
    track(await SshConnection.open(labTarget(lab, 'ssh', kh), again));
    assert.deepEqual(again.asked, [], 'known now: no question');
  });

  it('refuses an unknown host key that is not accepted, and records nothing', async () => {
    const kh = freshKnownHosts();
    const p = new ScriptedPrompter();
    p.hostKeyAnswer = false;
    await assert.rejects(SshConnection.open(labTarget(lab, 'ssh', kh), p), (e: Error) => e instanceof HostKeyError && e.kind === 'rejected');
    assert.ok(!existsSync(kh) || readFileSync(kh, 'utf8') === '');
  });

  it('refuses a changed host key without asking, and says what changed', async () => {
    const kh = freshKnownHosts();
    appendKnownHost(kh, lab.host, lab.ssh.port, keyBlob(lab.totp.hostKey)); // another server's key under this name
    const p = new ScriptedPrompter();
    await assert.rejects(SshConnection.open(labTarget(lab, 'ssh', kh), p), (e: Error) => e instanceof HostKeyError && e.kind === 'changed' && /CHANGED/.test(e.message) && /SHA256:/.test(e.message));
    assert.deepEqual(p.asked, []);
  });

  it('warns when the host is known with another key type, and never adds the new one silently under accept-new', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpc-geo-ecdsa-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', join(dir, 'other')]);
    const kh = join(dir, 'known_hosts');
    appendKnownHost(kh, lab.host, lab.ssh.port, keyBlob(join(dir, 'other.pub'))); // only an ECDSA key known; the lab offers ED25519
    const before = readFileSync(kh, 'utf8');
    const expected = execFileSync('ssh-keygen', ['-lf', lab.ssh.hostKey], { encoding: 'utf8' }).split(' ')[1];
    const refuse = new ScriptedPrompter();
    refuse.hostKeyAnswer = false;
    await assert.rejects(SshConnection.open(labTarget(lab, 'ssh', kh, { strictHostKeyChecking: 'accept-new' }), refuse), (e: Error) => e instanceof HostKeyError && e.kind === 'rejected');
    assert.deepEqual(refuse.asked, [`hostKey [127.0.0.1]:${lab.ssh.port} ssh-ed25519 ${expected} (known with ecdsa-sha2-nistp256)`], 'asked, naming the known type');
    assert.equal(readFileSync(kh, 'utf8'), before, 'nothing added');
    const accept = new ScriptedPrompter();
    track(await SshConnection.open(labTarget(lab, 'ssh', kh), accept));
    assert.deepEqual(accept.asked, [`hostKey [127.0.0.1]:${lab.ssh.port} ssh-ed25519 ${expected} (known with ecdsa-sha2-nistp256)`]);
    assert.match(readFileSync(kh, 'utf8'), / ssh-ed25519 AAAA/, 'recorded once accepted');
  });

  it('trusts a hashed known_hosts entry', async () => {
    const kh = freshKnownHosts();
    appendKnownHost(kh, lab.host, lab.ssh.port, keyBlob(lab.ssh.hostKey), true);
    assert.match(readFileSync(kh, 'utf8'), /^\|1\|/);
    const p = new ScriptedPrompter();
    track(await SshConnection.open(labTarget(lab, 'ssh', kh), p));
    assert.deepEqual(p.asked, []);
  });

  it('jumps through the one-time-code sshd to the key-only one (ProxyJump from ~/.ssh/config)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hpc-geo-home-'));
    mkdirSync(join(home, '.ssh'));
    copyFileSync(lab.knownHosts, join(home, '.ssh', 'known_hosts'));
    writeFileSync(join(home, '.ssh', 'config'), `Host lab-jump\n  HostName 127.0.0.1\n  Port ${lab.totp.port}\n  User ${lab.user}\n  IdentityFile ${lab.keys.private}\n  IdentitiesOnly yes\nInclude conf.d/*.conf\n`);
    mkdirSync(join(home, '.ssh', 'conf.d'));
    // the target talks to "localhost" from the jump host's side, so its key is recorded under that name
    writeFileSync(join(home, '.ssh', 'conf.d', 'lab.conf'), `Host lab-behind\n  HostName localhost\n  Port ${lab.ssh.port}\n  User ${lab.user}\n  IdentityFile ${lab.keys.private}\n  IdentitiesOnly yes\n  ProxyJump lab-jump\n`);
    appendKnownHost(join(home, '.ssh', 'known_hosts'), 'localhost', lab.ssh.port, keyBlob(lab.ssh.hostKey));
    const config = SshConfigFile.read(undefined, { home, localUser: 'nobody' });
    assert.deepEqual(config.aliases(), ['lab-jump', 'lab-behind']);
    const target = config.target('lab-behind');
    assert.deepEqual(target.jumps.map((j) => `${j.alias} ${j.host}:${j.port}`), [`lab-jump 127.0.0.1:${lab.totp.port}`]);
    const p = new ScriptedPrompter();
    p.codes = [(prompts) => prompts.map(() => totp(lab.totp.secret))];
    const c = track(await SshConnection.open(target, p));
    assert.deepEqual(p.asked, ['keyboard-interactive "Verification code: "'], 'each hop authenticates on its own');
    assert.equal((await c.exec(['sh', '-c', 'echo "$SSH_CONNECTION"'])).stdout.toString().split(' ')[2], '127.0.0.1', 'arrived through the jump host');
    assert.equal(c.interactiveLogin, true);
  });

  it('round-trips 1,000 hostile arguments byte-exactly and executes none of them', async () => {
    const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
    const canary = `/tmp/hpc-geo-canary-${process.pid}`;
    const pieces = ["'", '"', '\\', '$', '`', ';', '|', '&', '&&', '>', '<', '(', ')', '{', '}', '*', '?', '[', ']', '~', '#', '!', '\n', '\t', ' ', '%', 'é', '日本', '🌍', '\r', `$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, "'$(touch x)'", '--', '-n', ''];
    const args = Array.from({ length: 1000 }, (_, i) => `${i}:${pieces[i % pieces.length]}${pieces[(i * 7) % pieces.length]}${pieces[(i * 13) % pieces.length]}`);
    const r = await c.exec(['printf', '%s\\0', ...args]);
    const back = r.stdout.toString('utf8').split('\0').slice(0, -1);
    assert.equal(back.length, args.length);
    assert.deepEqual(back, args);
    assert.equal((await c.exec(['test', '-e', canary], { allowNonZero: true })).code, 1, 'nothing was executed');
  });

  for (const shell of ['bash', 'tcsh', 'fish'] as const) {
    it(`round-trips 1,000 hostile arguments byte-exactly for a user whose login shell is ${shell}, and executes none`, async () => {
      const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab), { user: lab.shellUsers[shell] }), new ScriptedPrompter()));
      const canary = `hpc-geo-canary-${shell}-${process.pid}`; // relative: in the user's home
      await c.exec(['rm', '-f', canary]);
      const args = hostileArgs(1000, canary);
      const back = (await c.exec(['printf', '%s\\0', ...args])).stdout.toString('utf8').split('\0').slice(0, -1);
      assert.equal(back.length, args.length);
      for (let i = 0; i < args.length; i++) assert.equal(back[i], args[i], `argument ${i}`);
      assert.equal((await c.exec(['test', '-e', canary], { allowNonZero: true })).code, 1, 'nothing was executed');
      // a pseudo-terminal command (the job shell) goes through the same wrapper
      const fishEscape = args.find((a) => a.includes("\\'; touch"))!;
      const ch = await c.pty(['printf', '%s', fishEscape], { cols: 80, rows: 24 });
      const out: Buffer[] = [];
      await new Promise<void>((resolve) => ch.on('data', (d: Buffer) => out.push(d)).on('close', () => resolve()));
      assert.equal(Buffer.concat(out).toString('utf8'), fishEscape.replace(/\n/g, '\r\n'));
      assert.equal((await c.exec(['test', '-e', canary], { allowNonZero: true })).code, 1, 'nothing was executed');
    });
  }

  it('streams a 100,000-line output without buffering it', async () => {
    const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
    // as the log tail streams: exec's onStdout into a LogStream, one chunk at a time
    const stream = new LogStream();
    let n = 0;
    let last = '';
    const take = (u: StreamUpdate) => {
      n += u.lines.length;
      if (u.lines.length) last = u.lines.at(-1)!.text;
    };
    const r = await c.exec(['seq', '1', '100000'], { onStdout: (chunk) => take(stream.push(chunk)) });
    take(stream.end());
    assert.equal(n, 100_000);
    assert.equal(last, '100000');
    assert.equal(r.stdout.length, 0, 'nothing kept in memory');
  });

  it('reports exit codes and stderr, timeouts and cancellation', async () => {
    const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
    await assert.rejects(c.exec(['scontrol', 'show', 'job', '999999999']), (e: Error) => e instanceof CommandError && e.exitCode === 1 && /Invalid job id/i.test(e.message));
    await assert.rejects(c.exec(['sleep', '10'], { timeoutMs: 300 }), /did not finish within/);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(c.exec(['sleep', '10'], { signal: ac.signal }), /cancelled/);
    assert.equal((await c.exec(['echo', 'still usable'])).stdout.toString(), 'still usable\n');
  });

  it('stats and reads byte ranges over SFTP', async () => {
    const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
    const file = `${lab.home}/sftp-range-${process.pid}.txt`;
    await c.exec(['sh', '-c', 'seq 1 10000 > "$1"', 'sh', file]);
    const st = await c.stat(file);
    const expected = Array.from({ length: 10000 }, (_, i) => `${i + 1}\n`).join('');
    assert.equal(st.size, expected.length);
    assert.equal((await c.readRange(file, st.size - 11, 11)).toString(), '9999\n10000\n');
    assert.equal((await c.readRange(file, 0, 4)).toString(), '1\n2\n');
    assert.equal((await c.readRange(file, st.size - 3, 100)).toString(), '00\n', 'short read at the end');
    await c.exec(['rm', '-f', file]);
    await assert.rejects(c.stat('/no/such/file'), /no such file/i);
  });

  it('forwards a local port to a server on the cluster side', async () => {
    const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
    const port = 18000 + (process.pid % 1000);
    const server = `require('http').createServer((q,s)=>s.end('hello from the lab '+q.url)).listen(${port},'127.0.0.1')`;
    const pid = (await c.exec(['sh', '-c', 'nohup node -e "$1" >/dev/null 2>&1 & echo $!', 'sh', server])).stdout.toString().trim();
    try {
      const fwd = await c.forwardLocal('127.0.0.1', port);
      assert.ok(fwd.localPort > 0);
      const body = await waitFor('the HTTP server behind the forward', async () => httpGet(fwd.localPort, '/hello').catch(() => undefined), 10_000, 100);
      assert.equal(body, 'hello from the lab /hello');
      assert.deepEqual(c.activeForwards().map((f) => f.remotePort), [port]);
      await fwd.close();
      await assert.rejects(httpGet(fwd.localPort, '/hello'));
    } finally {
      await c.exec(['kill', pid], { allowNonZero: true });
    }
  });

  it('runs the same commands on this machine for the local cluster, without a shell', async () => {
    const local = new LocalRunner();
    const args = ['$(id)', "a'b", '; echo pwned', '\n', 'é'];
    const r = await local.exec(['printf', '%s\\0', ...args]);
    assert.deepEqual(r.stdout.toString().split('\0').slice(0, -1), args);
    const q = await local.exec(['squeue', '-h', '-o', '%i'], { allowNonZero: false });
    assert.equal(q.code, 0, 'the lab\'s Slurm answers here too');
    await assert.rejects(local.exec(['scontrol', 'show', 'job', '999999999']), (e: Error) => e instanceof CommandError && e.exitCode === 1);
    await assert.rejects(local.exec(['no-such-program-hpcgeo']), /not installed here/);
    await assert.rejects(local.exec(['sleep', '5'], { timeoutMs: 200 }), /did not finish/);
  });

  describe('one shared connection per cluster', () => {
    it('shares one connect attempt between concurrent callers', async () => {
      let opened = 0;
      const m = new SessionManager(new ScriptedPrompter(), { open: (t, p) => (opened++, SshConnection.open(t, p)) });
      const target = labTarget(lab, 'ssh', freshKnownHosts(lab));
      const conns = await Promise.all(Array.from({ length: 5 }, () => m.get(target)));
      assert.equal(opened, 1);
      assert.ok(conns.every((x) => x === conns[0]));
      assert.equal(m.status(`${lab.user}@${lab.host}:${lab.ssh.port}`).state, 'connected');
      m.dispose();
    });

    it('fails a command cut off by a dropped connection with a clear error, then reconnects by itself', async () => {
      const m = new SessionManager(new ScriptedPrompter(), { backoffMs: [200, 400, 800, 1600], open: (t, p) => SshConnection.open(t, p) });
      const target = labTarget(lab, 'ssh', freshKnownHosts(lab));
      const key = `${lab.user}@${lab.host}:${lab.ssh.port}`;
      const states: string[] = [];
      m.on('state', (s: { state: string }) => states.push(s.state));
      const c = await m.get(target);
      const running = c.exec(['sleep', '30']);
      await new Promise((r) => setTimeout(r, 300));
      dropSshSessions(lab);
      await assert.rejects(running, (e: Error) => e instanceof ConnectionLost && /lost while running `sleep 30`/.test(e.message));
      await waitFor('the reconnect', async () => (m.status(key).state === 'connected' ? true : undefined), 20_000, 100);
      const again = await m.get(target);
      assert.notEqual(again, c);
      assert.equal((await again.exec(['echo', 'back'])).stdout.toString(), 'back\n');
      assert.ok(states.includes('reconnecting'));
      m.dispose();
    });

    it('does not reconnect a one-time-code login on its own', async () => {
      const p = new ScriptedPrompter();
      p.codes = [(prompts) => prompts.map(() => totp(lab.totp.secret))];
      const m = new SessionManager(p, { backoffMs: [100, 100, 100], open: (t, pr) => SshConnection.open(t, pr) });
      const target = labTarget(lab, 'totp', freshKnownHosts(lab));
      const key = `${lab.user}@${lab.host}:${lab.totp.port}`;
      await m.get(target, { user: true });
      dropSshSessions(lab);
      await waitFor('needs-user', async () => (m.status(key).state === 'needs-user' ? true : undefined), 10_000, 50);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(p.asked.filter((a) => a.startsWith('keyboard-interactive')).length, 1, 'no second code asked on its own');
      await assert.rejects(m.get(target), /one-time code/);
      p.codes = [(prompts) => prompts.map(() => totp(lab.totp.secret))];
      const c = await m.get(target, { user: true });
      assert.equal((await c.exec(['true'])).code, 0);
      m.dispose();
    });
  });

  describe('after a person disconnects, and in the background (issue 10 item 1)', () => {
    it('opens no login after a disconnect until the person connects again', async () => {
      let opened = 0;
      const p = new ScriptedPrompter();
      const m = new SessionManager(p, { backoffMs: [50, 50], open: (t, pr) => (opened++, SshConnection.open(t, pr)) });
      const target = labTarget(lab, 'ssh', freshKnownHosts(lab));
      const key = `${lab.user}@${lab.host}:${lab.ssh.port}`;
      await m.get(target, { user: true });
      m.disconnect(key);
      await assert.rejects(m.get(target), (e: Error) => e.name === 'NotConnected' && /you disconnected/.test(e.message));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(opened, 1, 'no second login on its own');
      assert.equal(m.status(key).state, 'disconnected');
      const again = await m.get(target, { user: true });
      assert.equal((await again.exec(['true'])).code, 0);
      assert.equal(opened, 2);
      m.dispose();
    });

    it('ends a login that a person disconnected while it was under way (the status bar menu\'s "stop trying")', async () => {
      const m = new SessionManager(new ScriptedPrompter(), { open: (t, pr) => SshConnection.open(t, pr) });
      const key = `${lab.user}@${lab.host}:${lab.ssh.port}`;
      const login = m.get(labTarget(lab, 'ssh', freshKnownHosts(lab)), { user: true });
      assert.equal(m.status(key).state, 'connecting');
      m.disconnect(key);
      await assert.rejects(login, (e: Error) => e.name === 'NotConnected' && /disconnected while it was connecting/.test(e.message));
      assert.equal(m.status(key).state, 'disconnected', 'not connected behind the person\'s back');
      m.dispose();
    });

    it('never asks a person anything in a login nobody asked for: it waits for them instead', async () => {
      const p = new ScriptedPrompter();
      p.passphrases = [lab.keys.passphrase];
      p.codes = [(prompts) => prompts.map(() => totp(lab.totp.secret))];
      const m = new SessionManager(p, { open: (t, pr) => SshConnection.open(t, pr) });
      const encrypted = labTarget(lab, 'ssh', freshKnownHosts(lab), { identityFiles: [lab.keys.encrypted], identitiesOnly: true, agent: undefined });
      await assert.rejects(m.get(encrypted), (e: Error) => e.name === 'AuthCancelled');
      assert.equal(m.status(`${lab.user}@${lab.host}:${lab.ssh.port}`).state, 'needs-user');
      assert.match(m.status(`${lab.user}@${lab.host}:${lab.ssh.port}`).reason ?? '', /needs you/);
      await assert.rejects(m.get(labTarget(lab, 'totp', freshKnownHosts(lab))));
      assert.deepEqual(p.asked, [], 'no prompt shown');
      m.dispose();
    });
  });

  describe('nothing hangs, nothing is stored unchecked (issue 15)', () => {
    it('stores a remembered passphrase only once the key decrypted and the login succeeded (a wrong third try is not kept)', async () => {
      // the product's VS Code prompter, on a stand-in for VS Code's input box and secret storage
      const answers: (string | undefined)[] = [];
      const stored = new Map<string, string>();
      const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
      const original = Module._load;
      Module._load = function (request: string, ...rest: unknown[]) {
        return request === 'vscode' ? { window: { showInputBox: async () => answers.shift(), showWarningMessage: async () => undefined } } : original.call(this, request, ...rest);
      };
      // loaded afresh on this stand-in: an earlier suite (the command table's) loads it on the vscode stub
      const prompterModule = require.resolve('../../extension/src/clusters/vscodePrompter');
      delete require.cache[prompterModule];
      try {
        const { VsCodePrompter } = require('../../extension/src/clusters/vscodePrompter') as typeof import('../../extension/src/clusters/vscodePrompter');
        const secrets = { get: async (k: string) => stored.get(k), store: async (k: string, v: string) => void stored.set(k, v), delete: async (k: string) => void stored.delete(k) };
        const prompter = new VsCodePrompter(secrets as never, () => true);
        const target = labTarget(lab, 'ssh', freshKnownHosts(lab), { identityFiles: [lab.keys.encrypted] });
        answers.push('wrong 1', 'wrong 2', 'wrong 3');
        await assert.rejects(SshConnection.open(target, prompter));
        assert.deepEqual([...stored.values()], [], 'no wrong passphrase kept');
        answers.push('wrong again', lab.keys.passphrase);
        const c = track(await SshConnection.open(target, prompter));
        assert.deepEqual([...stored.values()], [lab.keys.passphrase], 'the right one, after the login');
        c.end();
        track(await SshConnection.open(target, prompter));
        assert.deepEqual(answers, [], 'the stored passphrase was used');
      } finally {
        Module._load = original;
        delete require.cache[prompterModule];
      }
    });

    it('creates a workDir of ~/... under the remote home, not in a folder named ~', async () => {
      const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
      const actions = new JobActions(c, lab.user);
      const dir = `hpc-geo-tilde-${process.pid}`;
      await c.exec(['rm', '-rf', `${lab.home}/~`, `${lab.home}/${dir}`]);
      assert.equal(await actions.upload(`~/${dir}`, 'a.sbatch', '#!/bin/bash\n'), `${lab.home}/${dir}/a.sbatch`);
      assert.equal(await actions.upload('~', 'b.sbatch', '#!/bin/bash\n'), `${lab.home}/b.sbatch`);
      assert.equal((await c.exec(['test', '-e', `${lab.home}/~`], { allowNonZero: true })).code, 1, 'no folder named ~');
      await c.exec(['rm', '-rf', `${lab.home}/${dir}`, `${lab.home}/b.sbatch`]);
    });

    it('resolves a relative log path of a job whose work dir is not known against the home, never against /', async () => {
      const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
      const actions = new JobActions(c, lab.user);
      const job = { jobId: '999999998', name: 'gone', state: 'COMPLETED', rawState: 'COMPLETED', source: 'sacct' } as const;
      assert.deepEqual(await actions.logPaths(job), { stdout: `${lab.home}/slurm-999999998.out` });
      assert.deepEqual(await actions.logPaths({ ...job, workDir: 'runs/a' }), { stdout: `${lab.home}/runs/a/slurm-999999998.out` });
      assert.deepEqual(await actions.logPaths({ ...job, workDir: '/data/x/' }), { stdout: '/data/x/slurm-999999998.out' });
    });

    it('times out a job action that does not answer, with a clear error', async function () {
      this.timeout(20_000); // a hang guard: the action is given 1 s
      const bin = mkdtempSync(join(tmpdir(), 'hpc-geo-hung-'));
      writeFileSync(join(bin, 'scancel'), '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 }); // a slurmctld that never answers
      const path = process.env.PATH;
      process.env.PATH = `${bin}:${path}`;
      try {
        const actions = new JobActions(new LocalRunner(), lab.user, { timeoutMs: 1000 });
        await assert.rejects(actions.cancel(['1']), (e: Error) => e instanceof CommandError && /`scancel [^`]*1` did not finish within 1 s/.test(e.message));
      } finally {
        process.env.PATH = path;
      }
    });

    it('times out an SFTP read or stat that does not answer, names it, and keeps the connection', async function () {
      this.timeout(20_000); // a hang guard: each call is given 1 s
      const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
      const fifo = `${lab.home}/hpc-geo-fifo-${process.pid}`;
      await c.exec(['sh', '-c', 'rm -f "$1" && mkfifo "$1"', 'sh', fifo]); // opening it blocks the SFTP server, as a hung NFS mount does
      try {
        const hung = c.readRange(fifo, 0, 10, { timeoutMs: 60_000 });
        hung.catch(() => undefined);
        await assert.rejects(c.stat(`${lab.home}/.ssh`, { timeoutMs: 1000 }), /SFTP stat of .*\.ssh on .* did not answer within 1 s/);
        await assert.rejects(c.readRange(fifo, 0, 10, { timeoutMs: 1000 }), /SFTP read of .*hpc-geo-fifo.* did not answer within 1 s/);
        assert.equal((await c.exec(['echo', 'still connected'])).stdout.toString(), 'still connected\n');
      } finally {
        await c.exec(['sh', '-c', 'exec 3<> "$1"; rm -f "$1"', 'sh', fifo], { timeoutMs: 10_000, allowNonZero: true }); // a writer: the blocked open returns
      }
      assert.equal((await c.stat(`${lab.home}/.ssh`)).isDirectory(), true, 'SFTP works again');
    });
  });
});

