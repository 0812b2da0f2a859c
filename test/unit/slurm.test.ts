import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { compressIndexes, durationSeconds, type JobRecord, normalizeState, parseSacct, parseSbatchParsable, parseScontrolJobs, parseSqueue, parseUsage, sacctArgv, SEP, squeueArgv } from '../../common/slurm/jobs';
import { resolveLogPattern } from '../../common/slurm/logPath';
import { arrayTasks, countsLabel, failedIndexes, groupJobs } from '../../common/slurm/tree';
import { mergeHistory } from '../../extension/src/jobs/jobService';

const row = (...f: string[]) => f.join(SEP);

describe('Slurm adapter', () => {
  it('builds argv with the separator and the name last', () => {
    const q = squeueArgv('digifarm');
    assert.ok(q.includes('--array') && q.includes('--user=digifarm'));
    assert.match(q.at(-1)!, /%j$/);
    assert.ok(q.at(-1)!.includes(SEP));
    assert.match(sacctArgv('u', 7).join(' '), /--starttime=now-7days --endtime=now --state=CA,CD,F/);
  });

  // squeue lines as 20.11, 22.05 and 24.11 print them: same fields, different reasons and states
  const squeue = [
    row('812345', '812345', 'N/A', 'RUNNING', '1-02:03:04', '4-00:00:00', 'normal', '4', 'b[1101-1104]', 'digifarm', '/cluster/work/users/digifarm/fields', '2026-11-20T08:00:00', '2026-11-20T08:01:00', 'fields_all'),
    row('812400_3', '812400', '3', 'PENDING', '0:00', '15:00:00', 'accel', '1', '(Priority)', 'warachi', '/cluster/work/users/warachi/dr', '2026-11-20T09:00:00', 'N/A', 'sr | 33LWF "v5" é'),
    row('812400_4', '812400', '4', 'RUNNING', '5:12', '15:00:00', 'accel', '1', 'b5301', 'warachi', '/cluster/work/users/warachi/dr', '2026-11-20T09:00:00', '2026-11-20T09:10:00', 'sr | 33LWF "v5" é'),
    row('900001', '900001', 'N/A', 'PD', '0:00', 'UNLIMITED', 'small', '1', '(AssocGrpCPUMinutesLimit)', 'u', '/scratch/x', 'Unknown', 'N/A', `a name with ${SEP} inside`),
    'garbage line without separators',
    row('x1', '', '', 'RUNNING', '', '', '', '', '', '', '', '', '', 'bad id'),
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
