import { strict as assert } from 'node:assert';
import { arrayUpdateFailures, parseSacct, SEP, type JobRecord, type JobState } from '../../common/slurm/jobs';
import { pendingReason } from '../../common/slurm/reasons';
import { countsLabel, expectedStart, failedIndexes, groupJobs, groupLabel, hasFailures, jobDescription, jobTooltipRows, taskSpan, type ArrayEntry } from '../../common/slurm/tree';

const row = (...f: string[]) => f.join(SEP);
/** A sacct line as the history holds it: JobID, JobIDRaw, State, ExitCode, ..., JobName. */
const sacct = (jobId: string, state: string, exit = '0:0', name = 'job') => row(jobId, jobId, state, exit, '00:01:00', '01:00:00', 'normal', 'vm', 'hpcgeo', '2026-11-20T08:00:00', '2026-11-20T08:00:01', '2026-11-20T08:01:00', '/home/hpcgeo/w', name);
const history = (...lines: string[]) => parseSacct(lines.join('\n')).items;
const task = (array: string, index: string, state: JobState, name = 'zonal'): JobRecord => ({ jobId: `${array}_${index}`, arrayJobId: array, arrayTaskId: index, name, state, rawState: state, source: 'sacct' });
const arrays = (entries: readonly unknown[]) => entries.filter((e): e is ArrayEntry => (e as ArrayEntry).kind === 'array');

