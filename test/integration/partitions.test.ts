/**
 * The Partitions view's sinfo on the lab's real Slurm (issue 13): every partition of the lab with
 * its nodes and CPUs, and a running job's CPUs counted as in use on its partition.
 */
import { strict as assert } from 'node:assert';
import { parseSinfoState, partitionRow, SINFO_STATE_ARGV } from '../../common/slurm/partitions';
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
});
