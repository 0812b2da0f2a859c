/**
 * Logins as they are on our users' clusters (issue 12): a one-time code and then a password; a
 * login node whose Banner and ~/.bashrc print text; Slurm on PATH only through /etc/profile.d.
 * Through the product's SshConnection and SessionManager, against the lab's sshd for each.
 */
import { strict as assert } from 'node:assert';
import { parseSqueue, squeueArgv } from '../../common/slurm/jobs';
import { SshConnection } from '../../extension/src/ssh/connection';
import { AuthFailed } from '../../extension/src/ssh/errors';
import { SessionManager } from '../../extension/src/ssh/sessions';
import type { ClusterTarget, PromptField } from '../../extension/src/ssh/types';
import { requireLab, type LabFacts } from '../support/lab';
import { endAfterEach, freshKnownHosts, labTarget } from '../support/labTargets';
import { ScriptedPrompter } from '../support/prompter';
import { totp } from '../support/totp';

/** A prompter that also records which target each question named. */
class NamingPrompter extends ScriptedPrompter {
  readonly targets: string[] = [];
  override async keyboardInteractive(q: { target: string; prompts: PromptField[]; retry?: boolean }): Promise<string[] | undefined> {
    this.targets.push(q.target);
    return super.keyboardInteractive(q);
  }
}

/** Answers each prompt as a person would: the code to the code prompt, the password to the password prompt. */
function answer(lab: LabFacts, password: string) {
  return (prompts: PromptField[]) => prompts.map((p) => (/password/i.test(p.prompt) ? password : totp(lab.password.secret)));
}

