import { strict as assert } from 'node:assert';
import type { Client } from 'ssh2';
import { requireLab, type LabFacts } from '../support/lab';
import { connect, exec, labConfig } from '../support/labSsh';
import { totp } from '../support/totp';
import { waitFor } from '../support/wait';

describe('the lab is real', function () {
  let lab: LabFacts;
  let client: Client | undefined;

  before(function () {
    lab = requireLab(this);
  });

  after(() => client?.end());

  it('runs a 3-task array submitted with sbatch over the key-only sshd: squeue, then sacct with exit codes', async function () {
    this.timeout(120_000);
    client = await connect(labConfig(lab, 'ssh'));
    const script = [
      '#!/bin/bash',
      '#SBATCH --job-name=lab-proof',
      '#SBATCH --array=0-2',
      '#SBATCH --output=lab-proof-%A_%a.out',
      'sleep 4',
      'echo "task $SLURM_ARRAY_TASK_ID"',
      'exit "$SLURM_ARRAY_TASK_ID"',
      '',
    ].join('\n');
    const submit = await exec(client, 'sbatch --parsable', script);
    assert.equal(submit.code, 0, submit.stderr);
    const jobId = submit.stdout.trim().split(';')[0]!;
    assert.match(jobId, /^\d+$/);

    const c = client;
    const queued = await waitFor('the array in squeue', async () => {
      const q = await exec(c, `squeue -h -r -j ${jobId} -o '%i|%j|%u'`);
      const lines = q.stdout.trim().split('\n').filter(Boolean);
      return lines.length === 3 ? lines : undefined;
    });
    assert.deepEqual(queued.map((l) => l.split('|')[0]).sort(), [`${jobId}_0`, `${jobId}_1`, `${jobId}_2`]);
    assert.ok(queued.every((l) => l.endsWith(`|lab-proof|${lab.user}`)));

    const done = await waitFor('the array in sacct, finished', async () => {
      const a = await exec(c, `sacct -X -P -n -j ${jobId} -o JobID,State,ExitCode`);
      const rows = a.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('|'));
      return rows.length === 3 && rows.every((r) => r[1] === 'COMPLETED' || r[1] === 'FAILED') ? rows : undefined;
    }, 90_000, 1000);
    const byId = Object.fromEntries(done.map(([id, state, exit]) => [id, `${state} ${exit}`]));
    assert.deepEqual(byId, {
      [`${jobId}_0`]: 'COMPLETED 0:0',
      [`${jobId}_1`]: 'FAILED 1:0',
      [`${jobId}_2`]: 'FAILED 2:0',
    });
    const out = await exec(c, `cat lab-proof-${jobId}_1.out && rm -f lab-proof-${jobId}_*.out`);
    assert.equal(out.stdout.trim(), 'task 1');
  });

  it('logs in to the one-time-code sshd with the computed code', async () => {
    const seen: string[] = [];
    const c = await connect(labConfig(lab, 'totp'), (prompts) => {
      seen.push(...prompts);
      return prompts.map(() => totp(lab.totp.secret));
    });
    try {
      assert.deepEqual(seen, ['Verification code: ']);
      const who = await exec(c, 'id -un');
      assert.equal(who.stdout.trim(), lab.user);
    } finally {
      c.end();
    }
  });

  it('refuses a wrong one-time code', async () => {
    const valid = new Set([-1, 0, 1].map((step) => totp(lab.totp.secret, Date.now(), step)));
    let wrong = 0;
    while (valid.has(String(wrong).padStart(6, '0'))) wrong++;
    await assert.rejects(
      connect(labConfig(lab, 'totp'), (prompts) => prompts.map(() => String(wrong).padStart(6, '0'))),
      (e: Error & { level?: string }) => e.level === 'client-authentication',
    );
  });

  it('refuses the key alone where a one-time code is demanded', async () => {
    await assert.rejects(connect(labConfig(lab, 'totp')), (e: Error & { level?: string }) => e.level === 'client-authentication');
  });

  it('refuses a server whose host key is not the expected one', async () => {
    const config = { ...labConfig(lab, 'ssh'), port: lab.totp.port };
    await assert.rejects(connect(config), /verification failed|Host denied/i);
  });
});
