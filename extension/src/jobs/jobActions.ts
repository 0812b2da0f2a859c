/**
 * The everyday job actions on one cluster, as Slurm commands built from argv. No vscode here: the
 * commands in jobCommands.ts ask the user and call these.
 */
import { posix } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import {
  arrayUpdateFailures,
  parseSacct,
  parseSbatchParsable,
  parseScontrolJobs,
  parseSqueue,
  parseUsage,
  sacctJobsArgv,
  sbatchArgv,
  scancelArgv,
  scontrolActionArgv,
  scontrolShowJobArgv,
  squeueJobArgv,
  throttleArgv,
  usageArgv,
  type JobRecord,
  type SubmitOptions,
  type UsageRow,
} from '../../../common/slurm/jobs';
import { defaultLogPattern, recordedLogPatterns, resolveLogPattern, type LogFacts } from '../../../common/slurm/logPath';
import { planResubmit, TaskUsageParser, taskUsageArgv, type ResubmitGroup, type TaskUsage } from '../../../common/slurm/resubmit';
import { isFailure } from '../../../common/slurm/tree';
import { lastOption, parseSbatchHeader, splitLines } from '../../../common/sbatch/directives';
import { parseSstat, sstatArgv, type LiveUsageRow } from '../../../common/slurm/usage';
import { CommandError, describeArgv } from '../ssh/errors';
import type { CommandRunner } from '../ssh/types';

/** What HPC Geo remembers of a job it submitted (Slurm forgets finished jobs' scripts). */
export interface SubmitRecord {
  jobId: string;
  script: string;
  workDir: string;
  submittedAt: number;
  array?: string;
  /** StdOut and StdErr as squeue showed them right after the submission (patterns unresolved). */
  stdOut?: string;
  stdErr?: string;
}

/** The failed tasks of an array, in groups by cause, with the sbatch command line of each. */
export interface ResubmitPlan {
  arrayJobId: string;
  script: string;
  workDir: string;
  groups: ResubmitGroup[];
  /** One sbatch argv per group, as it will run. */
  argv: string[][];
  /** Tasks that were cancelled (not resubmitted). */
  cancelled: number;
}

/** A job action (scancel, scontrol, sacct, sbatch) that has not answered in this long has failed. */
export const ACTION_TIMEOUT_MS = 60_000;

