import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { compressIndexes, durationSeconds, type JobRecord, normalizeState, parseSacct, parseSbatchParsable, parseScontrolJobs, parseSqueue, parseUsage, sacctArgv, sacctHasStdio, SEP, squeueArgv } from '../../common/slurm/jobs';
import { recordedLogPatterns, resolveLogPattern } from '../../common/slurm/logPath';
import { arrayTasks, countsLabel, failedIndexes, groupJobs, recordedLogs } from '../../common/slurm/tree';
import { mergeHistory } from '../../extension/src/jobs/jobService';

const row = (...f: string[]) => f.join(SEP);

describe('Slurm adapter', () => {
  it('builds argv with the separator and the name last', () => {
    const q = squeueArgv('digifarm');
    assert.ok(q.includes('--array') && q.includes('--user=digifarm'));
    assert.match(q.at(-1)!, /^--Format=JobArrayId:0\u001f,.*,StdOut:0\u001f,StdErr:0\u001f,JobID:0\u001f,Name:0$/);
    assert.ok(q.at(-1)!.includes(SEP));
    assert.match(sacctArgv('u', 7).join(' '), /--starttime=now-7days --endtime=now --state=CA,CD,F/);
  });

  // squeue lines as 20.11, 22.05 and 24.11 print them: same fields, different reasons and states
  const squeue = [
    row('812345', '812345', 'N/A', 'RUNNING', '1-02:03:04', '4-00:00:00', 'normal', '4', 'b[1101-1104]', 'digifarm', '/cluster/work/users/digifarm/fields', '2026-11-20T08:00:00', '2026-11-20T08:01:00', '', '', '812345', 'fields_all'),
    row('812400_3', '812400', '3', 'PENDING', '0:00', '15:00:00', 'accel', '1', '(Priority)', 'warachi', '/cluster/work/users/warachi/dr', '2026-11-20T09:00:00', 'N/A', '', '', '812403', 'sr | 33LWF "v5" é'),
    row('812400_4', '812400', '4', 'RUNNING', '5:12', '15:00:00', 'accel', '1', 'b5301', 'warachi', '/cluster/work/users/warachi/dr', '2026-11-20T09:00:00', '2026-11-20T09:10:00', '', '', '812404', 'sr | 33LWF "v5" é'),
    row('900001', '900001', 'N/A', 'PD', '0:00', 'UNLIMITED', 'small', '1', '(AssocGrpCPUMinutesLimit)', 'u', '/scratch/x', 'Unknown', 'N/A', '', '', '900001', `a name with ${SEP} inside`),
    'garbage line without separators',
    row('x1', '', '', 'RUNNING', '', '', '', '', '', '', '', '', '', '', '', '', 'bad id'),
  ].join('\n');

  it('parses squeue of several releases, skipping what it cannot read', () => {
    const { items, skipped } = parseSqueue(squeue);
    assert.equal(items.length, 4);
    assert.equal(skipped.length, 2);
    const [plain, pending, running, short] = items;
    assert.deepEqual([plain!.state, plain!.nodeList, plain!.nodes, plain!.elapsed, plain!.timeLimit], ['RUNNING', 'b[1101-1104]', 4, '1-02:03:04', '4-00:00:00']);
    assert.equal(plain!.arrayJobId, undefined);
    assert.deepEqual([pending!.arrayJobId, pending!.arrayTaskId, pending!.reason, pending!.name], ['812400', '3', 'Priority', 'sr | 33LWF "v5" é']);
    assert.equal(running!.nodeList, 'b5301');
    assert.equal(short!.state, 'PENDING');
    assert.equal(short!.name, `a name with ${SEP} inside`);
    assert.equal(short!.submit, undefined, '"Unknown" is no value');
    assert.deepEqual([pending!.ownJobId, running!.ownJobId, plain!.ownJobId], ['812403', '812404', undefined], "an array task's own job id (its %j)");
  });

  it('parses sacct, skips steps, and reads "CANCELLED by N"', () => {
    const text = [
      row('812300', '812300', 'COMPLETED', '0:0', '05:12:33', '4-00:00:00', 'normal', 'b[1101-1104]', 'digifarm', '2026-11-19T08:00:00', '2026-11-19T08:01:00', '2026-11-19T13:13:33', '/cluster/work', 'fields_2016'),
      row('812300.batch', '812300.batch', 'COMPLETED', '0:0', '05:12:33', '', '', 'b1101', '', '', '', '', '', 'batch'),
      row('812301_7', '812310', 'FAILED', '1:0', '00:00:03', 'Partition_Limit', 'normal', 'b1102', 'digifarm', '2026-11-19T08:00:00', '2026-11-19T08:01:00', '2026-11-19T08:01:03', '/cluster/work', 'zonal'),
      row('812302', '812302', 'CANCELLED by 51234', '0:15', '00:00:00', '01:00:00', 'normal', 'None assigned', 'digifarm', '2026-11-19T08:00:00', 'None', '2026-11-19T08:05:00', '/cluster/work', 'held then cancelled'),
      row('812303', '812303', 'OUT_OF_MEMORY', '0:125', '00:10:00', '01:00:00', 'bigmem', 'c1-2', 'digifarm', '', '', '', '', 'oom'),
    ].join('\n');
    const { items, skipped } = parseSacct(text);
    assert.deepEqual(skipped, []);
    assert.deepEqual(items.map((j) => [j.jobId, j.state, j.exitCode]), [['812300', 'COMPLETED', '0:0'], ['812301_7', 'FAILED', '1:0'], ['812302', 'CANCELLED', '0:15'], ['812303', 'OUT_OF_MEMORY', '0:125']]);
    assert.deepEqual([items[1]!.arrayJobId, items[1]!.arrayTaskId], ['812301', '7']);
    assert.equal(items[2]!.nodeList, undefined);
    assert.equal(items[2]!.rawState, 'CANCELLED by 51234');
  });

  it('reads scontrol records whose values hold spaces', () => {
    const text = 'JobId=812345 JobName=my fields job UserId=digifarm(51234) GroupId=g(1) JobState=RUNNING Reason=None Command=/cluster/work/run all.sh WorkDir=/cluster/work/my dir StdErr=/cluster/work/my dir/logs/e-812345.err StdOut=/cluster/work/my dir/logs/o-812345.out\nnot a record';
    const { items, skipped } = parseScontrolJobs(text);
    assert.equal(skipped.length, 1);
    assert.equal(items[0]!.JobName, 'my fields job');
    assert.equal(items[0]!.WorkDir, '/cluster/work/my dir');
    assert.equal(items[0]!.StdOut, '/cluster/work/my dir/logs/o-812345.out');
  });

  it('reads sbatch --parsable, with warnings before it and a cluster after', () => {
    assert.deepEqual(parseSbatchParsable('812345\n'), { jobId: '812345' });
    assert.deepEqual(parseSbatchParsable('sbatch: warning: something\n812346;betzy\n'), { jobId: '812346', cluster: 'betzy' });
    assert.throws(() => parseSbatchParsable('sbatch: error: Batch job submission failed'), /no job id/);
  });

  it('normalizes states and durations', () => {
    assert.equal(normalizeState('CANCELLED+'), 'CANCELLED');
    assert.equal(normalizeState('R'), 'RUNNING');
    assert.equal(normalizeState('WEIRD_NEW_STATE'), 'UNKNOWN');
    assert.equal(durationSeconds('1-02:03:04'), 93784);
    assert.equal(durationSeconds('05:12'), 312);
    assert.equal(durationSeconds('UNLIMITED'), Infinity);
    assert.equal(compressIndexes([7, 1, 2, 3, 5, 9, 8]), '1-3,5,7-9');
  });

  it('parses resource usage rows', () => {
    const { items } = parseUsage([row('812300', 'COMPLETED', '05:12:33', '20:11:02', '', '200G', '128', '4-00:00:00'), row('812300.batch', 'COMPLETED', '05:12:33', '20:11:02', '98765432K', '', '128', '')].join('\n'));
    assert.equal(items[1]!.maxRss, '98765432K');
    assert.equal(items[0]!.allocCpus, 128);
  });

  it('resolves log patterns like sbatch', () => {
    const facts = { jobId: '812405', arrayJobId: '812400', arrayTaskId: '5', name: 'sr', user: 'warachi', workDir: '/cluster/work/dr', node: 'b5301' };
    assert.equal(resolveLogPattern('logs/%x_%A_%a.out', facts), '/cluster/work/dr/logs/sr_812400_5.out');
    assert.equal(resolveLogPattern('/abs/%u-%j-%N-%4a-%%.log', facts), '/abs/warachi-812405-b5301-0005-%.log');
  });

  it('groups jobs: an array is one entry with counts, squeue wins over history', () => {
    const { items } = parseSqueue(squeue);
    const history = parseSacct(row('812345', '812345', 'COMPLETED', '0:0', '', '', '', '', '', '', '', '', '', 'old')).items;
    const g = groupJobs(items, history);
    assert.equal(g.running.length, 2);
    const arr = g.running.find((e) => e.kind === 'array')!;
    assert.equal(arr.kind === 'array' && countsLabel(arr.counts), '1 running · 1 pending');
    assert.equal(g.finished.length, 0, 'the running record replaced the history one');
    assert.deepEqual(failedIndexes(parseSacct([row('1_0', '2', 'FAILED', '1:0', '', '', '', '', '', '', '', '', '', 'x'), row('1_1', '3', 'COMPLETED', '0:0', '', '', '', '', '', '', '', '', '', 'x')].join('\n')).items), [0]);
  });

  it('lists an array\'s tasks by index, in order, squeue winning over history', () => {
    // task 1 failed once and was requeued: sacct has the failure, squeue has it running again
    const task = (id: string, state: string) => ({ jobId: `7_${id}`, arrayJobId: '7', arrayTaskId: id, name: 'a', state, rawState: state } as JobRecord);
    const tasks = arrayTasks('7', [task('1', 'RUNNING')], [task('10', 'COMPLETED'), task('1', 'FAILED'), task('2', 'COMPLETED'), { ...task('3', 'PENDING'), arrayTaskId: '3-9' }]);
    assert.deepEqual([...tasks].map(([i, t]) => `${i} ${t.state}`), ['1 RUNNING', '2 COMPLETED', '10 COMPLETED']);
  });

  it("reads an array task's own job id from sacct's JobIDRaw, and fills %j of its log with it", () => {
    const [task, plain] = parseSacct([row('812400_5', '812405', 'COMPLETED', '0:0', '', '', '', '', '', '', '', '', '/w', 'sr'), row('7', '7', 'COMPLETED', '0:0', '', '', '', '', '', '', '', '', '/w', 'p')].join('\n')).items;
    assert.deepEqual([task!.ownJobId, plain!.ownJobId], ['812405', undefined]);
    assert.deepEqual(recordedLogs({ ...task!, stdOut: '/w/sr_%j.out' }), { stdout: '/w/sr_812405.out' });
    const { ownJobId: _, ...unknown } = task!;
    assert.deepEqual(recordedLogs({ ...unknown, stdOut: '/w/sr_%j.out' }), { stdout: '/w/sr_%j.out' }, 'not the array\'s id when its own is unknown');
  });

  it('keeps the name squeue showed when sacct rewrote it', () => {
    const sacct = parseSacct(row('5', '5', 'COMPLETED', '0:0', '', '', '', '', '', '', '', '', '', 'a `q` ??')).items;
    assert.equal(mergeHistory([], sacct, 10, new Map([['5', 'a "q" 日本']]))[0]!.name, 'a "q" 日本');
  });
});

