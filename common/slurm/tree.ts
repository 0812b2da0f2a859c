/**
 * The job tree's model: a cluster's jobs (squeue) and history (sacct) grouped into Running,
 * Pending, Recently finished and Failed, an array as one entry with per-state counts. Pure, so a
 * 1,000-task array is grouped in microseconds and tested without VS Code.
 */
import { recordedLogPatterns, resolveLogPattern, type LogFacts } from './logPath';
import { isHeld, pendingReason } from './reasons';
import { STATE_ORDER, STATE_WORDS, stateGroup, type JobRecord, type JobState, type StateGroup } from './jobs';

export interface ArrayEntry {
  kind: 'array';
  arrayJobId: string;
  name: string;
  /**
   * The rows beneath the array: each task, and each chunk Slurm has not split into tasks yet
   * ("[3-5%3]", tasks that never started), by first index.
   */
  tasks: JobRecord[];
  /** Tasks per state; a chunk counts for every task it stands for. */
  counts: Partial<Record<JobState, number>>;
  /** Of the pending tasks, those held (scontrol hold, or held by an administrator). */
  held: number;
  /** How many tasks the array has (rows count chunks once). */
  taskCount: number;
  /** The group the array is listed under: that of its most urgent task. */
  group: StateGroup;
}

export interface JobEntry {
  kind: 'job';
  job: JobRecord;
}

export type Entry = ArrayEntry | JobEntry;

export const GROUP_ORDER: StateGroup[] = ['running', 'pending', 'finished', 'failed'];

export const GROUP_LABELS: Record<StateGroup, string> = { running: 'Running', pending: 'Pending', finished: 'Recently finished', failed: 'Failed' };

/**
 * The group a job is listed under. A cancelled job did not fail: a person (or a dependency that
 * can no longer be met) stopped it, so it is listed with the finished jobs, its state beside it.
 */
export function treeGroup(state: JobState): StateGroup {
  return state === 'CANCELLED' ? 'finished' : stateGroup(state);
}

/** Whether a job failed (CANCELLED did not; TIMEOUT, OUT_OF_MEMORY, NODE_FAIL... did). */
export function isFailure(state: JobState): boolean {
  return treeGroup(state) === 'failed';
}

/**
 * The task indexes an array task id stands for: `7`, or a chunk as Slurm writes it, `[3-5%3]`,
 * `3-5`, `1,3,8-20:4`. The first index orders the rows; undefined when the text is not an index.
 */
export function taskSpan(arrayTaskId: string | undefined): { first: number; count: number; ranges: [number, number, number][] } | undefined {
  const body = (arrayTaskId ?? '').trim().replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
  if (!/^\d+(-\d+(:\d+)?)?(,\d+(-\d+(:\d+)?)?)*$/.test(body)) return undefined;
  const ranges = body.split(',').map((part): [number, number, number] => {
    const [range, step] = part.split(':');
    const [a, b] = range!.split('-').map(Number);
    return [a!, b ?? a!, Math.max(1, Number(step ?? 1))];
  });
  const count = ranges.reduce((n, [a, b, step]) => n + (b >= a ? Math.floor((b - a) / step) + 1 : 0), 0);
  return { first: Math.min(...ranges.map(([a]) => a)), count, ranges };
}

/** Whether task index `i` is one of a span's (see `taskSpan`). */
export function inSpan(i: number, ranges: readonly [number, number, number][]): boolean {
  return ranges.some(([a, b, step]) => i >= a && i <= b && (i - a) % step === 0);
}

/** An array's rows in order and its tasks counted by state, each task once. */
export function arrayEntry(arrayJobId: string, records: JobRecord[]): ArrayEntry {
  const single = new Set(records.filter((t) => /^\d+$/.test(t.arrayTaskId ?? '')).map((t) => Number(t.arrayTaskId)));
  const counts: Partial<Record<JobState, number>> = {};
  const rows: { record: JobRecord; first: number; chunk: boolean }[] = [];
  let taskCount = 0;
  let held = 0;
  for (const t of records) {
    const span = taskSpan(t.arrayTaskId);
    let n = 1;
    const chunk = !!span && !/^\d+$/.test(t.arrayTaskId ?? '');
    if (span && chunk) {
      // a chunk listed beside tasks split from it since: count only the tasks not listed alone
      n = span.count - [...single].filter((i) => inSpan(i, span.ranges)).length;
      if (n <= 0) continue;
    }
    counts[t.state] = (counts[t.state] ?? 0) + n;
    if (isHeld(t)) held += n;
    taskCount += n;
    rows.push({ record: t, first: span?.first ?? Number.MAX_SAFE_INTEGER, chunk });
  }
  rows.sort((a, b) => a.first - b.first || Number(a.chunk) - Number(b.chunk));
  const has = (g: StateGroup) => STATE_ORDER.some((s) => counts[s] && treeGroup(s) === g);
  const group: StateGroup = has('running') ? 'running' : has('pending') ? 'pending' : has('failed') ? 'failed' : 'finished';
  const tasks = rows.map((r) => r.record);
  return { kind: 'array', arrayJobId, name: tasks[0]?.name ?? records[0]!.name, tasks, counts, held, taskCount, group };
}