describe('the Jobs tree (issue 10 item 7)', () => {
  it('counts a group\'s rows, not the tasks of its arrays, and tells the tasks apart', () => {
    // 11 failed jobs and two failed arrays of 12 tasks each: 13 rows (the old header said "Failed (35)")
    const jobs = history(
      ...Array.from({ length: 11 }, (_, i) => sacct(String(100 + i), 'FAILED', '1:0')),
      ...Array.from({ length: 12 }, (_, i) => sacct(`200_${i}`, i < 2 ? 'FAILED' : 'COMPLETED', i < 2 ? '1:0' : '0:0')),
      ...Array.from({ length: 12 }, (_, i) => sacct(`300_${i}`, 'FAILED', '2:0')),
    );
    const failed = groupJobs([], jobs).failed;
    assert.equal(failed.length, 13);
    assert.deepEqual(groupLabel('failed', failed), { label: 'Failed (13)', description: 'including 2 arrays of 24 tasks' });
    assert.deepEqual(groupLabel('running', []), { label: 'Running (0)' });
    const single = groupJobs([], history(sacct('1', 'COMPLETED'))).finished;
    assert.deepEqual(groupLabel('finished', single), { label: 'Recently finished (1)' }, 'no task count without an array');
  });

  it('calls a 1,000-task array cancelled while held "1000 cancelled", not "1 failed", and lists it with the finished jobs', () => {
    // sacct lists the tasks that never started as one record, 27_[0-999]
    const jobs = history(sacct('27_[0-999]', 'CANCELLED by 1000', '0:0', 'array1000.sbatch'));
    const g = groupJobs([], jobs);
    assert.equal(g.failed.length, 0, 'cancelled is not failed');
    const [entry] = arrays(g.finished);
    assert.ok(entry, 'the array is under Recently finished');
    assert.equal(countsLabel(entry.counts), '1000 cancelled');
    assert.equal(entry.taskCount, 1000);
    assert.equal(hasFailures(entry.counts), false, 'Resubmit Failed Tasks is not offered');
    assert.deepEqual(groupLabel('finished', g.finished), { label: 'Recently finished (1)', description: 'including 1 array of 1000 tasks' });
  });

  it('counts an array\'s tasks by state, each way of ending named, cancelled apart from failed', () => {
    const states: [JobState, number][] = [['COMPLETED', 412], ['FAILED', 7], ['OUT_OF_MEMORY', 1], ['TIMEOUT', 2], ['NODE_FAIL', 1], ['CANCELLED', 3]];
    let i = 0;
    const tasks = states.flatMap(([s, n]) => Array.from({ length: n }, () => task('412', String(i++), s)));
    const [entry] = arrays(groupJobs([], tasks).failed);
    assert.ok(entry);
    assert.equal(countsLabel(entry.counts), '412 done · 7 failed · 2 timed out · 1 out of memory · 1 node failure · 3 cancelled');
    assert.equal(entry.taskCount, 426);
    // Resubmit Failed Tasks takes the failures, not the cancelled tasks
    assert.deepEqual(failedIndexes(entry.tasks).length, 7 + 1 + 2 + 1);
    assert.ok(!failedIndexes(entry.tasks).some((n) => n >= 423), 'the cancelled tasks (423-425) are not resubmitted');
  });

  it('puts a chunk of tasks Slurm has not split ("[3-5%3]") after the tasks before it, and counts its tasks', () => {
    const jobs = history(sacct('28_[3-5%3]', 'CANCELLED'), sacct('28_2', 'COMPLETED'), sacct('28_0', 'COMPLETED'), sacct('28_1', 'COMPLETED'), sacct('28_10', 'COMPLETED'));
    const [entry] = arrays(groupJobs([], jobs).finished);
    assert.ok(entry);
    assert.deepEqual(entry.tasks.map((t) => t.arrayTaskId), ['0', '1', '2', '[3-5%3]', '10']);
    assert.equal(countsLabel(entry.counts), '4 done · 3 cancelled');
    assert.match(jobDescription(entry.tasks[3]!), /^3 tasks · CANCELLED/);
    // a chunk listed beside tasks since split from it counts only the others, and vanishes when none are left
    const split = groupJobs([task('29', '3', 'RUNNING'), task('29', '4', 'RUNNING')], [task('29', '[3-5]', 'PENDING'), task('29', '[3-4]', 'CANCELLED')]);
    const [running] = arrays(split.running);
    assert.ok(running);
    assert.deepEqual(running.tasks.map((t) => t.arrayTaskId), ['3', '[3-5]', '4']);
    assert.equal(countsLabel(running.counts), '2 running · 1 pending');
  });

  it('says how many of an array\'s pending tasks are held', () => {
    const held = { reason: 'JobHeldUser' };
    const [a] = arrays(groupJobs([task('30', '0', 'RUNNING'), { ...task('30', '[1-8]', 'PENDING'), ...held }, task('30', '[9-11]', 'PENDING')], []).running);
    assert.equal(a?.held, 8, 'a held chunk counts for every task it stands for');
    assert.equal(countsLabel(a.counts, a.held), '1 running · 3 pending · 8 held');
    const [all] = arrays(groupJobs([{ ...task('31', '[0-3]', 'PENDING'), ...held }], []).pending);
    assert.equal(countsLabel(all!.counts, all!.held), '4 held');
  });

  it('reads array task ids as Slurm writes them', () => {
    assert.deepEqual(taskSpan('7'), { first: 7, count: 1, ranges: [[7, 7, 1]] });
    assert.equal(taskSpan('[3-5%3]')?.count, 3);
    assert.equal(taskSpan('[1,3,8-20:4]')?.count, 6);
    assert.equal(taskSpan('[1,3,8-20:4]')?.first, 1);
    assert.equal(taskSpan('N/A'), undefined);
  });

  it('says why a pending job waits in plain words, never "None"', () => {
    // squeue printed "(None)" for a job the scheduler had not looked at yet; the row said "None"
    const waiting: JobRecord = { ...task('812400', '3', 'PENDING'), reason: 'None', partition: 'accel', timeLimit: '15:00:00', source: 'squeue' };
    assert.equal(jobDescription(waiting), 'Waiting to be scheduled · accel · limit 15:00:00');
    assert.equal(jobDescription({ ...waiting, reason: 'Priority' }), 'Waiting for higher-priority jobs to start first · accel · limit 15:00:00');
    assert.deepEqual(pendingReason(undefined), { code: 'None', text: 'Waiting to be scheduled' });
    const words = (code: string) => pendingReason(code).text;
    assert.equal(words('Priority'), 'Waiting for higher-priority jobs to start first');
    assert.equal(words('Resources'), 'Waiting for nodes, CPUs or memory to become free');
    assert.equal(words('Dependency'), 'Waiting for the jobs it depends on');
    assert.equal(words('JobHeldUser'), 'Held by you (Release lets it run)');
    assert.equal(words('JobHeldAdmin'), 'Held by an administrator');
    assert.equal(words('BeginTime'), 'Waiting for its start time (--begin)');
    assert.equal(words('JobArrayTaskLimit'), 'Waiting: the array already runs as many tasks at once as its throttle (the %N of --array) allows');
    assert.equal(words('ReqNodeNotAvail, UnavailableNodes:b[1101-1104]'), 'A node it needs is not available (down, drained, reserved or in use); unavailable: b[1101-1104]');
    assert.equal(words('QOSMaxJobsPerUserLimit'), 'Waiting: you have reached the QOS\'s per-user limit on running jobs');
    assert.equal(words('AssocGrpCPUMinutesLimit'), 'Waiting: your account has reached its group limit on CPU minutes');
    assert.equal(words('QOSGrpGRES'), 'Waiting: the QOS has reached its group limit on GPUs or other generic resources');
    assert.equal(words('AssocMaxWallDurationPerJobLimit'), 'Asks for more run time per job than your account allows');
    assert.equal(words('MaxCpuPerAccount'), 'Waiting: your account has reached the QOS\'s limit on CPUs');
    // Slurm's own sentence (state_desc) is kept; a code this list does not know is shown as it is
    assert.equal(words('launch failed requeued held'), 'Launch failed requeued held');
    assert.deepEqual(pendingReason('SomeFutureReason'), { code: 'SomeFutureReason', text: 'SomeFutureReason' });
  });

  it('shows in the tooltip the reason in words with Slurm\'s code, the log paths, the dependency and the work dir', () => {
    const pending = { ...task('50', '1', 'PENDING'), reason: 'Dependency', dependency: 'afterok:49(unfulfilled)', workDir: '/home/hpcgeo/fields', stdOut: '/home/hpcgeo/fields/%x_%A_%a.out', stdErr: '/home/hpcgeo/fields/%x_%A_%a.err' };
    const rows = new Map(jobTooltipRows(pending));
    assert.equal(rows.get('Reason'), 'Waiting for the jobs it depends on (Dependency)');
    assert.equal(rows.get('Dependency'), 'afterok:49(unfulfilled)');
    assert.equal(rows.get('Working directory'), '/home/hpcgeo/fields');
    assert.equal(rows.get('Output'), '/home/hpcgeo/fields/zonal_50_1.out', 'the pattern Slurm recorded, filled in');
    assert.equal(rows.get('Errors'), '/home/hpcgeo/fields/zonal_50_1.err');
    const none = new Map(jobTooltipRows({ ...task('51', '0', 'PENDING'), stdOut: '/x.out', stdErr: '/x.out' }));
    assert.equal(none.get('Reason'), 'Waiting to be scheduled (None)');
    assert.equal(none.has('Errors'), false, 'stderr going to the same file is not listed twice');
    assert.equal(new Map(jobTooltipRows(task('52', '0', 'COMPLETED'))).has('Reason'), false, 'a finished job without a reason has none');
    // an array task's own job id is not in the record: a %j pattern is shown as Slurm printed it
    assert.equal(new Map(jobTooltipRows({ ...task('53', '2', 'RUNNING'), stdOut: '/w/out-%j.log' })).get('Output'), '/w/out-%j.log');
    assert.equal(new Map(jobTooltipRows({ jobId: '54', name: 'plain', state: 'RUNNING', rawState: 'RUNNING', source: 'squeue', stdOut: '/w/out-%j.log' })).get('Output'), '/w/out-54.log');
  });

  it('says when Slurm expects a pending job to start (issue 13): its StartTime is the estimate, not a start', () => {
    const waiting: JobRecord = { jobId: '60', name: 'tiles', state: 'PENDING', rawState: 'PENDING', reason: 'Resources', partition: 'spot', timeLimit: '00:05:00', start: '2026-12-08T14:20:07', source: 'squeue' };
    assert.equal(expectedStart(waiting), '2026-12-08 14:20');
    assert.equal(jobDescription(waiting, { now: new Date(2026, 11, 8, 13, 0) }), 'starts ~14:20 · Waiting for nodes, CPUs or memory to become free · spot · limit 00:05:00');
    assert.equal(jobDescription(waiting, { now: new Date(2026, 11, 7, 23, 0) }), 'starts ~12-08 14:20 · Waiting for nodes, CPUs or memory to become free · spot · limit 00:05:00');
    const rows = new Map(jobTooltipRows(waiting));
    assert.equal(rows.get('Expected start'), "2026-12-08T14:20:07 (Slurm's estimate; it moves as other jobs end or arrive)");
    assert.equal(rows.has('Started'), false);
    // no estimate yet (squeue's N/A is not read), and a running job's StartTime is its start
    assert.equal(jobDescription({ ...waiting, start: undefined }), 'Waiting for nodes, CPUs or memory to become free · spot · limit 00:05:00');
    assert.equal(expectedStart({ ...waiting, state: 'RUNNING' }), undefined);
    assert.equal(new Map(jobTooltipRows({ ...waiting, state: 'RUNNING' })).get('Started'), '2026-12-08T14:20:07');
  });
});

