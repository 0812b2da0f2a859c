import { strict as assert } from 'node:assert';
import { MemoryStore } from '../support/memoryStore';
import { endingMessage, isFinalState, summarizeArray, summarizeJob, type JobEnding } from '../../common/slurm/endings';
import { normalizeState, SEP, type JobRecord } from '../../common/slurm/jobs';
import { JOB_NOTIFICATIONS, settingSpecs } from '../../common/settings';
import { JobService } from '../../extension/src/jobs/jobService';
import type { CommandRunner, ExecResult } from '../../extension/src/ssh/types';
import { readManifest } from '../support/manifest';
import { emptyRecord, installVscodeStub } from '../support/vscodeStub';

const rec = (jobId: string, state: string, extra: Partial<JobRecord> = {}): JobRecord => {
  const m = /^(\d+)_(.+)$/.exec(jobId);
  return { jobId, ...(m ? { arrayJobId: m[1]!, arrayTaskId: m[2]! } : {}), name: 'zonal', state: normalizeState(state), rawState: state, source: 'sacct', ...extra };
};

describe('job endings (issue 10 item 6)', () => {
  it('says how a job ended, in plain words with Slurm\'s state', () => {
    const say = (state: string, extra: Partial<JobRecord> = {}) => endingMessage(summarizeJob('lab', rec('42', state, extra)));
    assert.equal(say('COMPLETED', { elapsed: '00:12:03' }), 'Job 42 (zonal) on lab completed after 00:12:03.');
    assert.equal(say('FAILED', { exitCode: '1:0', elapsed: '00:00:03' }), 'Job 42 (zonal) on lab failed with exit code 1 after 00:00:03 (FAILED).');
    assert.equal(say('FAILED', { exitCode: '0:9' }), 'Job 42 (zonal) on lab was killed by signal 9 (FAILED).');
    assert.equal(say('TIMEOUT', { timeLimit: '01:00:00' }), 'Job 42 (zonal) on lab ran out of time (limit 01:00:00) and was stopped (TIMEOUT).');
    assert.equal(say('OUT_OF_MEMORY', { elapsed: '00:10:00' }), 'Job 42 (zonal) on lab ran out of memory after 00:10:00 and was stopped (OUT_OF_MEMORY).');
    // under a second (the lab's job past its --mem): no "after 00:00:00"
    assert.equal(say('OUT_OF_MEMORY', { elapsed: '00:00:00' }), 'Job 42 (zonal) on lab ran out of memory and was stopped (OUT_OF_MEMORY).');
    assert.equal(say('NODE_FAIL'), 'Job 42 (zonal) on lab stopped because its node failed (NODE_FAIL).');
    assert.equal(say('CANCELLED by 1001'), 'Job 42 (zonal) on lab was cancelled before it started (CANCELLED by user id 1001).');
    assert.equal(say('CANCELLED by 1001', { elapsed: '00:00:00' }), 'Job 42 (zonal) on lab was cancelled before it started (CANCELLED by user id 1001).', 'a job that never ran');
    assert.equal(say('CANCELLED', { elapsed: '00:02:10' }), 'Job 42 (zonal) on lab was cancelled after 00:02:10 (CANCELLED).');
    assert.equal(summarizeJob('lab', rec('42', 'FAILED')).failed, true);
    assert.equal(summarizeJob('lab', rec('42', 'CANCELLED')).failed, false, 'a cancel is not a failure');
    assert.equal(summarizeJob('lab', rec('42', 'COMPLETED')).failed, false);
  });

  it('sums an array up by how its tasks ended, a range of never-started tasks counting as many', () => {
    const rows = [
      ...Array.from({ length: 412 }, (_, i) => rec(`412_${i}`, 'COMPLETED')),
      ...Array.from({ length: 7 }, (_, i) => rec(`412_${412 + i}`, 'FAILED', { exitCode: '1:0' })),
      rec('412_419', 'OUT_OF_MEMORY'),
    ];
    const e = summarizeArray('lab', '412', rows.reverse());
    assert.equal(endingMessage(e), 'Array 412 (zonal) on lab ended: 412 done · 7 failed · 1 out of memory.');
    assert.equal(e.failed, true);
    assert.equal(e.records[0]!.arrayTaskId, '0', 'tasks in index order');
    // 1,000 tasks cancelled while held: sacct keeps them as one row
    const held = summarizeArray('lab', '27', [rec('27_[0-999]', 'CANCELLED by 1001')]);
    assert.equal(endingMessage(held), 'Array 27 (zonal) on lab ended: 1000 cancelled.');
    assert.equal(held.failed, false);
    assert.equal(endingMessage(summarizeArray('lab', '5', [rec('5_0', 'COMPLETED'), rec('5_1', 'COMPLETED')])), 'Array 5 (zonal) on lab finished: all 2 tasks done.');
    // the tree's counting: a chunk listed beside tasks split from it since counts only the rest
    const split = summarizeArray('lab', '30', [rec('30_[0-3]', 'CANCELLED'), rec('30_0', 'COMPLETED'), rec('30_1', 'TIMEOUT'), rec('30_[4-5]', 'CANCELLED')]);
    assert.deepEqual(split.counts, { COMPLETED: 1, TIMEOUT: 1, CANCELLED: 4 });
    assert.equal(endingMessage(split), 'Array 30 (zonal) on lab ended: 1 done · 1 timed out · 4 cancelled.');
    assert.deepEqual(split.records.map((r) => r.arrayTaskId), ['0', '[0-3]', '1', '[4-5]'], 'by first index, as the tree lists them');
    assert.equal(split.entry?.taskCount, 6);
  });

  it('knows which states end a job', () => {
    assert.deepEqual(
      (['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'RUNNING', 'PENDING', 'REQUEUED', 'COMPLETING', 'UNKNOWN'] as const).filter(isFinalState),
      ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED'],
    );
  });
});

/** squeue and sacct as the lab prints them, scripted per refresh. */
class ScriptedSlurm implements CommandRunner {
  readonly name = 'scripted';
  queue: string[][] = [];
  accounting: string[][] = [];
  readonly commands: string[] = [];
  async exec(argv: readonly string[]): Promise<ExecResult> {
    this.commands.push(argv.slice(0, 2).join(' '));
    const out = (lines: string[][]) => ({ code: 0, stdout: Buffer.from(lines.map((l) => l.join(SEP)).join('\n')), stderr: '' });
    if (argv[0] === 'squeue') return out(this.queue);
    if (argv[1] === '--helpformat') return { code: 0, stdout: Buffer.from('Account JobID JobName State WorkDir'), stderr: '' };
    if (argv[0] === 'sacct') return out(this.accounting);
    throw new Error(`unexpected ${argv.join(' ')}`);
  }
}

const queued = (id: string, state = 'RUNNING', stdOut = '') => {
  const m = /^(\d+)_(\d+)$/.exec(id);
  return [id, m ? m[1]! : id, m ? m[2]! : 'N/A', state, '0:05', '1:00:00', 'normal', '1', 'vm', 'hpcgeo', '/home/hpcgeo/runs', '2026-12-02T22:00:00', '2026-12-02T22:00:01', stdOut, stdOut, m ? String(Number(m[1]) + Number(m[2]) + 1) : id, 'zonal'];
};
const accounted = (id: string, state: string, exitCode = '0:0') => [id, id, state, exitCode, '00:00:05', '01:00:00', 'normal', 'vm', 'hpcgeo', '2026-12-02T22:00:00', '2026-12-02T22:00:01', '2026-12-02T22:00:06', '/home/hpcgeo/runs', 'zonal'];


describe('JobService tells when jobs end (issue 10 item 6)', () => {
  let slurm: ScriptedSlurm;
  let store: MemoryStore;
  let service: JobService;
  let ended: JobEnding[];

  function start(): void {
    service = new JobService(async () => slurm, store, () => undefined, { historyDays: 1, minIntervalMs: 3_600_000, maxIntervalMs: 3_600_000, sacctEvery: 1000, maxHistory: 5000 });
    ended = [];
    service.onDidEnd((e) => ended.push(e));
  }
  beforeEach(() => {
    slurm = new ScriptedSlurm();
    store = new MemoryStore();
    start();
  });
  afterEach(() => service.dispose());

  it('tells nothing of what was history when watching began (a reload), then one end per job that left the queue', async () => {
    slurm.accounting = Array.from({ length: 50 }, (_, i) => accounted(String(100 + i), i % 2 ? 'FAILED' : 'COMPLETED', i % 2 ? '1:0' : '0:0'));
    slurm.queue = [queued('200')];
    service.watch({ name: 'lab', user: 'hpcgeo' });
    await service.refresh('lab', { history: true });
    await service.refresh('lab', { history: true });
    assert.equal(ended.length, 0, 'fifty finished jobs in the history, none told');
    slurm.queue = [];
    slurm.accounting.push(accounted('200', 'FAILED', '3:0'));
    await service.refresh('lab');
    await service.refresh('lab', { history: true });
    assert.deepEqual(ended.map((e) => endingMessage(e)), ['Job 200 (zonal) on lab failed with exit code 3 after 00:00:05 (FAILED).']);
  });

  it('waits for sacct when the accounting comes after the job left the queue', async () => {
    slurm.queue = [queued('300')];
    service.watch({ name: 'lab', user: 'hpcgeo' });
    await service.refresh('lab');
    slurm.queue = [];
    await service.refresh('lab');
    assert.equal(ended.length, 0, 'sacct has no end for it yet');
    slurm.accounting = [accounted('300', 'COMPLETED')];
    await service.refresh('lab');
    assert.deepEqual(ended.map((e) => [e.jobId, e.records[0]!.state]), [['300', 'COMPLETED']]);
  });

  it('tells an array once, when no task of it is left in the queue, with its tasks counted', async () => {
    slurm.queue = [queued('400_0'), queued('400_1'), queued('400_2', 'PENDING')];
    service.watch({ name: 'lab', user: 'hpcgeo' });
    await service.refresh('lab');
    slurm.queue = [queued('400_1'), queued('400_2')];
    slurm.accounting = [accounted('400_0', 'COMPLETED')];
    await service.refresh('lab');
    slurm.queue = [queued('400_2')];
    slurm.accounting.push(accounted('400_1', 'FAILED', '1:0'));
    await service.refresh('lab');
    assert.equal(ended.length, 0, 'a task is still queued');
    slurm.queue = [];
    await service.refresh('lab');
    assert.equal(ended.length, 0, 'task 2 is not in sacct yet');
    slurm.accounting.push(accounted('400_2', 'OUT_OF_MEMORY', '0:125'));
    await service.refresh('lab');
    await service.refresh('lab', { history: true });
    assert.equal(ended.length, 1);
    assert.equal(endingMessage(ended[0]!), 'Array 400 (zonal) on lab ended: 1 done · 1 failed · 1 out of memory.');
  });

  it('tells of a job submitted from HPC Geo that ended before any squeue listed it, but not of one submitted before watching began', async () => {
    service.setSubmittedJobs(() => [
      { jobId: '500', submittedAt: Date.now() + 60_000 },
      { jobId: '77', submittedAt: Date.now() - 86_400_000 },
    ]);
    slurm.accounting = [accounted('77', 'COMPLETED'), accounted('500', 'TIMEOUT', '0:1')];
    service.watch({ name: 'lab', user: 'hpcgeo' });
    await service.refresh('lab', { history: true });
    await service.refresh('lab', { history: true });
    assert.deepEqual(ended.map((e) => [e.jobId, e.records[0]!.state]), [['500', 'TIMEOUT']]);
  });

  it('keeps polling, slowly, while paused (nobody looks) only while a job submitted from HPC Geo has yet to end', async () => {
    service.dispose();
    service = new JobService(async () => slurm, store, () => undefined, { historyDays: 1, minIntervalMs: 5, maxIntervalMs: 40, sacctEvery: 1000, maxHistory: 5000 });
    ended = [];
    service.onDidEnd((e) => ended.push(e));
    let submitted: { jobId: string; submittedAt: number }[] = [];
    service.setSubmittedJobs(() => submitted);
    const squeues = () => slurm.commands.filter((c) => c.startsWith('squeue')).length;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    slurm.queue = [queued('700')];
    service.watch({ name: 'lab', user: 'hpcgeo' });
    await service.refresh('lab');
    service.setPaused(true);
    await sleep(50);
    let before = squeues();
    await sleep(150);
    assert.equal(squeues(), before, 'paused and nothing of ours in the queue: no polling');

    submitted = [{ jobId: '700', submittedAt: Date.now() }];
    service.setPaused(false);
    service.setPaused(true);
    await sleep(20); // the refresh that resuming started
    before = squeues();
    await sleep(250);
    const polls = squeues() - before;
    // at the fastest pace (5 ms) that would be about 50
    assert.ok(polls >= 2 && polls <= 8, `paused with our job queued: polled at the slowest pace (${polls} squeues in 250 ms at 40 ms)`);
    slurm.queue = [];
    slurm.accounting = [accounted('700', 'FAILED', '2:0')];
    for (let i = 0; i < 100 && !ended.length; i++) await sleep(20);
    assert.deepEqual(ended.map((e) => e.jobId), ['700'], 'its end told while paused');
    before = squeues();
    await sleep(150);
    assert.equal(squeues(), before, 'told: polling stops again');
  });

  it('keeps the log paths squeue showed in the history it stores', async () => {
    slurm.queue = [queued('600', 'RUNNING', '/home/hpcgeo/runs/%x-%j.out')];
    service.watch({ name: 'lab', user: 'hpcgeo' });
    await service.refresh('lab');
    slurm.queue = [];
    slurm.accounting = [accounted('600', 'COMPLETED')];
    await service.refresh('lab');
    assert.equal(store.get('hpcGeo.history.lab')!.find((j) => j.jobId === '600')?.stdOut, '/home/hpcgeo/runs/%x-%j.out');
    assert.equal(ended[0]?.records[0]?.stdOut, '/home/hpcgeo/runs/%x-%j.out', 'the notification\'s Open Log finds it');
  });
});

describe('JobNotifier (issue 10 item 6)', () => {
  let uninstall: () => void;
  let JobNotifier: typeof import('../../extension/src/jobs/jobNotifier').JobNotifier;
  before(() => {
    uninstall = installVscodeStub(emptyRecord());
    ({ JobNotifier } = require('../../extension/src/jobs/jobNotifier') as typeof import('../../extension/src/jobs/jobNotifier'));
  });
  after(() => uninstall());

  const settings: Record<string, unknown> = {};
  const config = { get: (k: string) => settings[k] ?? (settingSpecs as Record<string, { default: unknown }>)[k]!.default } as never;
  const submits = new Map<string, unknown>([['hpcGeo.submits.lab', [{ jobId: '42', script: '/r/a.sbatch', workDir: '/r', submittedAt: 1 }, { jobId: '412', script: '/r/z.sbatch', workDir: '/r', submittedAt: 1 }]]]);
  const memento = { get: <T>(k: string) => submits.get(k) as T | undefined } as never;

  function notifier(picked?: string) {
    const shown: { severity: string; message: string; buttons: string[] }[] = [];
    const ran: { command: string; node: unknown }[] = [];
    let onEnd: ((e: JobEnding) => void) | undefined;
    const service = { setSubmittedJobs: () => undefined, onDidEnd: (l: (e: JobEnding) => void) => ((onEnd = l), { dispose: () => undefined }) };
    const n = new JobNotifier(service as never, config, memento, {
      show: async (severity, message, buttons) => (shown.push({ severity, message, buttons }), picked),
      execute: async (command, node) => void ran.push({ command, node }),
    });
    return { n, shown, ran, fire: (e: JobEnding) => onEnd!(e) };
  }
  const failedJob = summarizeJob('lab', rec('42', 'FAILED', { exitCode: '2:0', start: '2026-12-02T22:00:01' }));
  const array = summarizeArray('lab', '412', [rec('412_0', 'COMPLETED', { start: 's' }), rec('412_1', 'FAILED', { start: 's', exitCode: '1:0' }), rec('412_[2-3]', 'CANCELLED')]);

  afterEach(() => {
    for (const k of Object.keys(settings)) delete settings[k];
  });

  it('shows a failed job as a warning with Open Log and Resource Usage, and runs the one chosen on that job', async () => {
    const { n, shown, ran } = notifier('Open Log');
    await n.notify(failedJob);
    assert.deepEqual(shown, [{ severity: 'warning', message: 'Job 42 (zonal) on lab failed with exit code 2 (FAILED).', buttons: ['Open Log', 'Resource Usage'] }]);
    assert.deepEqual(ran, [{ command: 'hpcGeo.tailLog', node: { type: 'job', cluster: 'lab', job: failedJob.records[0] } }]);
  });

  it('offers Resubmit Failed for an array with failures, on the array, and opens the failed task\'s log', async () => {
    const { n, shown, ran } = notifier('Resubmit Failed');
    await n.notify(array);
    assert.equal(shown[0]!.message, 'Array 412 (zonal) on lab ended: 1 done · 1 failed · 2 cancelled.');
    assert.deepEqual(shown[0]!.buttons, ['Open Log', 'Resource Usage', 'Resubmit Failed']);
    assert.equal(ran[0]!.command, 'hpcGeo.resubmitFailed');
    const node = ran[0]!.node as { type: string; cluster: string; entry: { arrayJobId: string } };
    assert.deepEqual([node.type, node.cluster, node.entry.arrayJobId], ['array', 'lab', '412']);
    const open = n.notification(array)!.actions.find((a) => a.title === 'Open Log')!;
    assert.equal((open.node as { job: JobRecord }).job.jobId, '412_1');
  });

  it('follows the settings at each end: all, failures only, off; only jobs submitted from VS Code unless all jobs are asked for', async () => {
    const done = summarizeJob('lab', rec('42', 'COMPLETED', { start: 's' }));
    const other = summarizeJob('lab', rec('9', 'FAILED', { start: 's' }));
    const { n, fire, shown } = notifier();
    fire(done);
    settings['jobs.notifications'] = 'failures';
    fire(done);
    fire(failedJob);
    settings['jobs.notifications'] = 'off';
    fire(failedJob);
    settings['jobs.notifications'] = 'all';
    fire(other);
    settings['jobs.notifyAllJobs'] = true;
    fire(other);
    settings['jobs.notifications'] = 'sometimes';
    assert.equal(n.notification(done)?.severity, 'information', 'a value the setting does not have reads as its default');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(shown.map((s) => s.message), [
      'Job 42 (zonal) on lab completed.',
      'Job 42 (zonal) on lab failed with exit code 2 (FAILED).',
      'Job 9 (zonal) on lab failed (FAILED).',
    ]);
    assert.deepEqual(n.notification(summarizeJob('lab', rec('42', 'CANCELLED')))?.actions, [], 'a job that never started has no log');
  });

  it('declares its settings in package.json as common/settings.ts does, with the same values', () => {
    const props = readManifest().contributes.configuration.properties as Record<string, { enum?: string[]; default?: unknown }>;
    assert.deepEqual(props['hpcGeo.jobs.notifications']?.enum, [...JOB_NOTIFICATIONS]);
    assert.deepEqual(settingSpecs['jobs.notifications'].enum, JOB_NOTIFICATIONS);
    assert.equal(props['hpcGeo.jobs.notifyAllJobs']?.default, false);
  });
});