describe('hostile inputs to log paths (generated, issue 15)', () => {
  it('resolves log patterns of huge slash runs, percent runs and work dirs within a wide budget, paths absolute', () => {
    const BUDGET_MS = 2000; // a hang guard: each takes milliseconds (the old trailing-slash strip was quadratic: minutes at this size)
    const n = 200_000;
    const facts = { jobId: '7', name: 'n', user: 'u', workDir: '/w' };
    const cases: [string, string, Partial<typeof facts>][] = [
      ['a work dir of slashes then a letter', 'slurm-%j.out', { workDir: `/${'/'.repeat(n)}x` }],
      ['a work dir of slashes only', 'slurm-%j.out', { workDir: '/'.repeat(n) }],
      ['a pattern of percent runs', '%'.repeat(n) + '%j', {}],
      ['a pattern of widths without a letter', '%9'.repeat(n), {}],
      ['a name of slashes and percents', '%x', { name: '/%'.repeat(n) }],
    ];
    for (const [name, pattern, over] of cases) {
      const t = performance.now();
      const path = resolveLogPattern(pattern, { ...facts, ...over });
      const ms = performance.now() - t;
      assert.ok(ms < BUDGET_MS, `${name}: ${Math.round(ms)} ms`);
      assert.ok(path.startsWith('/'), name);
      assert.ok(path.length <= pattern.length * 12 + (over.workDir ?? facts.workDir).length + (over.name ?? '').length + 20, `${name}: bounded`);
    }
  });
});

