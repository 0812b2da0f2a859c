import { strict as assert } from 'node:assert';
import { type JobRecord, type JobState } from '../../common/slurm/jobs';
import { clusterComment } from '../../common/sbatch/clusterComment';
import { parseSinfoPartitions } from '../../common/slurm/partitions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionsThatApply, byCluster, candidates, describeTargets, isJobTarget, TARGETS, targetId, type JobTarget } from '../../common/slurm/targets';
import { parseSstat, usageMarkdown } from '../../common/slurm/usage';

const job = (jobId: string, state: JobState, extra: Partial<JobRecord> = {}): JobRecord => ({ jobId, name: `job${jobId}`, state, rawState: state, source: 'squeue', ...extra });
const task = (array: string, index: string, state: JobState, extra: Partial<JobRecord> = {}): JobRecord => job(`${array}_${index}`, state, { arrayJobId: array, arrayTaskId: index, ...extra });
const ids = (ts: JobTarget[]) => ts.map(targetId);

describe('what a job command acts on from the Command Palette (issue 10 item 5)', () => {
  const lab = {
    cluster: 'lab',
    current: [
      job('10', 'RUNNING', { nodeList: 'vm' }),
      job('11', 'PENDING', { reason: 'Priority' }),
      job('12', 'PENDING', { reason: 'JobHeldUser' }),
      task('20', '0', 'RUNNING'),
      task('20', '[1-9%2]', 'PENDING', { reason: 'JobArrayTaskLimit' }),
    ],
    history: [job('5', 'COMPLETED'), job('6', 'FAILED', { exitCode: '1:0' }), task('7', '0', 'COMPLETED'), task('7', '1', 'OUT_OF_MEMORY'), job('8', 'CANCELLED')],
  };

  it('offers each action only the jobs it applies to, the most urgent first', () => {
    assert.deepEqual(ids(candidates(lab, TARGETS.cancel)), ['20', '10', '12', '11'], 'running, then pending; an array as one row');
    assert.deepEqual(ids(candidates(lab, TARGETS.hold)), ['20', '11'], 'an array that has started still has pending tasks to hold; a held job is not held again');
    assert.deepEqual(ids(candidates(lab, TARGETS.release)), ['12'], 'only a held job is released');
    assert.deepEqual(ids(candidates(lab, TARGETS.requeue)), ['20', '10']);
    assert.deepEqual(ids(candidates(lab, TARGETS.throttle)), ['20'], 'arrays only');
    assert.deepEqual(ids(candidates(lab, TARGETS.resubmitFailed)), ['7'], 'the array with a task out of memory');
    assert.deepEqual(ids(candidates(lab, TARGETS.shell)), ['20_0', '10'], 'running jobs and tasks, not whole arrays');
    assert.ok(!ids(candidates(lab, TARGETS.usage)).some((id) => ['11', '12'].includes(id)), 'a pending job has no usage');
    assert.ok(ids(candidates(lab, TARGETS.usage)).includes('8'));
  });

  it('gives the Jobs view\'s menus the same actions as the pick, from the rows\' context values', () => {
    const rows = candidates(lab, TARGETS.copy);
    const row = (id: string) => rows.find((t) => targetId(t) === id)!;
    assert.deepEqual(actionsThatApply(row('20')), ['cancel', 'hold', 'requeue', 'copy', 'throttle', 'log', 'usage'], 'a running array with pending tasks');
    assert.deepEqual(actionsThatApply(row('12')), ['cancel', 'release', 'copy', 'log'], 'a held job');
    assert.deepEqual(actionsThatApply(row('6')), ['copy', 'log', 'usage']);
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const named = manifest.contributes.menus['view/item/context']!.flatMap((m) => [...(m.when ?? '').matchAll(/\\\[(\w+)\\\]/g)].map((x) => x[1]!));
    assert.ok(named.includes('hold') && named.includes('release'));
    for (const action of named) assert.ok(action in TARGETS, `the menu's [${action}] is an action of common/slurm/targets`);
  });

  it('offers the tasks of an array for a log, not the chunk Slurm has not split', () => {
    const logs = ids(candidates(lab, TARGETS.log));
    assert.ok(logs.includes('20_0') && logs.includes('7_1'));
    assert.ok(!logs.includes('20_[1-9%2]') && !logs.includes('20'));
  });

  it('names the targets the way the messages say them', () => {
    const t = (id: string): JobTarget => ({ type: 'job', cluster: 'lab', job: job(id, 'RUNNING') });
    assert.equal(describeTargets([t('42')]), 'job 42');
    assert.equal(describeTargets([t('42'), t('43'), t('44')]), 'jobs 42, 43 and 44');
    assert.equal(describeTargets(['1', '2', '3', '4', '5', '6', '7', '8'].map(t)), 'jobs 1, 2, 3, 4, 5 and 3 more');
    const [array] = candidates(lab, TARGETS.throttle);
    assert.equal(describeTargets([array!, t('42')]), 'array 20 and job 42');
  });

  it('tells rows of the Jobs view from other arguments, and groups targets by cluster', () => {
    assert.equal(isJobTarget({ type: 'job', cluster: 'lab', job: job('1', 'RUNNING') }), true);
    assert.equal(isJobTarget({ type: 'cluster', cluster: 'lab' }), false);
    assert.equal(isJobTarget('lab'), false);
    assert.equal(isJobTarget(undefined), false);
    const a: JobTarget = { type: 'job', cluster: 'a', job: job('1', 'RUNNING') };
    const b: JobTarget = { type: 'job', cluster: 'b', job: job('2', 'RUNNING') };
    assert.deepEqual([...byCluster([a, b, a]).entries()].map(([c, ts]) => [c, ts.length]), [['a', 2], ['b', 1]]);
  });
});

