/**
 * Resubmitting an array's failed tasks by the cause of each failure: what every task used and how
 * it ended, from one sacct of the whole array (its steps included, where MaxRSS is), then a plan:
 * tasks killed for memory again with more memory (from their peak), timed-out tasks with more
 * time, the others as they were. The plan is shown as the exact sbatch lines before anything is
 * submitted. Pure: argv, a line parser that can be fed as output arrives, the plan.
 */
import { formatTime } from '../sbatch/values';
import { commandLine } from '../shellWords';
import { compressIndexes, durationSeconds, normalizeState, SEP, type JobState } from './jobs';
import { isFailure } from './tree';

const FIELDS = ['JobID', 'State', 'ExitCode', 'Elapsed', 'Timelimit', 'ReqMem', 'MaxRSS', 'TotalCPU', 'AllocCPUS', 'NodeList'] as const;

/** One sacct for every task of an array and their steps (the steps hold MaxRSS). */
export function taskUsageArgv(arrayJobId: string): string[] {
  return ['sacct', '--noheader', '--parsable2', `--delimiter=${SEP}`, `--jobs=${arrayJobId}`, `--format=${FIELDS.join(',')}`];
}

export interface TaskUsage {
  index: number;
  state: JobState;
  exitCode?: string;
  elapsedSeconds?: number;
  limitSeconds?: number;
  /** What the task asked for, in MiB, as sacct prints it (per node or per CPU: see `memPerCpu`). */
  reqMemMiB?: number;
  /** sacct's ReqMem of Slurm before 21.08 marked per-CPU requests with `c`; later ones do not say. */
  memPerCpu?: boolean;
  /** The largest MaxRSS of its steps, in MiB. */
  peakRssMiB?: number;
  totalCpuSeconds?: number;
  cpus?: number;
  node?: string;
}

/** sacct's sizes (`1000M`, `4000Mc`, `2.50G`, `123456K`, a bare number of bytes for MaxRSS) in MiB. */
export function mebibytes(value: string | undefined, bareUnit: 'B' | 'M' = 'M'): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]?)[nc]?$/i.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] || bareUnit).toUpperCase();
  const factor: Record<string, number> = { B: 1 / (1024 * 1024), K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024, P: 1024 * 1024 * 1024 };
  return n * factor[unit]!;
}

/** sacct's TotalCPU: an elapsed value (`[D-][HH:]MM:SS`) with milliseconds (`.mmm`) kept. */
function cpuSeconds(v: string | undefined): number | undefined {
  const whole = durationSeconds(v);
  if (whole === undefined || !Number.isFinite(whole)) return undefined;
  const ms = /\.(\d+)$/.exec(v!.trim());
  return whole + (ms ? Number(`0.${ms[1]}`) : 0);
}

/**
 * Reads taskUsageArgv's lines one at a time (`push`), as the output arrives: a task's own line
 * gives its state and request, its steps' lines (`1234_5.batch`, `1234_5.0`) its peak memory.
 */
export class TaskUsageParser {
  private readonly tasks = new Map<number, TaskUsage>();
  readonly skipped: string[] = [];

  constructor(private readonly arrayJobId: string) {}

