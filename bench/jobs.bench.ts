/**
 * The job tree's refresh with a 1,000-task array in the queue: one squeue on the kept connection,
 * its parse and the tree model (groups, the array as one entry with counts), side by side with the
 * bare squeue run on the lab's own machine. And parsing 10,000 squeue lines (the lab's real output,
 * repeated), beside only splitting them into fields (the floor). Needs the lab, which it brings up.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseSqueue, SEP, squeueArgv } from '../common/slurm/jobs';
import { groupJobs } from '../common/slurm/tree';
import { JobActions } from '../extension/src/jobs/jobActions';
import { JobService } from '../extension/src/jobs/jobService';
import { withLab } from './lab';
import { median, type Bench } from './types';

const RUNS = 30;

const bench: Bench = {
  name: 'jobs',
  async run() {
    return withLab('job tree refresh', 'ms', async (lab, conn) => {
      const actions = new JobActions(conn, lab.user);
      let arrayJobId: string | undefined;
      const service = new JobService(async () => conn, { get: () => undefined, set: async () => undefined }, () => undefined, { historyDays: 1, minIntervalMs: 3_600_000, maxIntervalMs: 3_600_000, sacctEvery: 1_000_000, maxHistory: 10 });
      try {
        const script = await actions.upload(`${lab.home}/hpc-geo-bench`, 'array1000.sbatch', '#!/bin/bash\n#SBATCH --array=0-999\n#SBATCH --output=/dev/null\ntrue\n');
        // held, so the 1,000 tasks stay in the queue for the whole measurement
        arrayJobId = (await actions.submit(script, { chdir: `${lab.home}/hpc-geo-bench`, hold: true })).jobId;
        service.watch({ name: 'lab', user: lab.user });
        const tasks = () => service.jobs('lab')?.current.filter((j) => j.arrayJobId === arrayJobId).length ?? 0;
        for (let i = 0; i < 50 && tasks() < 1000; i++) await service.refresh('lab');
        if (tasks() !== 1000) throw new Error(`squeue showed ${tasks()} of the array's 1,000 tasks`);

        const ours: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          await service.refresh('lab');
          const { current, history } = service.jobs('lab')!;
          groupJobs(current, history);
          ours.push(performance.now() - t);
        }
        const argv = squeueArgv(lab.user);
        const env = { ...process.env, SLURM_CONF: lab.slurmConf };
        const bare: number[] = [];
        let output = '';
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          output = execFileSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' });
          bare.push(performance.now() - t);
        }

        // 10,000 lines: the real output, its job ids shifted so that every line is another task
        const lines = output.split('\n').filter(Boolean);
        const big = Array.from({ length: 10_000 }, (_, i) => lines[i % lines.length]!.replace(/^(\d+)/, (id) => String(Number(id) + Math.floor(i / lines.length) * 100_000))).join('\n');
        const parse: number[] = [];
        const split: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          let t = performance.now();
          const parsed = parseSqueue(big);
          parse.push(performance.now() - t);
          if (parsed.items.length !== 10_000) throw new Error(`parsed ${parsed.items.length} of 10,000 lines`);
          t = performance.now();
          big.split('\n').map((l) => l.split(SEP));
          split.push(performance.now() - t);
        }
        return [
          { metric: `refresh with a 1,000-task array: squeue on the kept connection + parse + tree model (median of ${RUNS})`, value: median(ours), unit: 'ms', alternative: { name: `the bare squeue on the lab's machine (median of ${RUNS})`, value: median(bare) }, note: 'target ≤ 2×' },
          { metric: `parse 10,000 squeue lines (median of ${RUNS})`, value: median(parse), unit: 'ms', alternative: { name: 'splitting them into fields alone', value: median(split) }, note: 'target ≤ 50 ms' },
        ];
      } finally {
        service.dispose();
        if (arrayJobId) await actions.cancel([arrayJobId]).catch(() => undefined);
      }
    });
  },
};
export default bench;
