import { strict as assert } from 'node:assert';
import { SEP } from '../../common/slurm/jobs';
import { cpuEfficiency, mebibytes, parseTaskUsage, planResubmit, previewLine, TaskUsageParser, taskUsageArgv, type TaskUsage } from '../../common/slurm/resubmit';

/** sacct's lines as taskUsageArgv asks for them: JobID State ExitCode Elapsed Timelimit ReqMem MaxRSS TotalCPU AllocCPUS NodeList. */
const line = (...f: string[]) => f.join(SEP);

describe('resubmit by cause (issue 13): sacct of an array, read per task', () => {
  const text = [
    line('77_0', 'COMPLETED', '0:0', '00:00:12', '00:10:00', '4000M', '', '00:10.500', '2', 'c1'),
    line('77_0.batch', 'COMPLETED', '0:0', '00:00:12', '', '', '1048576K', '00:10.500', '2', 'c1'),
    line('77_0.extern', 'COMPLETED', '0:0', '00:00:12', '', '', '512K', '00:00:00', '2', 'c1'),
    line('77_1', 'OUT_OF_MEMORY', '0:125', '00:03:01', '00:10:00', '4000M', '', '05:59.900', '2', 'c2'),
    line('77_1.batch', 'OUT_OF_MEMORY', '0:125', '00:03:01', '', '', '3.90G', '05:59.900', '2', 'c2'),
    line('77_1.0', 'OUT_OF_MEMORY', '0:125', '00:03:00', '', '', '4194304000', '05:59.000', '2', 'c2'),
    line('77_2', 'TIMEOUT', '0:0', '00:10:04', '00:10:00', '4000M', '', '00:05.000', '2', 'c3'),
    line('77_3', 'FAILED', '1:0', '00:00:02', '00:10:00', '4000M', '', '00:00.100', '2', 'c4'),
    line('77_4', 'CANCELLED by 1000', '0:15', '00:00:01', '00:10:00', '4000M', '', '00:00:00', '2', 'c4'),
    line('77_[5-9]', 'PENDING', '0:0', '00:00:00', '00:10:00', '4000M', '', '00:00:00', '0', 'None assigned'),
  ].join('\n');

  it('asks once, with the steps (MaxRSS is on the steps)', () => {
    const argv = taskUsageArgv('77');
    assert.ok(argv.includes('--jobs=77') && !argv.includes('--allocations'), argv.join(' '));
  });

  it('gives each task its state, request and the peak of its steps', () => {
    const tasks = parseTaskUsage('77', text);
    assert.deepEqual(tasks.map((t) => [t.index, t.state]), [[0, 'COMPLETED'], [1, 'OUT_OF_MEMORY'], [2, 'TIMEOUT'], [3, 'FAILED'], [4, 'CANCELLED']]);
    assert.equal(tasks[0]!.peakRssMiB, 1024);
    assert.equal(tasks[1]!.peakRssMiB, 4000, 'the largest step: 4194304000 bytes');
    assert.equal(tasks[1]!.reqMemMiB, 4000);
    assert.equal(tasks[2]!.limitSeconds, 600);
    assert.equal(tasks[3]!.exitCode, '1:0');
    assert.equal(tasks[0]!.totalCpuSeconds, 10.5);
    assert.ok(Math.abs(cpuEfficiency(tasks[1]!)! - 359.9 / (181 * 2)) < 1e-9);
  });

  it('reads the same when fed in pieces, and keeps what it could not read', () => {
    const p = new TaskUsageParser('77');
    for (const l of text.split('\n')) p.push(l);
    p.push('garbage');
    p.push(line('78_1', 'FAILED', '1:0', '00:00:02', '00:10:00', '4000M', '', '00:00.100', '2', 'c4'));
    assert.equal(p.result().length, 5);
    assert.equal(p.skipped.length, 2, 'a line of another job, and garbage');
  });

  it('reads sacct\'s sizes as Slurm prints them', () => {
    assert.equal(mebibytes('4000M'), 4000);
    assert.equal(mebibytes('4000Mc'), 4000);
    assert.equal(mebibytes('2G'), 2048);
    assert.equal(mebibytes('2.50G'), 2560);
    assert.equal(mebibytes('1048576K'), 1024);
    assert.equal(mebibytes('1048576', 'B'), 1);
    assert.equal(mebibytes(''), undefined);
    assert.equal(mebibytes('16?'), undefined);
  });

  it('plans more memory from the peak, more time from the limit, and the rest as they were', () => {
    const groups = planResubmit(parseTaskUsage('77', text));
    assert.deepEqual(groups.map((g) => [g.indexes, g.options]), [['1', ['--mem=6G']], ['2', ['--time=00:15:00']], ['3', []]]);
    assert.equal(groups[0]!.reason, '1 task ran out of memory (peak 3.9 GiB of 3.9 GiB asked): again with 6 GiB, 1.5× the larger of the two rounded up to whole GiB');
    assert.equal(groups[1]!.reason, '1 task reached the time limit (00:10:00): again with 00:15:00, 1.5× that rounded up to whole minutes');
    assert.equal(groups[2]!.reason, '1 task failed: again as it was');
  });

  it('raises the memory option the script uses, per CPU or per GPU, and keeps the throttle', () => {
    const tasks = parseTaskUsage('77', text);
    assert.deepEqual(planResubmit(tasks, { memOption: 'mem-per-cpu', throttle: 4 })[0], { reason: '1 task ran out of memory (peak 3.9 GiB of 3.9 GiB asked): again with 3 GiB per CPU, 1.5× the larger of the two rounded up to whole GiB', indexes: '1%4', options: ['--mem-per-cpu=3G'] });
    assert.deepEqual(planResubmit(tasks, { memOption: 'mem-per-gpu', gpusPerTask: 2 })[0]!.options, ['--mem-per-gpu=3G']);
  });

  it('takes the request when a task was killed before accounting saw its peak', () => {
    const oom: TaskUsage[] = [{ index: 5, state: 'OUT_OF_MEMORY', reqMemMiB: 100 }, { index: 6, state: 'OUT_OF_MEMORY', reqMemMiB: 100, peakRssMiB: 12 }];
    assert.deepEqual(planResubmit(oom), [{ reason: '2 tasks ran out of memory (peak 12 MiB of 100 MiB asked): again with 1 GiB, 1.5× the larger of the two rounded up to whole GiB', indexes: '5-6', options: ['--mem=1G'] }]);
  });

  it('writes the preview as a person would paste it', () => {
    assert.equal(previewLine(['sbatch', '--parsable', '--chdir=/home/u/my runs', '--array=1,3%2', '--mem=6G', "/home/u/it's.sbatch"]), "sbatch '--chdir=/home/u/my runs' --array=1,3%2 --mem=6G '/home/u/it'\\''s.sbatch'");
  });
});
