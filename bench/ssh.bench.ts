/**
 * Latency of one small command (squeue) on the cluster: on HPC Geo's kept ssh2 connection, side
 * by side with a new `ssh` process per command (how other extensions do it) and with running it
 * on this machine (the floor). Needs the lab (test/lab/lab.sh), which it brings up.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { opensshArgv } from '../test/support/labTargets';
import { withLab } from './lab';
import { median, type Bench } from './types';

const bench: Bench = {
  name: 'ssh',
  async run() {
    return withLab('small command latency', 'ms', async (lab, conn) => {
      const argv = ['squeue', '-h', '-u', lab.user];
      for (let i = 0; i < 5; i++) await conn.exec(argv);
      const kept: number[] = [];
      for (let i = 0; i < 60; i++) {
        const t = performance.now();
        await conn.exec(argv);
        kept.push(performance.now() - t);
      }
      const perProcess: number[] = [];
      const sshArgs = opensshArgv(lab, argv);
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        const r = spawnSync('ssh', sshArgs, { stdio: 'ignore' });
        perProcess.push(performance.now() - t);
        if (r.status !== 0) throw new Error(`ssh exited ${r.status}`);
      }
      const local: number[] = [];
      const env = { ...process.env, SLURM_CONF: lab.slurmConf };
      for (let i = 0; i < 60; i++) {
        const t = performance.now();
        execFileSync(argv[0]!, argv.slice(1), { env, stdio: 'ignore' });
        local.push(performance.now() - t);
      }
      const ours = median(kept);
      return [
        { metric: 'squeue on the open connection (median of 60)', value: ours, unit: 'ms', alternative: { name: 'a new ssh process per command (median of 20)', value: median(perProcess) }, note: 'target: ≥ 10× faster' },
        { metric: 'squeue on the open connection (median of 60)', value: ours, unit: 'ms', alternative: { name: 'squeue run on this machine, the floor (median of 60)', value: median(local) }, note: 'target: ≤ 1.5× the floor' },
      ];
    });
  },
};
export default bench;
