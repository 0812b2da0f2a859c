/**
 * Reading how a 10,000-task array ended (issue 13): the lab's real sacct output for an array of
 * four tasks with their steps, its lines repeated with new task indexes up to 10,000 tasks, read
 * by the task-usage parser (fed line by line, as it arrives) and planned; beside only splitting
 * the same lines into fields (the floor). Needs the lab, which it brings up.
 */
import { performance } from 'node:perf_hooks';
import { SEP } from '../common/slurm/jobs';
import { planResubmit, TaskUsageParser, taskUsageArgv } from '../common/slurm/resubmit';
import { JobActions } from '../extension/src/jobs/jobActions';
import { withLab } from './lab';
import { median, type Bench } from './types';

const TASKS = 10_000;

const bench: Bench = {
  name: 'resubmit',
  async run() {
    return withLab('sacct of a 10,000-task array', 'ms', async (lab, conn) => {
      const actions = new JobActions(conn, lab.user);
      const dir = `${lab.home}/hpc-geo-bench`;
      const script = await actions.upload(dir, 'ends.sbatch', '#!/bin/bash\n#SBATCH --array=0-3\n#SBATCH --mem=100M\n#SBATCH --output=/dev/null\n[ "$SLURM_ARRAY_TASK_ID" = 2 ] && exit 1\nsleep 1\n');
      const { jobId } = await actions.submit(script, { chdir: dir });
      let text = '';
      for (let i = 0; i < 120; i++) {
        text = (await conn.exec(taskUsageArgv(jobId))).stdout.toString('utf8');
        if (text.split('\n').filter((l) => /^\d+_\d+\u001f/.test(l) && !/PENDING|RUNNING|COMPLETING/.test(l)).length === 4) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const template = text.split('\n').filter((l) => l.trim());
      // the four tasks' lines (with their steps), again and again with new indexes
      const lines: string[] = [];
      for (let k = 0; lines.length === 0 || k * 4 < TASKS; k++) {
        for (const l of template) lines.push(l.replace(new RegExp(`^${jobId}_(\\d+)`), (_m, i: string) => `${jobId}_${k * 4 + Number(i)}`));
      }
      const big = lines.join('\n');
      const ours: number[] = [];
      const floor: number[] = [];
      let count = 0;
      for (let r = 0; r < 15; r++) {
        let t = performance.now();
        const p = new TaskUsageParser(jobId);
        for (const l of big.split('\n')) p.push(l);
        const tasks = p.result();
        planResubmit(tasks);
        ours.push(performance.now() - t);
        count = tasks.length;
        t = performance.now();
        let n = 0;
        for (const l of big.split('\n')) n += l.split(SEP).length;
        floor.push(performance.now() - t + (n < 0 ? 1 : 0));
      }
      return [
        { metric: `read sacct of a ${count.toLocaleString('en-US')}-task array (${lines.length.toLocaleString('en-US')} lines with the steps, the lab's output repeated) and plan the resubmission (median of 15)`, value: median(ours), unit: 'ms', alternative: { name: 'only splitting the lines into fields', value: median(floor) }, note: 'target ≤ 100 ms' },
      ];
    });
  },
};
export default bench;
