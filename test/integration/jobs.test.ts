import { strict as assert } from 'node:assert';
import { MemoryStore } from '../support/memoryStore';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SshConnection } from '../../extension/src/ssh/connection';
import { JobActions } from '../../extension/src/jobs/jobActions';
import { JobService } from '../../extension/src/jobs/jobService';
import { arrayTasks, groupJobs, countsLabel } from '../../common/slurm/tree';
import { throttleArgv } from '../../common/slurm/jobs';
import { labScript, requireLab, type LabFacts } from '../support/lab';
import { labJobs, type LabJobs } from '../support/labJobs';
import { waitFor } from '../support/wait';


describe('jobs against the lab', function () {
  this.timeout(180_000);
  let lab: LabFacts;
  let conn: SshConnection;
  let actions: JobActions;
  let service: JobService;
  let jobs: LabJobs | undefined;
  const store = new MemoryStore();
  const dir = () => `${lab.home}/hpc-geo-tests`;

  before(async function () {
    lab = requireLab(this);
    jobs = await labJobs(lab, store);
    ({ conn, actions, service } = jobs);
  });

  after(() => jobs?.end());

  const job = (id: string) => [...service.jobs('lab')!.current, ...service.jobs('lab')!.history].find((j) => j.jobId === id);
  async function until(what: string, pred: () => boolean, ms = 60_000): Promise<void> {
    await waitFor(what, async () => {
      await service.refresh('lab', { history: true });
      return pred() ? true : undefined;
    }, ms, 500);
  }

  async function script(name: string, body: string): Promise<string> {
    return actions.upload(dir(), name, `#!/bin/bash\n${body}\n`);
  }

  it('follows a job from pending to running to completed, in the tree and in history with its exit code', async () => {
    const s = await script('life.sbatch', '#SBATCH --job-name=life\n#SBATCH --output=life-%j.out\nsleep 4\necho done');
    const { jobId } = await actions.submit(s, { chdir: dir(), hold: true });
    await until('pending', () => job(jobId)?.state === 'PENDING');
    assert.equal(job(jobId)?.reason, 'JobHeldUser');
    assert.equal(groupJobs(service.jobs('lab')!.current, []).pending.some((e) => e.kind === 'job' && e.job.jobId === jobId), true);
    await actions.control('release', [jobId]);
    await until('running', () => job(jobId)?.state === 'RUNNING');
    assert.equal(job(jobId)?.nodeList, lab.node);
    await until('completed', () => job(jobId)?.state === 'COMPLETED' && job(jobId)?.source === 'sacct');
    assert.equal(job(jobId)?.exitCode, '0:0');
    assert.ok(store.get('hpcGeo.history.lab')!.some((j) => j.jobId === jobId), 'history is stored');
    const grouped = groupJobs(service.jobs('lab')!.current, service.jobs('lab')!.history);
    assert.ok(grouped.finished.some((e) => e.kind === 'job' && e.job.jobId === jobId));
  });

  it('redraws once per background poll, and shows "refreshing…" only for a refresh someone asked for', async () => {
    // every redraw re-renders the Jobs view's rows; two per poll made clicks miss twice as often
    let polls = 0;
    const redraws: boolean[] = [];
    const polled = new JobService(async () => (polls++, conn), new MemoryStore(), () => undefined, { historyDays: 1, minIntervalMs: 150, maxIntervalMs: 150, sacctEvery: 1000, maxHistory: 10 });
    polled.on('change', () => redraws.push(polled.jobs('lab')?.refreshing ?? false));
    try {
      polled.watch({ name: 'lab', user: lab.user });
      await polled.refresh('lab');
      assert.deepEqual(redraws, [false, true, false], 'shown, refreshing…, refreshed');
      redraws.length = 0;
      polls = 0;
      await waitFor('three background polls', async () => (polls >= 3 ? true : undefined), 30_000, 50);
      polled.setPaused(true);
      await waitFor(`one redraw per poll (polls and redraws so far: ${polls}, ${redraws.length})`, async () => (redraws.length === polls ? true : undefined), 10_000, 50);
      assert.ok(redraws.every((r) => !r), 'a background poll does not show "refreshing…"');
    } finally {
      polled.dispose();
    }
  });

  it('takes new settings at once: a faster pace polls now and from then on, a new history window reads sacct now (issue 10 item 16)', async () => {
    let polls = 0;
    const argvs: string[][] = [];
    // the lab's connection, recording the commands the service runs
    const recorded = new Proxy(conn, {
      get(target, prop) {
        if (prop === 'exec') return (argv: string[], o?: Parameters<typeof conn.exec>[1]) => (argvs.push(argv), target.exec(argv, o));
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const options = { historyDays: 1, minIntervalMs: 600_000, maxIntervalMs: 600_000, sacctEvery: 1000, maxHistory: 10 };
    const polled = new JobService(async () => (polls++, recorded), new MemoryStore(), () => undefined, options);
    const sacctDays = () => argvs.filter((a) => a[0] === 'sacct').flatMap((a) => a.filter((w) => w.startsWith('--starttime=')));
    try {
      polled.watch({ name: 'lab', user: lab.user });
      await waitFor('the first refresh', async () => (sacctDays().length && !polled.jobs('lab')?.refreshing ? true : undefined), 30_000, 50);
      assert.deepEqual(sacctDays(), ['--starttime=now-1days']);
      polls = 0;
      polled.setOptions({ ...options, minIntervalMs: 150, maxIntervalMs: 150 });
      // at the old pace the next poll was ten minutes away
      await waitFor(`three polls at the new pace (so far ${polls})`, async () => (polls >= 3 ? true : undefined), 30_000, 50);
      assert.equal(sacctDays().length, 1, 'the same window: squeue only (sacct every 1,000 polls)');
      polled.setOptions({ ...options, minIntervalMs: 150, maxIntervalMs: 150, historyDays: 3 });
      await waitFor('sacct over the new window', async () => (sacctDays().includes('--starttime=now-3days') ? true : undefined), 30_000, 50);
    } finally {
      polled.dispose();
    }
  });

  it('keeps names with spaces, pipes, quotes and unicode intact', async () => {
    const name = `a b|c "q" 'x' é 日本 $(id)`;
    const s = await script('names.sbatch', 'sleep 1');
    const r = await conn.exec(['sbatch', '--parsable', '--hold', `--job-name=${name}`, `--chdir=${dir()}`, s]);
    const jobId = r.stdout.toString().trim();
    await until('the job', () => job(jobId)?.name === name);
    await actions.cancel([jobId]);
    await until('cancelled in sacct', () => job(jobId)?.state === 'CANCELLED' && job(jobId)?.source === 'sacct');
    assert.equal(job(jobId)?.name, name);
  });

  it('throttles an array and shows it as one entry with counts', async () => {
    const s = await script('throttle.sbatch', '#SBATCH --array=0-5%1\n#SBATCH --output=/dev/null\nsleep 20');
    const { jobId } = await actions.submit(s, { chdir: dir() });
    await until('one task running', () => service.jobs('lab')!.current.filter((j) => j.arrayJobId === jobId && j.state === 'RUNNING').length === 1);
    await actions.throttle(jobId, 3);
    await until('three tasks running', () => service.jobs('lab')!.current.filter((j) => j.arrayJobId === jobId && j.state === 'RUNNING').length === 3, 60_000);
    const entry = groupJobs(service.jobs('lab')!.current, []).running.find((e) => e.kind === 'array' && e.arrayJobId === jobId);
    assert.ok(entry && entry.kind === 'array');
    assert.equal(countsLabel(entry.counts), '3 running · 3 pending');
    await actions.cancel([jobId]);
  });

  it('cancels, holds and releases, and requeues a running job', async () => {
    const s = await script('requeue.sbatch', '#SBATCH --output=/dev/null\nsleep 30');
    const { jobId } = await actions.submit(s, { chdir: dir() });
    await until('running', () => job(jobId)?.state === 'RUNNING');
    await actions.control('requeue', [jobId]);
    await until('back in the queue', () => ['PENDING', 'REQUEUED', 'CONFIGURING'].includes(job(jobId)?.state ?? '') || (job(jobId)?.reason ?? '').includes('BeginTime'));
    await actions.control('hold', [jobId]);
    await until('held', () => job(jobId)?.state === 'PENDING' && /Held/.test(job(jobId)?.reason ?? ''));
    await actions.control('release', [jobId]);
    await actions.cancel([jobId]);
    await until('cancelled', () => job(jobId)?.state === 'CANCELLED');
    await assert.rejects(actions.cancel(['999999999']), /Invalid job id|invalid job/i);
  });

  it('resubmits exactly the failed indexes of an array', async () => {
    const s = await script('fails.sbatch', '#SBATCH --array=0-4\n#SBATCH --output=/dev/null\nif [ "$SLURM_ARRAY_TASK_ID" = 1 ] || [ "$SLURM_ARRAY_TASK_ID" = 3 ]; then exit 1; fi');
    const first = await actions.submit(s, { chdir: dir() });
    await until('all five tasks finished', () => store.get('hpcGeo.history.lab')!.filter((j) => j.arrayJobId === first.jobId && ['COMPLETED', 'FAILED'].includes(j.state)).length === 5, 90_000);
    const failed = store.get('hpcGeo.history.lab')!.filter((j) => j.arrayJobId === first.jobId && j.state === 'FAILED').map((j) => `${j.arrayTaskId} ${j.exitCode}`).sort();
    assert.deepEqual(failed, ['1 1:0', '3 1:0']);
    const plan = await actions.planResubmitFailed(first.jobId, first);
    assert.deepEqual(plan.groups.map((g) => [g.indexes, g.options]), [['1,3', []]], 'failed with an exit code: as they were');
    const [submitted] = await actions.submitPlan(plan);
    if (!submitted) throw new Error('nothing submitted');
    await until('the resubmitted tasks', () => store.get('hpcGeo.history.lab')!.filter((j) => j.arrayJobId === submitted.jobId).length === 2, 90_000);
    assert.deepEqual(store.get('hpcGeo.history.lab')!.filter((j) => j.arrayJobId === submitted.jobId).map((j) => j.arrayTaskId).sort(), ['1', '3']);
  });

  it('lists a 1,000-task array as one entry', async () => {
    const s = await script('big.sbatch', '#SBATCH --array=0-999\n#SBATCH --output=/dev/null\ntrue');
    const { jobId } = await actions.submit(s, { chdir: dir(), hold: true });
    await until('1,000 tasks', () => service.jobs('lab')!.current.filter((j) => j.arrayJobId === jobId).length === 1000);
    const groups = groupJobs(service.jobs('lab')!.current, []);
    const entries = groups.pending.filter((e) => e.kind === 'array' && e.arrayJobId === jobId);
    assert.equal(entries.length, 1);
    assert.equal(countsLabel((entries[0] as { counts: Record<string, number> }).counts), '1000 pending');
    await actions.cancel([jobId]);
  });

  it('resolves log paths for plain and array jobs', async () => {
    await conn.exec(['mkdir', '-p', `${dir()}/logs`]);
    const plain = await script('log.sbatch', '#SBATCH --job-name=logjob\n#SBATCH --output=logs/%x-%j.out\necho plain-output');
    const p = await actions.submit(plain, { chdir: dir() });
    const arr = await script('logarr.sbatch', '#SBATCH --job-name=logarr\n#SBATCH --array=0-1\n#SBATCH --output=logs/%x_%A_%a.out\necho "task $SLURM_ARRAY_TASK_ID"');
    const a = await actions.submit(arr, { chdir: dir() });
    await until('both finished', () => job(p.jobId)?.state === 'COMPLETED' && job(`${a.jobId}_1`)?.state === 'COMPLETED', 90_000);
    const pl = await actions.logPaths(job(p.jobId)!);
    assert.equal(pl.stdout, `${dir()}/logs/logjob-${p.jobId}.out`);
    assert.equal((await conn.exec(['cat', pl.stdout])).stdout.toString(), 'plain-output\n');
    const al = await actions.logPaths(job(`${a.jobId}_1`)!);
    assert.equal(al.stdout, `${dir()}/logs/logarr_${a.jobId}_1.out`);
    assert.equal((await conn.exec(['cat', al.stdout])).stdout.toString(), 'task 1\n');
    // every task of the array at once (the progress grid of an array), from one scontrol
    const tasks = arrayTasks(a.jobId, service.jobs('lab')!.current, service.jobs('lab')!.history);
    assert.deepEqual([...(await actions.arrayLogPaths(a.jobId, tasks.values()))], ['0', '1'].map((i) => [i, `${dir()}/logs/logarr_${a.jobId}_${i}.out`]));
    const usage = await actions.usage(p.jobId);
    assert.ok(usage.some((u) => u.jobId === p.jobId && u.elapsed), JSON.stringify(usage));
  });

  it('keeps what it showed while slurmctld is down, says why, and recovers when it is back', async () => {
    const s = await script('survive.sbatch', '#SBATCH --output=/dev/null\nsleep 60');
    const { jobId } = await actions.submit(s, { chdir: dir(), hold: true });
    await until('listed', () => !!service.jobs('lab')!.current.find((j) => j.jobId === jobId));
    const pid = readFileSync(`${lab.stateDir}/slurm/slurmctld.pid`, 'utf8').trim();
    execFileSync('kill', [pid]);
    try {
      await until('the error', () => !!service.jobs('lab')!.error, 60_000);
      assert.match(service.jobs('lab')!.error!, /squeue|slurm|controller/i);
      assert.ok(service.jobs('lab')!.current.some((j) => j.jobId === jobId), 'nothing lost from the tree');
    } finally {
      const up = spawnSync('bash', [labScript, 'up'], { encoding: 'utf8' });
      assert.equal(up.status, 0, up.stderr);
    }
    await until('recovered', () => !service.jobs('lab')!.error && !!service.jobs('lab')!.current.find((j) => j.jobId === jobId), 60_000);
    await actions.cancel([jobId]);
  });
  it('throttles an array some of whose tasks have finished: success, and Slurm holds the new throttle (issue 10 item 4)', async () => {
    const s = await script('throttleDone.sbatch', '#SBATCH --array=0-5%2\n#SBATCH --output=/dev/null\nif [ "$SLURM_ARRAY_TASK_ID" -lt 2 ]; then exit 0; fi\nsleep 60');
    const { jobId } = await actions.submit(s, { chdir: dir() });
    try {
      await until('tasks 0 and 1 finished', () => ['0', '1'].every((i) => job(`${jobId}_${i}`)?.state === 'COMPLETED'), 90_000);
      // what Slurm itself answers: one line per chunk, the finished one "already finished", and exit 1
      const raw = await conn.exec(throttleArgv(jobId, 3), { allowNonZero: true });
      assert.notEqual(raw.code, 0, raw.stderr);
      assert.match(raw.stderr, new RegExp(`^${jobId}_0-1: Job has already finished$`, 'm'));
      await actions.throttle(jobId, 1);
      const records = await actions.show(jobId);
      assert.ok(records.length > 0, 'Slurm still holds the array');
      assert.deepEqual([...new Set(records.map((r) => r.ArrayTaskThrottle))], ['1']);
      await assert.rejects(actions.throttle('999999999', 1), /Invalid job id/i, 'a real refusal still fails');
    } finally {
      await actions.cancel([jobId]);
    }
  });
});