  push(line: string): void {
    if (!line.trim()) return;
    const f = line.split(SEP);
    const m = /^(\d+)_(\d+)(?:\.(.+))?$/.exec(f[0] ?? '');
    if (f.length !== FIELDS.length || !m || m[1] !== this.arrayJobId) {
      // the array's own line of tasks never started (`1234_[5-9]`) has nothing to resubmit by cause
      if (!/^\d+_\[/.test(f[0] ?? '')) this.skipped.push(line);
      return;
    }
    const [, state, exitCode, elapsed, limit, reqMem, maxRss, totalCpu, allocCpus, nodeList] = f as string[];
    const index = Number(m[2]);
    const task = this.tasks.get(index) ?? { index, state: 'UNKNOWN' as JobState };
    const rss = mebibytes(maxRss, 'B');
    if (rss !== undefined) task.peakRssMiB = Math.max(task.peakRssMiB ?? 0, rss);
    if (!m[3]) {
      task.state = normalizeState(state!);
      if (exitCode) task.exitCode = exitCode;
      const e = durationSeconds(elapsed);
      if (e !== undefined) task.elapsedSeconds = e;
      const l = durationSeconds(limit);
      if (l !== undefined && Number.isFinite(l)) task.limitSeconds = l;
      const req = mebibytes(reqMem);
      if (req !== undefined) task.reqMemMiB = req;
      if (/c$/.test(reqMem ?? '')) task.memPerCpu = true;
      const cpu = cpuSeconds(totalCpu);
      if (cpu !== undefined) task.totalCpuSeconds = cpu;
      if (Number(allocCpus)) task.cpus = Number(allocCpus);
      if (nodeList && nodeList !== 'None assigned') task.node = nodeList;
    }
    this.tasks.set(index, task);
  }

  /** The tasks in index order. */
  result(): TaskUsage[] {
    return [...this.tasks.values()].sort((a, b) => a.index - b.index);
  }
}

export function parseTaskUsage(arrayJobId: string, text: string): TaskUsage[] {
  const p = new TaskUsageParser(arrayJobId);
  for (const line of text.split('\n')) p.push(line);
  return p.result();
}

/** CPU efficiency: TotalCPU ÷ (Elapsed × CPUs), when all three are known. */
export function cpuEfficiency(t: TaskUsage): number | undefined {
  if (!t.totalCpuSeconds || !t.elapsedSeconds || !t.cpus) return undefined;
  return t.totalCpuSeconds / (t.elapsedSeconds * t.cpus);
}

/** The memory option the script itself uses, so that the resubmission raises the same one (sbatch refuses two of them). */
export type MemOption = 'mem' | 'mem-per-cpu' | 'mem-per-gpu';

export interface ResubmitGroup {
  /** Why these tasks go again and how, in words ("2 ran out of memory (peak 7.8 GiB of 8 GiB asked), again with 1.5× that"). */
  reason: string;
  indexes: string;
  /** Options added before the script on sbatch's command line (they override its #SBATCH lines). */
  options: string[];
}

/** How much more to give: memory from the peak (or the request when no peak was recorded), time from the limit. */
export const MEMORY_FACTOR = 1.5;
export const TIME_FACTOR = 1.5;

/** Whole GiB above `mib` (at least 1). */
function gibAbove(mib: number): number {
  return Math.max(1, Math.ceil(mib / 1024));
}

/** `[D-]HH:MM:SS` for sbatch's --time, rounded up to a whole minute. */
function sbatchTime(seconds: number): string {
  return formatTime(Math.ceil(seconds / 60) * 60);
}

/** "1 task", "3 tasks". */
function count(n: number): string {
  return n === 1 ? '1 task' : `${n} tasks`;
}

/** A size in words: MiB below a GiB, GiB above. */
function gib(mib: number): string {
  return mib < 1024 ? `${Math.round(mib)} MiB` : `${(mib / 1024).toFixed(mib < 10 * 1024 ? 1 : 0)} GiB`;
}

export interface PlanOptions {
  /** The script's memory option (none: --mem, which replaces the site's default per CPU). */
  memOption?: MemOption;
  /** For --mem-per-gpu: the GPUs of one task, from the script's directives (default 1). */
  gpusPerTask?: number;
  /** The array's `%N` (ArrayTaskThrottle), kept on the resubmission. */
  throttle?: number;
}

/** The failed tasks in groups by cause. */
export function planResubmit(tasks: readonly TaskUsage[], options: PlanOptions = {}): ResubmitGroup[] {
  const memOption = options.memOption ?? 'mem';
  const failed = tasks.filter((t) => isFailure(t.state));
  const throttle = options.throttle ? `%${options.throttle}` : '';
  const groups: ResubmitGroup[] = [];
  const oom = failed.filter((t) => t.state === 'OUT_OF_MEMORY');
  if (oom.length) {
    // from the largest peak of those tasks; a task killed before accounting sampled it shows no
    // peak (or one below its request): then from its request. Per CPU or per GPU when the script
    // asks so: the task's total divided by its CPUs (sacct's AllocCPUS) or GPUs.
    const perUnit = (t: TaskUsage) => Math.max(t.peakRssMiB ?? 0, t.reqMemMiB ?? 0) / (memOption === 'mem-per-cpu' ? t.cpus ?? 1 : memOption === 'mem-per-gpu' ? options.gpusPerTask ?? 1 : 1);
    const wanted = gibAbove(Math.max(...oom.map(perUnit)) * MEMORY_FACTOR);
    const peak = Math.max(...oom.map((t) => t.peakRssMiB ?? 0));
    const req = Math.max(...oom.map((t) => t.reqMemMiB ?? 0));
    const per = memOption === 'mem' ? '' : memOption === 'mem-per-cpu' ? ' per CPU' : ' per GPU';
    groups.push({
      reason: `${count(oom.length)} ran out of memory${peak ? ` (peak ${gib(peak)}${req ? ` of ${gib(req)} asked` : ''})` : req ? ` (${gib(req)} asked)` : ''}: again with ${wanted} GiB${per}, ${MEMORY_FACTOR}× the larger of the two rounded up to whole GiB`,
      indexes: compressIndexes(oom.map((t) => t.index)) + throttle,
      options: [`--${memOption}=${wanted}G`],
    });
  }
  const timeout = failed.filter((t) => t.state === 'TIMEOUT');
  if (timeout.length) {
    const limit = Math.max(...timeout.map((t) => t.limitSeconds ?? t.elapsedSeconds ?? 0));
    groups.push({
      reason: `${count(timeout.length)} reached the time limit${limit ? ` (${sbatchTime(limit)}): again with ${sbatchTime(limit * TIME_FACTOR)}, ${TIME_FACTOR}× that rounded up to whole minutes` : ': again as before'}`,
      indexes: compressIndexes(timeout.map((t) => t.index)) + throttle,
      options: limit ? [`--time=${sbatchTime(limit * TIME_FACTOR)}`] : [],
    });
  }
  const rest = failed.filter((t) => t.state !== 'OUT_OF_MEMORY' && t.state !== 'TIMEOUT');
  if (rest.length) {
    const causes = [...new Set(rest.map((t) => t.state))].map((s) => s.toLowerCase().replace(/_/g, ' ')).join(', ');
    groups.push({ reason: `${count(rest.length)} ${causes}: again as ${rest.length === 1 ? 'it was' : 'they were'}`, indexes: compressIndexes(rest.map((t) => t.index)) + throttle, options: [] });
  }
  return groups;
}

/** The command line of one group's resubmission as a person would type it (without the `--parsable` HPC Geo adds to read the job id). */
export function previewLine(argv: readonly string[]): string {
  return commandLine(argv.filter((a) => a !== '--parsable'));
}
