/**
 * How jobs end on a real cluster (issue 12): OUT_OF_MEMORY (a job past its --mem, where the lab's
 * Slurm enforces it), PREEMPTED (a job of a higher partition tier takes the node) and NODE_FAIL
 * (a node of a running job goes down, as an administrator takes it), each read by the product's
 * adapter from squeue and sacct, listed as failed, and told as the notification says it.
 */
import { strict as assert } from 'node:assert';
import type { JobEnding } from '../../common/slurm/endings';
import { endingMessage } from '../../common/slurm/endings';
import type { JobRecord } from '../../common/slurm/jobs';
import { treeGroup } from '../../common/slurm/tree';
import type { JobActions } from '../../extension/src/jobs/jobActions';
import type { JobService } from '../../extension/src/jobs/jobService';
import { labAdmin, requireLab, type LabFacts } from '../support/lab';
import { labJobs, type LabJobs } from '../support/labJobs';
import { waitFor } from '../support/wait';

describe('how jobs end on the lab: out of memory, preempted, node failure (issue 12)', function () {
  this.timeout(180_000);
  let lab: LabFacts;
  let jobs: LabJobs | undefined;
  let actions: JobActions;
  let service: JobService;
  const endings: JobEnding[] = [];
  const dir = () => `${lab.home}/hpc-geo-endings`;

  before(async function () {
    lab = requireLab(this);
    jobs = await labJobs(lab);
    ({ actions, service } = jobs);
    await jobs.conn.exec(['rm', '-rf', dir()]);
    service.onDidEnd((e) => endings.push(e));
  });

  after(() => jobs?.end());

  const job = (id: string): JobRecord | undefined => [...service.jobs('lab')!.current, ...service.jobs('lab')!.history].find((j) => j.jobId === id);
  const until = (what: string, pred: () => boolean, ms = 90_000) =>
    waitFor(what, async () => {
      await service.refresh('lab', { history: true });
      return pred() ? true : undefined;
    }, ms, 500);
  const submit = async (name: string, body: string) => (await actions.submit(await actions.upload(dir(), name, `#!/bin/bash\n${body}\n`), { chdir: dir() })).jobId;

  /** The job's final record, listed as failed, and the notification's words for it. */
  async function ended(jobId: string, state: JobRecord['state'], words: RegExp): Promise<void> {
    await until(`job ${jobId} ${state} (now ${job(jobId)?.rawState ?? 'not seen'})`, () => job(jobId)?.state === state && job(jobId)?.source === 'sacct');
    assert.equal(treeGroup(state), 'failed', `${state} is listed with the failed jobs`);
    await waitFor(`the end of job ${jobId} told`, async () => (endings.some((e) => e.jobId === jobId) ? true : undefined), 30_000, 200);
    assert.match(endingMessage(endings.find((e) => e.jobId === jobId)!), words);
  }

  it('a job past its --mem ends OUT_OF_MEMORY, and the notification says it ran out of memory', async function () {
    if (!lab.memoryLimits) {
      // no invented output: the lab says why it cannot produce the state here
      console.log('      this machine has no cgroup v1 memory controller the lab may use: Slurm does not enforce --mem, so no job ends OUT_OF_MEMORY here');
      this.skip();
    }
    // 300 MB through tail (it keeps a line without a newline whole) against 100 MB asked for; bounded where nothing enforces it
    const id = await submit('oom.sbatch', '#SBATCH --job-name=oom\n#SBATCH --mem=100M\n#SBATCH --output=oom-%j.out\nhead -c 300M /dev/zero | tail > /dev/null');
    await ended(id, 'OUT_OF_MEMORY', new RegExp(`^Job ${id} \\(oom\\) on lab ran out of memory( after 00:00:(?!00)\\d\\d)? and was stopped \\(OUT_OF_MEMORY\\)\\.$`));
  });

  it('a job of a lower partition tier is PREEMPTED when a higher one needs its node', async () => {
    const low = await submit('spot.sbatch', `#SBATCH --job-name=spot\n#SBATCH --partition=${lab.preempt.low}\n#SBATCH --exclusive\n#SBATCH --no-requeue\n#SBATCH --output=spot-%j.out\nsleep 300`);
    await until(`job ${low} running`, () => job(low)?.state === 'RUNNING');
    const high = await submit('urgent.sbatch', `#SBATCH --job-name=urgent\n#SBATCH --partition=${lab.preempt.high}\n#SBATCH --exclusive\n#SBATCH --output=urgent-%j.out\nsleep 2`);
    await ended(low, 'PREEMPTED', new RegExp(`^Job ${low} \\(spot\\) on lab was preempted by another job( after 00:00:(?!00)\\d\\d)? \\(PREEMPTED\\)\\.$`));
    await until(`job ${high} completed`, () => job(high)?.state === 'COMPLETED');
  });

  it('a running job whose node an administrator takes down ends NODE_FAIL', async () => {
    const node = lab.wide.nodes[2]!;
    const id = await submit('wide.sbatch', `#SBATCH --job-name=nodefail\n#SBATCH --partition=${lab.wide.partition}\n#SBATCH --nodes=${lab.wide.minNodes}\n#SBATCH --no-requeue\n#SBATCH --output=nodefail-%j.out\nsleep 300`);
    await until(`job ${id} running`, () => job(id)?.state === 'RUNNING');
    try {
      const down = labAdmin('scontrol', 'update', `NodeName=${node}`, 'State=DOWN', 'Reason=hpc-geo-test');
      assert.equal(down.status, 0, down.stderr);
      await ended(id, 'NODE_FAIL', new RegExp(`^Job ${id} \\(nodefail\\) on lab stopped because its node failed( after 00:00:(?!00)\\d\\d)? \\(NODE_FAIL\\)\\.$`));
    } finally {
      // the lab returns a node that registers again to service by itself (ReturnToService=2); RESUME if not yet
      labAdmin('scontrol', 'update', `NodeName=${node}`, 'State=RESUME');
      await waitFor(`${node} back in service`, async () => (/^(idle|mix|alloc)/.test(labAdmin('sinfo', '-h', '-n', node, '-o', '%t').stdout.trim()) ? true : undefined), 60_000, 500);
    }
  });
});