describe('Throttle Array: scontrol\'s per-chunk answers (issue 10 item 4)', () => {
  it('takes "No error" and "Job has already finished" for success', () => {
    // exactly what Slurm 22.05 printed (exit 1) for an array whose first tasks had ended
    assert.deepEqual(arrayUpdateFailures('45_0-3: Job has already finished\n45_4-11: No error\n'), []);
    assert.deepEqual(arrayUpdateFailures('45_[4-11%2]: No error\n45_3: Job/step already completing or completed\n'), []);
  });

  it('reports the chunks that refused, in Slurm\'s words', () => {
    assert.deepEqual(arrayUpdateFailures('45_0-3: Job has already finished\n45_4-11: Access/permission denied\n'), ['45_4-11: Access/permission denied']);
    assert.deepEqual(arrayUpdateFailures('Invalid job id specified for job 999\n'), ['Invalid job id specified for job 999']);
    // newer releases add Slurm's detail in parentheses
    assert.deepEqual(arrayUpdateFailures('46_2: Requested operation is presently disabled (throttle not allowed)\n'), ['46_2: Requested operation is presently disabled (throttle not allowed)']);
  });

  it('shows an exit code on a row only when it is not 0:0 (a completed or cancelled job has nothing to read past)', () => {
    const done: JobRecord = { jobId: '60', name: 'hello', state: 'COMPLETED', rawState: 'COMPLETED', exitCode: '0:0', elapsed: '00:00:05', partition: 'normal', source: 'sacct' };
    assert.equal(jobDescription(done), '00:00:05 · normal');
    assert.equal(jobDescription({ ...done, state: 'CANCELLED', rawState: 'CANCELLED by 0' }), 'CANCELLED · 00:00:05 · normal');
    assert.equal(jobDescription({ ...done, state: 'FAILED', rawState: 'FAILED', exitCode: '3:0' }), 'FAILED · exit 3:0 · 00:00:05 · normal');
    // a task row, under its array among failed and cancelled ones, names its state when it completed too (issue 10)
    assert.equal(jobDescription({ ...done, jobId: '61_4', arrayJobId: '61', arrayTaskId: '4' }, { nameCompleted: true }), 'COMPLETED · 00:00:05 · normal');
  });
});