describe('Logins as they are (issue 12)', function () {
  this.timeout(60_000);
  let lab: LabFacts;
  const track = endAfterEach();

  before(function () {
    lab = requireLab(this);
  });

  describe('a one-time code and then a password (NRIS: Saga, Betzy, Olivia)', () => {
    const target = (): ClusterTarget => labTarget(lab, 'ssh', freshKnownHosts(lab), { alias: 'lab-password', port: lab.password.port, user: lab.password.user, identityFiles: [] });

    it('logs in through the SessionManager with the code and the password typed into prompts that name the cluster', async () => {
      const p = new NamingPrompter();
      p.codes = [answer(lab, lab.password.password), answer(lab, lab.password.password)];
      const sessions = new SessionManager(p, { open: (t, pr) => SshConnection.open(t, pr) });
      try {
        const c = track(await sessions.get(target(), { user: true }));
        assert.deepEqual(p.seenPrompts, [{ prompt: 'Verification code: ', echo: false }, { prompt: 'Password: ', echo: false }], 'the code, then the password, neither echoed');
        assert.deepEqual(p.targets, ['lab-password', 'lab-password']);
        assert.equal(c.interactiveLogin, true, 'a login that asked a person: no automatic reconnects');
        assert.equal((await c.exec(['id', '-un'])).stdout.toString().trim(), lab.password.user);
      } finally {
        sessions.dispose();
      }
    });

    it('refuses a wrong password with a message that says the answers were refused, and never shows the password', async () => {
      const wrong = `not-${lab.password.password}`;
      const p = new NamingPrompter();
      p.codes = Array.from({ length: 6 }, () => answer(lab, wrong));
      const error = await SshConnection.open(target(), p).then(
        () => assert.fail('logged in with a wrong password'),
        (e: unknown) => e as Error,
      );
      assert.ok(error instanceof AuthFailed, String(error));
      assert.match(error.message, /lab-password|hpcgeo-pass@127\.0\.0\.1/);
      assert.match(error.message, /refused/);
      assert.match(error.message, /Verification code.*Password|Password.*Verification code/, 'names the prompts whose answers were refused');
      assert.doesNotMatch(error.message, /key/, 'no key was offered: the message does not say one was refused');
      assert.ok(!error.message.includes(wrong) && !error.message.includes(lab.password.password), 'no secret in the message');
      assert.ok(p.asked.some((a) => a.startsWith('keyboard-interactive (retry')), 'asked again, saying so, as OpenSSH does');
      // the server does not say which answer was wrong: the try again names both, at its first prompt only (issue 10)
      const retried = p.asked.findIndex((a) => a.startsWith('keyboard-interactive (retry'));
      assert.equal(p.asked[retried], 'keyboard-interactive (retry after Verification code, Password) "Verification code: "');
      assert.equal(p.asked[retried + 1], 'keyboard-interactive "Password: "', 'the password prompt of the same try is not called refused');
    });
  });

  describe('a login node that talks: a Banner, and a ~/.bashrc that prints in non-interactive shells', () => {
    const target = (): ClusterTarget => labTarget(lab, 'ssh', freshKnownHosts(lab), { alias: 'lab-noisy', port: lab.noisy.port, user: lab.noisy.user });

    it('reads a command\'s output without what ~/.bashrc printed before it', async () => {
      const c = track(await SshConnection.open(target(), new ScriptedPrompter()));
      assert.equal((await c.exec(['id', '-un'])).stdout.toString(), `${lab.noisy.user}\n`);
      const r = await c.exec(['sh', '-c', 'printf out; printf err >&2; exit 3'], { allowNonZero: true });
      assert.deepEqual([r.code, r.stdout.toString(), r.stderr], [3, 'out', 'err']);
      const streamed: Buffer[] = [];
      await c.exec(['printf', '%s\\n', 'a', 'b'], { onStdout: (d) => streamed.push(d) });
      assert.equal(Buffer.concat(streamed).toString(), 'a\nb\n', 'streamed output too');
    });

    it('lists the user\'s jobs, every line parsed', async () => {
      const c = track(await SshConnection.open(target(), new ScriptedPrompter()));
      const id = (await c.exec(['sbatch', '--parsable', '--hold', '--job-name=noisy-bashrc', `--chdir=/tmp`, '--wrap=true'])).stdout.toString().trim();
      assert.match(id, /^\d+$/, 'sbatch --parsable printed only the job id');
      try {
        const parsed = parseSqueue((await c.exec(squeueArgv(lab.noisy.user))).stdout.toString());
        assert.deepEqual(parsed.skipped, [], 'no line left unread');
        assert.ok(parsed.items.some((j) => j.jobId === id && j.name === 'noisy-bashrc'), `job ${id} listed`);
      } finally {
        await c.exec(['scancel', id]);
      }
    });

    it('says plainly why SFTP fails and what to change in ~/.bashrc', async () => {
      const c = track(await SshConnection.open(target(), new ScriptedPrompter()));
      const error = await c.stat('/etc/hostname').then(
        () => assert.fail('SFTP worked through a talking ~/.bashrc'),
        (e: unknown) => e as Error,
      );
      assert.match(error.message, /lab-noisy|hpcgeo-noisy@/);
      assert.match(error.message, /prints text in non-interactive shells/);
      assert.match(error.message, /Welcome back/, 'quotes what it printed');
      assert.ok(error.message.includes('[[ $- == *i* ]] || return'), error.message);
      assert.equal((await c.exec(['echo', 'still here'])).stdout.toString(), 'still here\n', 'the connection is kept');
    });
  });

  describe('Slurm on PATH only through /etc/profile.d (as where it is installed under /opt)', () => {
    const target = (): ClusterTarget => labTarget(lab, 'ssh', freshKnownHosts(lab), { alias: 'lab-opt', user: lab.optPath.user });

    it('finds squeue where a login shell finds it, and keeps using the login shell', async () => {
      const c = track(await SshConnection.open(target(), new ScriptedPrompter()));
      const parsed = parseSqueue((await c.exec(squeueArgv(lab.optPath.user))).stdout.toString());
      assert.deepEqual(parsed.skipped, []);
      assert.equal(c.usesLoginShell, true);
      assert.equal((await c.exec(['sh', '-c', 'command -v sbatch'])).stdout.toString().trim(), `${lab.optPath.slurmBin}/sbatch`, 'through the site\'s profile script');
    });

    it('runs commands without a login shell where they are found without one', async () => {
      const c = track(await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter()));
      await c.exec(squeueArgv(lab.user));
      assert.equal(c.usesLoginShell, false);
    });

    it('says plainly when a command is on PATH neither way', async () => {
      const c = track(await SshConnection.open(target(), new ScriptedPrompter()));
      await assert.rejects(c.exec(['hpc-geo-no-such-command', '--flag']), (e: Error) => /hpc-geo-no-such-command is not on PATH on .*neither for commands over SSH nor in a login shell/.test(e.message));
    });
  });
});
