/**
 * Resubmitting an array's failed tasks by cause (issue 13), on the lab's real Slurm: one array
 * whose tasks end COMPLETED, OUT_OF_MEMORY (where the lab enforces --mem), FAILED and TIMEOUT;
 * what sacct recorded of them is read in one stream, the plan gives the memory-killed task more
 * memory and the timed-out one more time, and the jobs it submits carry those requests.
 */
import { strict as assert } from 'node:assert';
import { previewLine } from '../../common/slurm/resubmit';
import type { JobActions } from '../../extension/src/jobs/jobActions';
import { requireLab, type LabFacts } from '../support/lab';
import { labJobs, type LabJobs } from '../support/labJobs';
import { waitFor } from '../support/wait';

describe('resubmit failed tasks by cause, on the lab (issue 13)', function () {
  this.timeout(240_000);
  let lab: LabFacts;
  let jobs: LabJobs | undefined;
  let actions: JobActions;
  const dir = () => `${lab.home}/hpc-geo-resubmit`;
  const submitted: string[] = [];

  before(async function () {
    lab = requireLab(this);
    jobs = await labJobs(lab);
    ({ actions } = jobs);
    await jobs.conn.exec(['rm', '-rf', dir()]);
  });

  after(() => jobs?.end(submitted));

  it('plans more memory for the task out of memory and more time for the timed-out one, and submits that', async () => {
    // task 0 succeeds, 1 uses 300 MB of its 100 MB, 2 exits 1, 3 outlasts its one minute
    const body = [
      '#SBATCH --array=0-3',
      '#SBATCH --mem=100M',
      '#SBATCH --time=1',
      '#SBATCH --output=/dev/null',
      'case $SLURM_ARRAY_TASK_ID in',
      '  1) head -c 300M /dev/zero | tail > /dev/null ;;',
      '  2) exit 1 ;;',
      '  3) sleep 600 ;;',
      'esac',
    ].join('\n');
    const script = await actions.upload(dir(), 'by-cause.sbatch', `#!/bin/bash\n${body}\n`);
    const first = await actions.submit(script, { chdir: dir() });
    submitted.push(first.jobId);
    // TIMEOUT comes when slurmctld next checks limits after the minute (up to a minute later)
    const tasks = await waitFor('all four tasks ended in sacct', async () => {
      const t = await actions.taskUsage(first.jobId);
      return t.length === 4 && t.every((x) => !['PENDING', 'RUNNING', 'COMPLETING', 'UNKNOWN'].includes(x.state)) ? t : undefined;
    }, 200_000, 2000);
    const states = tasks.map((t) => `${t.index} ${t.state}`);
    assert.deepEqual(states, ['0 COMPLETED', `1 ${lab.memoryLimits ? 'OUT_OF_MEMORY' : 'COMPLETED'}`, '2 FAILED', '3 TIMEOUT']);
    assert.equal(tasks[2]!.exitCode, '1:0');
    assert.equal(tasks[3]!.limitSeconds, 60);
    assert.ok(tasks.every((t) => t.reqMemMiB === 100), `ReqMem 100M for every task: ${tasks.map((t) => t.reqMemMiB).join(', ')}`);

    const plan = await actions.planResubmitFailed(first.jobId, first);
    const expected = [
      ...(lab.memoryLimits ? [['1', ['--mem=1G']]] : []),
      ['3', ['--time=00:02:00']],
      ['2', []],
    ];
    assert.deepEqual(plan.groups.map((g) => [g.indexes, g.options]), expected);
    assert.match(plan.groups.at(-1)!.reason, /^1 task failed: again as it was$/);
    // the preview is the exact command that runs
    for (const [i, argv] of plan.argv.entries()) assert.equal(previewLine(argv), `sbatch --chdir=${dir()} --array=${plan.groups[i]!.indexes}${plan.groups[i]!.options.map((o) => ` ${o}`).join('')} ${script}`);

    const again = await actions.submitPlan(plan);
    submitted.push(...again.map((s) => s.jobId));
    const records = await Promise.all(again.map(async (s) => (await actions.show(s.jobId))[0] ?? {}));
    const byIndexes = new Map(plan.groups.map((g, i) => [g.indexes, records[i]!]));
    if (lab.memoryLimits) assert.equal(byIndexes.get('1')!.MinMemoryNode, '1G', 'the memory-killed task asks for 1 GiB now');
    assert.equal(byIndexes.get('3')!.TimeLimit, '00:02:00', 'the timed-out task asks for two minutes now');
    assert.equal(byIndexes.get('2')!.TimeLimit, '00:01:00', 'the failed task as it was');
    assert.equal(byIndexes.get('2')!.MinMemoryNode, '100M');
  });
});