/** One record per job id: what squeue says now wins over the history (sacct), which fills in the rest. */
export function latestJobs(current: readonly JobRecord[], history: readonly JobRecord[]): Map<string, JobRecord> {
  const byId = new Map<string, JobRecord>();
  for (const j of history) byId.set(j.jobId, j);
  for (const j of current) byId.set(j.jobId, j);
  return byId;
}

/** The tasks of one array by task index (numeric indexes only), squeue winning over history. */
export function arrayTasks(arrayJobId: string, current: readonly JobRecord[], history: readonly JobRecord[]): Map<string, JobRecord> {
  const tasks = [...latestJobs(current, history).values()].filter((j) => j.arrayJobId === arrayJobId && /^\d+$/.test(j.arrayTaskId ?? ''));
  return new Map(tasks.sort((a, b) => Number(a.arrayTaskId) - Number(b.arrayTaskId)).map((j) => [j.arrayTaskId!, j]));
}

/**
 * The tree's groups. An array is one entry, under the group of its most urgent task: running,
 * then pending, then failed, else finished.
 */
export function groupJobs(current: readonly JobRecord[], history: readonly JobRecord[]): Record<StateGroup, Entry[]> {
  const byId = latestJobs(current, history);
  const arrays = new Map<string, JobRecord[]>();
  const singles: JobRecord[] = [];
  for (const j of byId.values()) {
    if (j.arrayJobId) {
      const list = arrays.get(j.arrayJobId) ?? [];
      list.push(j);
      arrays.set(j.arrayJobId, list);
    } else singles.push(j);
  }
  const groups: Record<StateGroup, Entry[]> = { running: [], pending: [], finished: [], failed: [] };
  for (const j of singles) groups[treeGroup(j.state)].push({ kind: 'job', job: j });
  for (const [arrayJobId, tasks] of arrays) {
    const entry = arrayEntry(arrayJobId, tasks);
    groups[entry.group].push(entry);
  }
  const key = (e: Entry) => Number(e.kind === 'job' ? e.job.jobId.split('_')[0] : e.arrayJobId);
  for (const g of GROUP_ORDER) groups[g].sort((a, b) => key(b) - key(a));
  return groups;
}