describe('the cluster a script names (issue 10 item 14)', () => {
  it('reads # hpc-geo: cluster= from the head of the script', () => {
    assert.deepEqual(clusterComment('#!/bin/bash\n# hpc-geo: cluster=lab\n#SBATCH -t 1'), { name: 'lab', at: 31 });
    assert.equal(clusterComment('#!/bin/bash\n#  hpc-geo:cluster = saga.sigma2\n')?.name, 'saga.sigma2');
    assert.equal(clusterComment('#!/bin/bash\n#SBATCH -t 1\n'), undefined);
    assert.equal(clusterComment(`#!/bin/bash\n${'#\n'.repeat(9000)}# hpc-geo: cluster=late\n`), undefined, 'only the head is read');
  });
});

describe('partitions for completion (sinfo)', () => {
  it('reads names, limits and the default, once each', () => {
    assert.deepEqual(parseSinfoPartitions('normal*|2-00:00:00\nlong|7-00:00:00\nlong|7-00:00:00\ndebug|infinite\n\nbad line\n'), [
      { name: 'normal', maxTime: '2-00:00:00', default: true },
      { name: 'long', maxTime: '7-00:00:00' },
      { name: 'debug', maxTime: 'infinite' },
    ]);
  });
});

describe('the resource usage page (issue 10 item 11)', () => {
  it('reads sstat\'s running steps and says when the cluster gathers nothing', () => {
    const rows = parseSstat('42.batch|1|vm|1024K|vm|00:00:01|2048K\n42.0|4|vm[1-2]|21G|vm2|01:02:03|30G\nnot a row\n');
    assert.deepEqual(rows[1], { step: '42.0', tasks: 4, nodes: 'vm[1-2]', maxRss: '21G', maxRssNode: 'vm2', aveCpu: '01:02:03', maxVmSize: '30G' });
    const page = usageMarkdown({ jobId: '42', cluster: 'lab', running: true, rows: [], live: parseSstat('42.batch|1|vm|0|vm|00:00:00|0\n'), readAt: new Date(0) });
    assert.match(page, /does not gather the usage of running jobs/);
    assert.match(page, /sacct has no record of this job \(yet\)/);
    assert.match(usageMarkdown({ jobId: '42', cluster: 'lab', running: true, rows: [], live: rows, readAt: new Date(0) }), /\| 42\.0 \| 4 \| vm\\\[1-2\\\] \| 21G \| vm2 \|/);
    assert.match(usageMarkdown({ jobId: '42', cluster: 'lab', running: true, rows: [], live: { error: 'sstat: error: no steps running' }, readAt: new Date(0) }), /sstat could not report the running steps: sstat: error: no steps running/);
  });

  it('keeps Slurm\'s text from breaking the table or becoming markup', () => {
    const page = usageMarkdown({ jobId: '43', cluster: 'lab', running: false, rows: [{ jobId: '43', state: 'FAILED|x\n<img src=x>' }], readAt: new Date(0) });
    assert.match(page, /\| 43 \| FAILED\\\|x \\<img src=x\\> \|/);
    assert.doesNotMatch(page, /Running steps/, 'an ended job has no sstat section');
  });
});
