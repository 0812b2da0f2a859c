/**
 * The Partitions view's sinfo on the lab's real Slurm (issue 13): every partition of the lab with
 * its nodes and CPUs, and a running job's CPUs counted as in use on its partition. And a pending
 * job's expected start, as the Jobs view shows it.
 */
import { strict as assert } from 'node:assert';
import { parseSinfoState, partitionRow, SINFO_STATE_ARGV } from '../../common/slurm/partitions';
import { expectedStart, jobDescription } from '../../common/slurm/tree';
import { requireLab, type LabFacts } from '../support/lab';
import { labJobs, type LabJobs } from '../support/labJobs';
import { waitFor } from '../support/wait';

describe('partitions from the lab\'s sinfo (issue 13)', function () {
  this.timeout(120_000);
  let lab: LabFacts;
  let jobs: LabJobs | undefined;
  const submitted: string[] = [];

  before(async function () {
    lab = requireLab(this);
    jobs = await labJobs(lab);
  });

  after(() => jobs?.end(submitted));

  const partitions = async () => parseSinfoState((await jobs!.conn.exec(SINFO_STATE_ARGV)).stdout.toString('utf8'));

  it('lists every partition with its nodes, CPUs and limits, the default marked', async () => {
    const parts = await partitions();
    const byName = new Map(parts.map((p) => [p.name, p]));
    for (const name of ['normal', 'long', 'wide', 'spot', 'urgent']) assert.ok(byName.has(name), `${name} in ${parts.map((p) => p.name).join(', ')}`);
    const normal = byName.get('normal')!;
    assert.equal(normal.default, true);
    assert.equal(normal.available, 'up');
    assert.equal(normal.timeLimit, '2-00:00:00');
    assert.equal(normal.cpus.total, normal.cpus.allocated + normal.cpus.idle + normal.cpus.other);
    assert.equal(byName.get('wide')!.nodes.total, 4);
    assert.equal(byName.get('wide')!.size, '4-infinite');
    assert.match(partitionRow(normal).label, /^normal \(default\)$/);
  });

  it('counts a running job\'s CPUs as in use on its partition', async () => {
    const before = (await partitions()).find((p) => p.name === 'long')!;
    const script = await jobs!.actions.upload(`${lab.home}/hpc-geo-partitions`, 'busy.sbatch', '#!/bin/bash\n#SBATCH --partition=long\n#SBATCH --cpus-per-task=2\n#SBATCH --output=/dev/null\nsleep 60\n');
    const { jobId } = await jobs!.actions.submit(script, { chdir: `${lab.home}/hpc-geo-partitions` });
    submitted.push(jobId);
    const during = await waitFor('the job\'s CPUs in use on long', async () => {
      const p = (await partitions()).find((x) => x.name === 'long')!;
      return p.cpus.allocated >= before.cpus.allocated + 2 ? p : undefined;
    }, 60_000, 1000);
    assert.ok(during.nodes.mixed + during.nodes.allocated >= 1, JSON.stringify(during.nodes));
    assert.match(partitionRow(during).description, new RegExp(`^${during.cpus.idle} of ${during.cpus.total} CPUs free · `));
  });

  it('says when Slurm expects a job waiting for a full partition to start', async () => {
    // spot has one 4-CPU node: the first job takes it for three minutes, the second waits for it
    const dir = `${lab.home}/hpc-geo-partitions`;
    const script = await jobs!.actions.upload(dir, 'full.sbatch', '#!/bin/bash\n#SBATCH --partition=spot\n#SBATCH --cpus-per-task=4\n#SBATCH --time=3\n#SBATCH --output=/dev/null\nsleep 170\n');
    const first = (await jobs!.actions.submit(script, { chdir: dir })).jobId;
    submitted.push(first);
    const second = (await jobs!.actions.submit(script, { chdir: dir })).jobId;
    submitted.push(second);
    const waiting = await waitFor('the second job pending with an expected start', async () => {
      await jobs!.service.refresh('lab');
      const j = jobs!.service.jobs('lab')!.current.find((x) => x.jobId === second);
      return j?.state === 'PENDING' && expectedStart(j) ? j : undefined;
    }, 60_000, 1000);
    const running = jobs!.service.jobs('lab')!.current.find((x) => x.jobId === first)!;
    assert.equal(running.state, 'RUNNING');
    // the estimate is when the first one's time limit ends (backfill), within a minute
    const at = Date.parse(waiting.start!);
    const ends = Date.parse(running.start!) + 180_000;
    assert.ok(Math.abs(at - ends) <= 60_000, `expected start ${waiting.start}, the running job started ${running.start}`);
    // Slurm says Resources or Priority (a job ahead of it in the queue) as its scheduling pass goes
    assert.match(jobDescription(waiting), /^starts ~(\d{2}-\d{2} )?\d{2}:\d{2} · Waiting for (nodes, CPUs or memory to become free|higher-priority jobs to start first) · spot/);
  });
});