describe('log paths as Slurm recorded them (issue 10 item 3)', () => {
  const line = (id: string, arrayJobId: string, task: string, workDir: string, stdOut: string, stdErr: string, name: string) =>
    row(id, arrayJobId, task, 'RUNNING', '0:05', '1:00:00', 'normal', '1', 'vm', 'hpcgeo', workDir, '2026-12-02T22:04:29', '2026-12-02T22:04:30', stdOut, stdErr, task === 'N/A' ? id : String(Number(arrayJobId) + Number(task) + 1), name);

  it('reads StdOut and StdErr from squeue as Slurm printed them, patterns unresolved', () => {
    // as the lab's squeue 22.05 printed them for --output=%x-%j.out, and for an array with --output and --error
    const { items, skipped } = parseSqueue([
      line('42', '42', 'N/A', '/home/u/runs', '/home/u/runs/%x-%j.out', '/home/u/runs/%x-%j.out', 'named'),
      line('28_3', '28', '3', '/home/u/runs', '/home/u/runs/zonal_%A_%a.out', '/home/u/runs/err/zonal_%A_%a.err', 'zonal'),
      line('52_1', '52', '1', '/home/u/runs', '(null)', '', 'interactive'),
    ].join('\n'));
    assert.deepEqual(skipped, []);
    assert.deepEqual(items.map((j) => [j.jobId, j.stdOut, j.stdErr, j.name]), [
      ['42', '/home/u/runs/%x-%j.out', '/home/u/runs/%x-%j.out', 'named'],
      ['28_3', '/home/u/runs/zonal_%A_%a.out', '/home/u/runs/err/zonal_%A_%a.err', 'zonal'],
      ['52_1', undefined, undefined, 'interactive'],
    ]);
  });

  it('asks sacct for StdOut/StdErr only where it has them (24.05 and later), and reads either layout', () => {
    assert.equal(sacctHasStdio('Account AdminComment AllocCPUS\nStdErr StdIn StdOut Submit SubmitLine'), true);
    assert.equal(sacctHasStdio('Account AdminComment AllocCPUS\nSubmit SubmitLine WorkDir'), false, "22.05's list");
    assert.match(sacctArgv('u', 7, { stdio: true }).at(-1)!, /,WorkDir,StdOut,StdErr,JobName$/);
    assert.match(sacctArgv('u', 7).at(-1)!, /,WorkDir,JobName$/);
    const withStdio = parseSacct(row('42', '42', 'COMPLETED', '0:0', '00:00:03', '01:00:00', 'normal', 'vm', 'u', '', '', '', '/home/u/runs', '/home/u/runs/%x-%j.out', '', 'named'), { stdio: true }).items;
    assert.deepEqual(withStdio.map((j) => [j.stdOut, j.stdErr, j.name, j.workDir]), [['/home/u/runs/%x-%j.out', undefined, 'named', '/home/u/runs']]);
    const without = parseSacct(row('42', '42', 'COMPLETED', '0:0', '00:00:03', '01:00:00', 'normal', 'vm', 'u', '', '', '', '/home/u/runs', 'named')).items;
    assert.deepEqual(without.map((j) => [j.stdOut, j.name]), [[undefined, 'named']]);
  });

  it("drops the default an older squeue made up for an array task (its own id, not %A_%a), keeps real ones", () => {
    // squeue 20.11-23.11 prints <WorkDir>/slurm-<own job id>.out for a job without --output
    assert.deepEqual(recordedLogPatterns({ arrayJobId: '52', stdOut: '/home/u/slurm-57.out', stdErr: '/home/u/slurm-57.out' }), {});
    assert.deepEqual(recordedLogPatterns({ stdOut: '/home/u/slurm-53.out', stdErr: '/home/u/slurm-53.out' }), { stdout: '/home/u/slurm-53.out' }, 'right for a plain job');
    assert.deepEqual(recordedLogPatterns({ arrayJobId: '28', stdOut: '/r/zonal_%A_%a.out', stdErr: '/r/err/zonal_%A_%a.err' }), { stdout: '/r/zonal_%A_%a.out', stderr: '/r/err/zonal_%A_%a.err' });
    assert.deepEqual(recordedLogPatterns({ arrayJobId: '28', stdOut: '/r/slurm-%A_%a.out', stdErr: '/r/slurm-%A_%a.out' }), { stdout: '/r/slurm-%A_%a.out' }, "24.05's default pattern");
  });

  it('keeps the log paths squeue showed when sacct (before 24.05) has none; a task never listed takes its array\'s', () => {
    const sacct = parseSacct([
      row('42', '42', 'COMPLETED', '0:0', '', '', '', '', '', '', '', '', '/r', 'named'),
      row('28_3', '31', 'COMPLETED', '0:0', '', '', '', '', '', '', '', '', '/r', 'zonal'),
      row('28_4', '32', 'FAILED', '1:0', '', '', '', '', '', '', '', '', '/r', 'zonal'),
    ].join('\n')).items;
    const seen = new Map([
      ['42', { stdOut: '/r/%x-%j.out', stdErr: '/r/%x-%j.out' }],
      ['28_3', { stdOut: '/r/zonal_%A_%a.out' }],
      ['array:28', { stdOut: '/r/zonal_%A_%a.out' }],
    ]);
    const merged = mergeHistory([], sacct, 10, new Map(), seen);
    assert.deepEqual(merged.map((j) => [j.jobId, j.stdOut]), [['42', '/r/%x-%j.out'], ['28_4', '/r/zonal_%A_%a.out'], ['28_3', '/r/zonal_%A_%a.out']]);
    // a later sacct run without them keeps what was kept
    assert.equal(mergeHistory(merged, sacct, 10)[0]!.stdOut, '/r/%x-%j.out');
  });
});
