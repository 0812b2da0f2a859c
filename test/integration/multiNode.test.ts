/**
 * Jobs on several nodes (issue 12), on the lab's partition `wide`, shaped like Betzy's normal:
 * at least 4 whole nodes, each node its own slurmd on a loopback address of its own. Through the
 * product's adapter, job actions, job shell, port forward, progress reader and linter.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSqueue, squeueArgv } from '../../common/slurm/jobs';
import { FIELDS_PIPELINE, logPathFor } from '../../common/progress/progress';
import { expandHostnames } from '../../extension/src/clusters/hostnames';
import { JobActions } from '../../extension/src/jobs/jobActions';
import { jobShellArgv } from '../../extension/src/jobs/jobShellTerminal';
import { ProgressReader } from '../../extension/src/progress/progressReader';
import { SshConnection } from '../../extension/src/ssh/connection';
import { CommandError } from '../../extension/src/ssh/errors';
import { engine, lintText } from '../support/engine';
import { requireLab, type LabFacts } from '../support/lab';
import { freshKnownHosts, labTarget } from '../support/labTargets';
import { repoRoot } from '../support/manifest';
import { ScriptedPrompter } from '../support/prompter';
import { httpGet } from '../support/http';
import { waitFor } from '../support/wait';

describe('jobs on several nodes against the lab (issue 12)', function () {
  this.timeout(180_000);
  let lab: LabFacts;
  let conn: SshConnection;
  let actions: JobActions;
  const dir = () => `${lab.home}/hpc-geo-wide`;
  const submitted: string[] = [];
  const state = async (jobId: string) => (await conn.exec(['squeue', '-h', '-j', jobId, '-o', '%T'], { allowNonZero: true })).stdout.toString().trim();

  before(async function () {
    lab = requireLab(this);
    await engine();
    conn = await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter());
    actions = new JobActions(conn, lab.user);
    await conn.exec(['rm', '-rf', dir()]);
  });

  after(async () => {
    if (!conn) return;
    if (submitted.length) await conn.exec(['scancel', ...submitted], { allowNonZero: true });
    conn.end();
  });

  describe('a job on all four nodes', () => {
    let jobId: string;
    const port = 19000 + (process.pid % 1000);

    before(async () => {
      // every node serves a page on its own address, as a Dask worker's dashboard would
      const script = await actions.upload(
        dir(),
        'serve.sbatch',
        [
          '#!/bin/bash',
          '#SBATCH --job-name=wide-serve',
          `#SBATCH --partition=${lab.wide.partition}`,
          `#SBATCH --nodes=${lab.wide.minNodes}`,
          '#SBATCH --time=00:05:00',
          '#SBATCH --output=/dev/null',
          `srun --ntasks-per-node=1 bash -c 'addr=$(getent hosts "$SLURMD_NODENAME" | cut -d" " -f1); mkdir -p page_$SLURMD_NODENAME; echo "page of $SLURMD_NODENAME" > page_$SLURMD_NODENAME/index.html; exec timeout 250 python3 -m http.server ${port} --bind "$addr" --directory page_$SLURMD_NODENAME'`,
          '',
        ].join('\n'),
      );
      ({ jobId } = await actions.submit(script, { chdir: dir() }));
      submitted.push(jobId);
      await waitFor('the 4-node job running', async () => ((await state(jobId)) === 'RUNNING' ? true : undefined), 60_000, 500);
    });
    // it holds all four nodes: the next job on them would wait for its time limit
    after(async () => {
      if (jobId) await conn.exec(['scancel', jobId], { allowNonZero: true });
    });

    it('lists the job with its node list, and the node list reads as the four nodes', async () => {
      const parsed = parseSqueue((await conn.exec(squeueArgv(lab.user))).stdout.toString());
      const job = parsed.items.find((j) => j.jobId === jobId);
      assert.ok(job, `job ${jobId} listed`);
      assert.equal(job.partition, lab.wide.partition);
      assert.equal(job.nodeList, 'geo[01-04]');
      assert.deepEqual(await expandHostnames(conn, job.nodeList, (m) => assert.fail(m)), lab.wide.nodes);
    });

    it('opens the job shell on the node picked (srun --overlap --nodelist), not on the first', async () => {
      const ch = await conn.pty(jobShellArgv(jobId, 'geo03'), { cols: 100, rows: 30 });
      let out = '';
      ch.on('data', (d: Buffer) => (out += d.toString()));
      ch.write('echo "node=$SLURMD_NODENAME"; exit\n');
      await new Promise<void>((resolve) => ch.on('close', () => resolve()));
      assert.match(out, /node=geo03/);
    });

    it('forwards a local port to a page served on a named compute node', async () => {
      const fwd = await conn.forwardLocal('geo02', port);
      try {
        const body = await waitFor('the page of geo02 through the forward', async () => httpGet(fwd.localPort).catch(() => undefined), 30_000, 300);
        assert.equal(body.trim(), 'page of geo02');
      } finally {
        await fwd.close();
      }
    });
  });

  it('shows sbatch\'s refusal of one node on the partition as Slurm words it, and the linter flags the same line', async () => {
    const text = `#!/bin/bash\n#SBATCH --partition=${lab.wide.partition}\n#SBATCH --nodes=1\n#SBATCH --time=00:05:00\nsrun hostname\n`;
    const script = await actions.upload(dir(), 'one-node.sbatch', text);
    const error = await actions.submit(script, { chdir: dir() }).then(
      (r) => (submitted.push(r.jobId), assert.fail(`sbatch took job ${r.jobId}`)),
      (e: unknown) => e as Error,
    );
    assert.ok(error instanceof CommandError, String(error));
    assert.match(error.message, /sbatch: error: Batch job submission failed: Node count specification invalid/);
    const findings = lintText(text, { profile: 'lab' }).filter((d) => d.code === 'nodes-below-partition-minimum');
    assert.equal(findings.length, 1, JSON.stringify(lintText(text, { profile: 'lab' })));
    assert.equal(text.slice(0, findings[0]!.start).split('\n').length, 3, 'on the --nodes=1 line');
    assert.match(findings[0]!.message, /needs at least 4 nodes/);
  });

  it('runs the fields pipeline one year per node, watched live in the progress reader', async function () {
    this.timeout(240_000);
    const example = readFileSync(join(repoRoot, 'examples', 'lab', 'fields_wide.sbatch'), 'utf8');
    assert.deepEqual(lintText(example, { profile: 'lab' }).map((d) => `${d.code}: ${d.message}`), [], 'the example is clean for the linter');
    const work = `${dir()}/fields`;
    const script = await actions.upload(work, 'fields_wide.sbatch', example);
    const { jobId } = await actions.submit(script, { chdir: work });
    submitted.push(jobId);
    const spec = { ...FIELDS_PIPELINE, dir: work, keys: '2012..2015' };
    const years = ['2012', '2013', '2014', '2015'];
    const reader = new ProgressReader(conn, spec, years.map((key) => ({ key, path: logPathFor(spec, key) })));
    const seen = new Set<string>();
    await waitFor(
      'every year to end (done, or failed for 2014)',
      async () => {
        const rows = await reader.refresh();
        for (const r of rows) seen.add(r.cells.join(','));
        const ends = rows.map((r) => (r.cells.every((c) => c === 'done') ? 'done' : r.cells.includes('failed') ? 'failed' : 'running'));
        return ends.join(',') === 'done,done,failed,done' ? true : undefined;
      },
      180_000,
      1000,
    );
    assert.ok([...seen].some((s) => s.includes('running')), 'a refresh saw a stage running: the grid moved live');
    const nodes = await Promise.all(years.map(async (y) => /on node (\S+)/.exec((await conn.exec(['cat', logPathFor(spec, y)])).stdout.toString())?.[1]));
    assert.deepEqual([...nodes].sort(), lab.wide.nodes, 'one year per node');
    await waitFor('the job to end', async () => ((await state(jobId)) === '' ? true : undefined), 60_000, 1000);
  });
});
