/**
 * Latency of one small command (squeue) on the cluster: on HPC Geo's kept ssh2 connection, side
 * by side with a new `ssh` process per command (how other extensions do it) and with running it
 * on this machine (the floor). Needs the lab (test/lab/lab.sh), which it brings up.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SshConnection } from '../extension/src/ssh/connection';
import { startLab } from '../test/support/lab';
import { labTarget, opensshArgv } from '../test/support/labTargets';
import { ScriptedPrompter } from '../test/support/prompter';
import { median, type Bench } from './types';

const bench: Bench = {
  name: 'ssh',
  async run() {
    const state = startLab();
    if (!state.ok) return [{ metric: 'small command latency', value: NaN, unit: 'ms', note: `no lab: ${state.reason}` }];
    const lab = state.facts;
    const argv = ['squeue', '-h', '-u', lab.user];
    const conn = await SshConnection.open(labTarget(lab, 'ssh', lab.knownHosts), new ScriptedPrompter());
    try {
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
    } finally {
      conn.end();
    }
  },
};
export default bench;
