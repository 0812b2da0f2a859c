/**
 * Issue 10 items 3 and 6 against the lab's Slurm 22.05: a job's end is told once (an array once,
 * its tasks counted), and a finished job's log is where its --output said, also once Slurm has
 * forgotten the job (scontrol answers "Invalid job id" after MinJobAge; sacct 22.05 has no StdOut).
 */
import { strict as assert } from 'node:assert';
import { endingMessage, type JobEnding } from '../../common/slurm/endings';
import { JobActions, type SubmitRecord } from '../../extension/src/jobs/jobActions';
import { JobService } from '../../extension/src/jobs/jobService';
import { MemoryStore } from '../support/memoryStore';
import { SshConnection } from '../../extension/src/ssh/connection';
import type { CommandRunner, ExecOptions, ExecResult } from '../../extension/src/ssh/types';
import { requireLab, type LabFacts } from '../support/lab';
import { labJobs, type LabJobs } from '../support/labJobs';
import { waitFor } from '../support/wait';


/** The lab's connection, with scontrol answering as for a job Slurm no longer holds. */
class ForgetfulSlurm implements CommandRunner {
  readonly name = 'lab, jobs forgotten';
  constructor(private readonly conn: SshConnection) {}
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    if (argv[0] === 'scontrol' && argv[1] === 'show') return Promise.resolve({ code: 1, stdout: Buffer.alloc(0), stderr: 'slurm_load_jobs error: Invalid job id specified\n' });
    return this.conn.exec(argv, options);
  }
}