/** "12 running · 40 pending · 8 held · 412 done · 3 failed · 1 out of memory · 5 cancelled": tasks by state; `held` of the pending. */
export function countsLabel(counts: Partial<Record<JobState, number>>, held = 0): string {
  const parts: [number, string][] = STATE_ORDER.flatMap((s): [number, string][] => {
    const n = counts[s] ?? 0;
    return s === 'PENDING' ? [[n - held, STATE_WORDS[s]], [held, 'held']] : [[n, STATE_WORDS[s]]];
  });
  return parts.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`).join(' · ');
}

/** A group's header: "Failed (13)" counts its rows; "including 2 arrays of 24 tasks" tells its arrays apart. */
export function groupLabel(group: StateGroup, entries: readonly Entry[]): { label: string; description?: string } {
  const label = `${GROUP_LABELS[group]} (${entries.length})`;
  const arrays = entries.filter((e): e is ArrayEntry => e.kind === 'array');
  if (!arrays.length) return { label };
  const tasks = arrays.reduce((n, a) => n + a.taskCount, 0);
  // "2 arrays · 24 tasks" under Failed read as 24 failed tasks: the tasks are all the arrays have
  return { label, description: `including ${arrays.length === 1 ? '1 array' : `${arrays.length} arrays`} of ${tasks === 1 ? '1 task' : `${tasks} tasks`}` };
}

/**
 * When a pending job is expected to start: squeue's StartTime of a pending job is the scheduler's
 * estimate (the backfill scheduler's, the same as `squeue --start`), N/A while it has none.
 * `2026-12-08T14:20:00` → "2026-12-08 14:20".
 */
export function expectedStart(job: JobRecord): string | undefined {
  if (stateGroup(job.state) !== 'pending') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(job.start ?? '');
  return m ? `${m[1]} ${m[2]}` : undefined;
}

/** The expected start, short enough to stay in a narrow row: "starts ~14:20" today, "starts ~12-09 14:20" another day. */
export function startsAbout(job: JobRecord, now = new Date()): string | undefined {
  const at = expectedStart(job);
  if (!at) return undefined;
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return `starts ~${at.startsWith(today) ? at.slice(11) : at.slice(5)}`;
}

/** What a job row says after its id: state or reason, times, partition, nodes; an exit code only when it is not 0:0. */
export function jobDescription(job: JobRecord, options: { nameCompleted?: boolean; now?: Date } = {}): string {
  const g = stateGroup(job.state);
  const span = taskSpan(job.arrayTaskId);
  const parts: string[] = [span && span.count > 1 ? `${span.count} tasks` : ''];
  if (g === 'running') parts.push(`${job.elapsed ?? '0:00'} / ${job.timeLimit ?? '?'}`, job.partition ?? '', job.nodeList ?? '');
  // when it should start first, before the reason: a narrow side bar cuts the end of the row
  else if (g === 'pending') parts.push(startsAbout(job, options.now) ?? '', pendingReason(job.reason).text, job.partition ?? '', job.timeLimit ? `limit ${job.timeLimit}` : '');
  else parts.push(job.state === 'COMPLETED' && !options.nameCompleted ? '' : job.state, job.exitCode && job.exitCode !== '0:0' ? `exit ${job.exitCode}` : '', job.elapsed ?? '', job.partition ?? '');
  return parts.filter(Boolean).join(' · ');
}

/**
 * A job's logs as Slurm recorded them (squeue's StdOut/StdErr, sacct's from 24.05), its %-fields
 * filled in where the record says what they stand for (an array task's %j is its own job id; a
 * record without it shows such a pattern as Slurm printed it).
 */
export function recordedLogs(job: JobRecord): { stdout?: string; stderr?: string } {
  const patterns = recordedLogPatterns(job);
  const resolve = (p: string | undefined) => {
    if (!p || (job.arrayJobId && !job.ownJobId && /%\d*[jJ]/.test(p)) || (!p.startsWith('/') && !job.workDir?.startsWith('/'))) return p;
    const facts: LogFacts = {
      jobId: job.ownJobId ?? job.jobId,
      ...(job.arrayJobId ? { arrayJobId: job.arrayJobId } : {}),
      ...(job.arrayTaskId ? { arrayTaskId: job.arrayTaskId } : {}),
      name: job.name,
      user: job.user ?? '%u',
      workDir: job.workDir ?? '/',
      ...(job.nodeList ? { node: job.nodeList.split(/[,[]/)[0]! } : {}),
    };
    return resolveLogPattern(p, facts);
  };
  const stdout = resolve(patterns.stdout);
  const stderr = resolve(patterns.stderr);
  return { ...(stdout ? { stdout } : {}), ...(stderr && stderr !== stdout ? { stderr } : {}) };
}

/** A record with the job's dependency (squeue's Dependency field), where it was read. */
export type JobDetails = JobRecord & { dependency?: string };

/** The tooltip of a job row, as label/value pairs: the whole record, the reason in words and Slurm's code. */
export function jobTooltipRows(job: JobDetails): [string, string][] {
  const pending = stateGroup(job.state) === 'pending';
  const reason = pending || job.reason ? pendingReason(job.reason) : undefined;
  const logs = recordedLogs(job);
  const rows: [string, string | undefined][] = [
    ['Job', job.jobId], ['Name', job.name], ['State', job.rawState], ['Exit code', job.exitCode],
    ['Reason', reason && (reason.text === reason.code ? reason.code : `${reason.text} (${reason.code})`)],
    ['Dependency', job.dependency], ['Partition', job.partition],
    ['Nodes', job.nodeList ?? (job.nodes ? String(job.nodes) : undefined)], ['Elapsed', job.elapsed], ['Time limit', job.timeLimit], ['Submitted', job.submit],
    // a pending job's StartTime is when Slurm expects to start it
    pending ? ['Expected start', job.start && `${job.start} (Slurm's estimate; it moves as other jobs end or arrive)`] : ['Started', job.start], ['Ended', job.end], ['Working directory', job.workDir], ['Output', logs.stdout], ['Errors', logs.stderr],
    ['User', job.user], ['From', job.source],
  ];
  return rows.filter((r): r is [string, string] => !!r[1]);
}

/** Whether any task of these counts failed (Resubmit Failed Tasks applies). */
export function hasFailures(counts: Partial<Record<JobState, number>>): boolean {
  return STATE_ORDER.some((s) => counts[s] && isFailure(s));
}

/** Whether every task of these counts was cancelled. */
export function allCancelled(counts: Partial<Record<JobState, number>>): boolean {
  return !!counts.CANCELLED && STATE_ORDER.every((s) => !counts[s] || s === 'CANCELLED');
}

/** Indexes of an array's tasks that failed (for resubmitting them); cancelled tasks did not fail. */
export function failedIndexes(tasks: readonly JobRecord[]): number[] {
  return tasks.filter((t) => isFailure(t.state) && /^\d+$/.test(t.arrayTaskId ?? '')).map((t) => Number(t.arrayTaskId));
}