export class JobActions {
  /** How long an action may take before it fails with CommandError naming it (the connection stays). */
  private readonly timeoutMs: number;
  private home: Promise<string> | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly user: string,
    options: { timeoutMs?: number } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? ACTION_TIMEOUT_MS;
  }

  /** Runs one Slurm command of an action, within the actions' timeout. */
  private run(argv: readonly string[], options: { allowNonZero?: boolean } = {}) {
    return this.runner.exec(argv, { ...options, timeoutMs: this.timeoutMs });
  }

  /**
   * Writes a script to the cluster (creating its folder; a relative folder is under the login's
   * home, and `~` or `~/...` is the home as in a shell) without a shell seeing its text, and
   * returns its absolute path.
   */
  async upload(dir: string, fileName: string, text: string): Promise<string> {
    const script = 'case $1 in "~") d=$HOME ;; "~/"*) d=$HOME/${1#"~/"} ;; *) d=$1 ;; esac; mkdir -p -- "$d" && cd -- "$d" && cat > "./$2" && printf "%s/%s" "$(pwd -P)" "$2"';
    const r = await this.runner.exec(['sh', '-c', script, 'sh', dir, fileName], { stdin: text, timeoutMs: this.timeoutMs });
    return r.stdout.toString('utf8');
  }

  async submit(script: string, opts: SubmitOptions = {}): Promise<SubmitRecord> {
    const r = await this.run(sbatchArgv(script, opts));
    const { jobId } = parseSbatchParsable(r.stdout.toString('utf8'));
    return { jobId, script, workDir: opts.chdir ?? posix.dirname(script), submittedAt: Date.now(), ...(opts.array ? { array: opts.array } : {}), ...(await this.recordedLogs(jobId)) };
  }

  /** Where Slurm says a job just submitted writes (Slurm forgets it a few minutes after the end). */
  private async recordedLogs(jobId: string): Promise<Pick<SubmitRecord, 'stdOut' | 'stdErr'>> {
    try {
      const r = await this.run(squeueJobArgv(jobId), { allowNonZero: true });
      const job = parseSqueue(r.stdout.toString('utf8')).items.find((j) => j.jobId === jobId || j.arrayJobId === jobId);
      return { ...(job?.stdOut ? { stdOut: job.stdOut } : {}), ...(job?.stdErr ? { stdErr: job.stdErr } : {}) };
    } catch {
      return {}; // the submission stands; the paths come from elsewhere
    }
  }

  async cancel(jobIds: readonly string[]): Promise<void> {
    // scancel exits 0 even for a job id it does not know; it says so on stderr
    const r = await this.run(scancelArgv(jobIds));
    const err = r.stderr.split('\n').filter((l) => /error:/i.test(l));
    if (err.length) throw new CommandError(describeArgv(scancelArgv(jobIds)), r.code, err.join('\n'));
  }

  async control(action: 'hold' | 'release' | 'requeue', jobIds: readonly string[]): Promise<void> {
    await this.run(scontrolActionArgv(action, jobIds));
  }

  /**
   * Sets how many tasks of an array run at once. Success when every chunk of tasks Slurm answered
   * for took it or had already finished (scontrol exits 1 for those too); else the chunks that
   * refused, in Slurm's words.
   */
  async throttle(arrayJobId: string, maxRunning: number): Promise<void> {
    const argv = throttleArgv(arrayJobId, maxRunning);
    const r = await this.run(argv, { allowNonZero: true });
    if (r.code === 0) return;
    const failures = arrayUpdateFailures(`${r.stderr}\n${r.stdout.toString('utf8')}`);
    const answered = /\S/.test(r.stderr) || /\S/.test(r.stdout.toString('utf8'));
    if (answered && !failures.length) return;
    throw new CommandError(describeArgv(argv), r.code, failures.join('\n') || r.stderr);
  }

  /** scontrol's record of a job (while Slurm still holds it), one per array task. */
  async show(jobId: string): Promise<Record<string, string>[]> {
    const r = await this.run(scontrolShowJobArgv(jobId), { allowNonZero: true });
    return r.code === 0 ? parseScontrolJobs(r.stdout.toString('utf8')).items : [];
  }

  async accounting(jobIds: readonly string[]): Promise<JobRecord[]> {
    return parseSacct((await this.run(sacctJobsArgv(jobIds))).stdout.toString('utf8')).items;
  }

  /** What each task of an array used and how it ended: one sacct with the steps, read as it arrives. */
  async taskUsage(arrayJobId: string): Promise<TaskUsage[]> {
    const parser = new TaskUsageParser(arrayJobId);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    const take = (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop()!;
      for (const line of lines) parser.push(line);
    };
    await this.runner.exec(taskUsageArgv(arrayJobId), { timeoutMs: this.timeoutMs, onStdout: (chunk) => take(decoder.write(chunk)) });
    take(`${decoder.end()}\n`);
    return parser.result();
  }

  /**
   * How the failed tasks of an array would be submitted again, by cause (planResubmit): the same
   * script in the same folder, tasks out of memory with more memory, timed-out ones with more
   * time. The script comes from Slurm while it remembers the job, else from HPC Geo's record of
   * the submission; its #SBATCH lines tell which memory option to raise. Nothing is submitted.
   */
  async planResubmitFailed(arrayJobId: string, record?: SubmitRecord): Promise<ResubmitPlan> {
    const tasks = await this.taskUsage(arrayJobId);
    if (!tasks.some((t) => isFailure(t.state))) throw new Error(`No task of array ${arrayJobId} failed.`);
    const known = (await this.show(arrayJobId))[0];
    const script = known?.Command && known.Command !== '(null)' ? known.Command : record?.script;
    const workDir = known?.WorkDir ?? record?.workDir;
    if (!script || !workDir) throw new Error(`The script of job ${arrayJobId} is not known: Slurm no longer holds it and it was not submitted from HPC Geo.`);
    const text = await this.run(['cat', '--', script], { allowNonZero: true });
    const header = parseSbatchHeader(splitLines(text.stdout.toString('utf8')));
    const memOption = (['mem-per-cpu', 'mem-per-gpu', 'mem'] as const).find((o) => lastOption(header, o)) ?? 'mem';
    const gpus = Number(lastOption(header, 'gpus-per-task')?.value ?? lastOption(header, 'gpus')?.value ?? 1) || 1;
    const throttle = Number(known?.ArrayTaskThrottle ?? 0) || undefined;
    const groups = planResubmit(tasks, { memOption, gpusPerTask: gpus, ...(throttle ? { throttle } : {}) });
    return { arrayJobId, script, workDir, groups, argv: groups.map((g) => sbatchArgv(script, { chdir: workDir, array: g.indexes, options: g.options })), cancelled: tasks.filter((t) => t.state === 'CANCELLED').length };
  }

  /** Submits each group of a plan: one new array job per group. */
  async submitPlan(plan: ResubmitPlan): Promise<SubmitRecord[]> {
    const out: SubmitRecord[] = [];
    for (const g of plan.groups) out.push(await this.submit(plan.script, { chdir: plan.workDir, array: g.indexes, options: g.options }));
    return out;
  }

  /**
   * The stdout and stderr files of a job: from Slurm's own record while it has one (patterns it
   * left are resolved here), else from what was recorded at submission, else Slurm's defaults in
   * the job's working directory.
   */
  async logPaths(job: JobRecord, record?: SubmitRecord): Promise<{ stdout: string; stderr?: string }> {
    const rec = (await this.show(job.jobId))[0];
    const facts = await this.logFacts(job, rec, record?.workDir);
    // what Slurm showed while the job was listed (squeue) or kept (sacct 24.05+), then scontrol's
    // record while it has one, then what squeue showed at the submission, then sbatch's default
    const patterns = [
      recordedLogPatterns(job),
      rec?.StdOut ? { stdout: rec.StdOut, ...(rec.StdErr ? { stderr: rec.StdErr } : {}) } : {},
      recordedLogPatterns({ ...(record ?? {}), ...(job.arrayJobId ? { arrayJobId: job.arrayJobId } : {}) }),
    ].find((p) => p.stdout) ?? { stdout: defaultLogPattern(!!job.arrayJobId) };
    const stdout = resolveLogPattern(patterns.stdout!, facts);
    const stderr = patterns.stderr ? resolveLogPattern(patterns.stderr, facts) : undefined;
    return { stdout, ...(stderr && stderr !== stdout ? { stderr } : {}) };
  }

  /** The stdout file of each task of an array (task index → path), from one `scontrol show job`. */
  async arrayLogPaths(arrayJobId: string, tasks: Iterable<JobRecord>): Promise<Map<string, string>> {
    const records = await this.show(arrayJobId);
    // a task Slurm no longer lists writes where its siblings do, with its own index
    const siblings = records[0]?.StdOut?.replace(/_\d+(\.\w+)$/, '_%a$1') ?? defaultLogPattern(true);
    const paths = new Map<string, string>();
    for (const task of tasks) {
      const rec = records.find((r) => r.ArrayTaskId === task.arrayTaskId);
      paths.set(task.arrayTaskId!, resolveLogPattern(rec?.StdOut ?? siblings, await this.logFacts(task, rec, records[0]?.WorkDir)));
    }
    return paths;
  }

  /**
   * What a log pattern's % fields stand for: Slurm's record first, then ours. The work dir is
   * absolute: one that is unknown or relative is taken from the login's home, where sbatch
   * starts, so that a log path never comes out relative (Open Log read it from `/`).
   */
  private async logFacts(job: JobRecord, rec: Record<string, string> | undefined, workDir?: string): Promise<LogFacts> {
    const dir = rec?.WorkDir ?? job.workDir ?? workDir ?? '';
    return {
      jobId: rec?.JobId ?? job.ownJobId ?? job.jobId.replace(/_.*/, ''),
      ...(job.arrayJobId ? { arrayJobId: job.arrayJobId } : {}),
      ...(job.arrayTaskId ? { arrayTaskId: job.arrayTaskId } : {}),
      name: rec?.JobName ?? job.name,
      user: this.user,
      workDir: dir.startsWith('/') ? dir : posix.join(await this.homeDir(), dir),
      ...(job.nodeList ? { node: job.nodeList.split(/[,[]/)[0]! } : {}),
    };
  }

  /** The login's home on the cluster (asked once). */
  private homeDir(): Promise<string> {
    this.home ??= this.run(['sh', '-c', 'printf %s "$HOME"']).then(
      (r) => r.stdout.toString('utf8'),
      (e: unknown) => {
        this.home = undefined;
        throw e;
      },
    );
    return this.home;
  }

  /** sacct's usage of a finished job and its steps: Elapsed, MaxRSS, TotalCPU against the request. */
  async usage(jobId: string): Promise<UsageRow[]> {
    return parseUsage((await this.run(usageArgv(jobId))).stdout.toString('utf8')).items;
  }

  /** A running job's steps' figures so far (sstat). */
  async liveUsage(jobId: string): Promise<LiveUsageRow[]> {
    return parseSstat((await this.run(sstatArgv(jobId))).stdout.toString('utf8'));
  }
}