describe('job ends and their logs against the lab (issue 10 items 3 and 6)', function () {
  this.timeout(300_000);
  let lab: LabFacts;
  let conn: SshConnection;
  let actions: JobActions;
  let service: JobService;
  let jobs: LabJobs | undefined;
  const ended: JobEnding[] = [];
  const mine: string[] = [];
  const dir = () => `${lab.home}/hpc-geo-tests/ends`;

  before(async function () {
    lab = requireLab(this);
    jobs = await labJobs(lab, new MemoryStore(), 600_000);
    ({ conn, actions, service } = jobs);
    service.onDidEnd((e) => ended.push(e));
  });

  // only this suite's jobs: other suites share the lab user
  after(() => jobs?.end(mine));

  const known = (id: string) => [...service.jobs('lab')!.current, ...service.jobs('lab')!.history].find((j) => j.jobId === id);
  async function until<T>(what: string, probe: () => T | undefined, ms = 180_000): Promise<T> {
    return waitFor(what, async () => {
      await service.refresh('lab');
      return probe();
    }, ms, 500);
  }

  let plain: SubmitRecord;
  let array: SubmitRecord;

  it('tells one end for a plain job, with its exit code, and one for a whole array, its tasks counted', async () => {
    const upload = (name: string, body: string) => actions.upload(dir(), name, `#!/bin/bash\n${body}\n`);
    const p = await upload('named.sbatch', '#SBATCH --job-name=ends-named\n#SBATCH --output=%x-%j.out\necho plain output\nexit 3');
    const a = await upload('zonal.sbatch', '#SBATCH --job-name=ends-zonal\n#SBATCH --array=0-3\n#SBATCH --output=zonal_%A_%a.out\necho "task $SLURM_ARRAY_TASK_ID"\n[ $((SLURM_ARRAY_TASK_ID % 2)) -eq 0 ]');
    // held until the service has seen them queued: ends are told of what was watched
    plain = await actions.submit(p, { chdir: dir(), hold: true });
    array = await actions.submit(a, { chdir: dir(), hold: true });
    mine.push(plain.jobId, array.jobId);
    await until('both queued', () => (known(plain.jobId) && service.jobs('lab')!.current.filter((j) => j.arrayJobId === array.jobId).length === 4) || undefined);
    await actions.control('release', [plain.jobId, array.jobId]);
    await until('both ends told', () => (ended.some((e) => e.jobId === plain.jobId) && ended.some((e) => e.jobId === array.jobId)) || undefined);
    for (let i = 0; i < 3; i++) await service.refresh('lab', { history: true }); // and nothing twice

    const plainEnds = ended.filter((e) => e.jobId === plain.jobId);
    assert.equal(plainEnds.length, 1);
    assert.equal(plainEnds[0]!.kind, 'job');
    assert.equal(plainEnds[0]!.records[0]!.exitCode, '3:0');
    assert.match(endingMessage(plainEnds[0]!), new RegExp(`^Job ${plain.jobId} \\(ends-named\\) on lab failed with exit code 3( after 00:00:(?!00)\\d\\d)? \\(FAILED\\)\\.$`));

    const arrayEnds = ended.filter((e) => e.jobId === array.jobId);
    assert.equal(arrayEnds.length, 1, 'one notification for the array, not one per task');
    assert.deepEqual(arrayEnds[0]!.counts, { COMPLETED: 2, FAILED: 2 });
    assert.equal(endingMessage(arrayEnds[0]!), `Array ${array.jobId} (ends-zonal) on lab ended: 2 done · 2 failed.`);
    assert.equal(ended.filter((e) => mine.includes(e.jobId.split('_')[0]!)).length, 2, 'no task was told of on its own');
  });

  it("finds a finished job's --output=%x-%j.out log once Slurm has forgotten the job, from what squeue showed", async () => {
    const forgetful = new JobActions(new ForgetfulSlurm(conn), lab.user);
    const job = ended.find((e) => e.jobId === plain.jobId)!.records[0]!;
    const paths = await forgetful.logPaths(job);
    assert.deepEqual(paths, { stdout: `${dir()}/ends-named-${plain.jobId}.out` });
    assert.equal((await conn.exec(['cat', paths.stdout])).stdout.toString(), 'plain output\n');
    // a record that squeue never showed (it ended between two refreshes): what was recorded at submit
    const { stdOut: _o, stdErr: _e, ...bare } = job;
    assert.equal(plain.stdOut, `${dir()}/%x-%j.out`, 'squeue at the submission');
    assert.deepEqual(await forgetful.logPaths(bare, plain), { stdout: `${dir()}/ends-named-${plain.jobId}.out` });
  });

  it("finds an array task's --output=zonal_%A_%a.out log, not slurm-%A_%a.out", async () => {
    const forgetful = new JobActions(new ForgetfulSlurm(conn), lab.user);
    const task = ended.find((e) => e.jobId === array.jobId)!.records.find((t) => t.arrayTaskId === '3')!;
    const paths = await forgetful.logPaths(task);
    assert.deepEqual(paths, { stdout: `${dir()}/zonal_${array.jobId}_3.out` });
    assert.equal((await conn.exec(['cat', paths.stdout])).stdout.toString(), 'task 3\n');
    // and while Slurm still holds it, the same
    assert.deepEqual(await actions.logPaths(known(`${array.jobId}_3`)!), paths);
  });

  it("finds an array task's --output=own_%j.out log by the task's own job id once Slurm has forgotten it", async () => {
    const s = await actions.upload(dir(), 'own.sbatch', '#!/bin/bash\n#SBATCH --job-name=ends-own\n#SBATCH --array=0-1\n#SBATCH --output=own_%j.out\necho "task $SLURM_ARRAY_TASK_ID is job $SLURM_JOB_ID"\n');
    const own = await actions.submit(s, { chdir: dir(), hold: true });
    mine.push(own.jobId);
    await until('its tasks queued', () => service.jobs('lab')!.current.filter((j) => j.arrayJobId === own.jobId).length === 2 || undefined);
    await actions.control('release', [own.jobId]);
    await until('its end told', () => ended.some((e) => e.jobId === own.jobId) || undefined);
    const forgetful = new JobActions(new ForgetfulSlurm(conn), lab.user);
    for (const task of ended.find((e) => e.jobId === own.jobId)!.records) {
      assert.ok(task.ownJobId, `task ${task.arrayTaskId} has its own job id`);
      const paths = await forgetful.logPaths(task);
      assert.equal(paths.stdout, `${dir()}/own_${task.ownJobId}.out`, 'the %j of an array task is its own id, not the array\'s');
      assert.equal((await conn.exec(['cat', paths.stdout!])).stdout.toString(), `task ${task.arrayTaskId} is job ${task.ownJobId}\n`);
    }
  });
});
