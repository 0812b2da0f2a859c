/**
 * The job tree's model: a cluster's jobs (squeue) and history (sacct) grouped into Running,
 * Pending, Recently finished and Failed, an array as one entry with per-state counts. Pure, so a
 * 1,000-task array is grouped in microseconds and tested without VS Code.
 */
import { stateGroup, type JobRecord, type StateGroup } from './jobs';

export interface ArrayEntry {
  kind: 'array';
  arrayJobId: string;
  name: string;
  tasks: JobRecord[];
  counts: Partial<Record<StateGroup, number>>;
}

export interface JobEntry {
  kind: 'job';
  job: JobRecord;
}

export type Entry = ArrayEntry | JobEntry;

export const GROUP_ORDER: StateGroup[] = ['running', 'pending', 'finished', 'failed'];

export const GROUP_LABELS: Record<StateGroup, string> = { running: 'Running', pending: 'Pending', finished: 'Recently finished', failed: 'Failed' };

/**
 * Current jobs win over history for the same id (squeue is fresher); history fills in the rest.
 * An array goes into the group of its most urgent task: running, then pending, then failed.
 */
/** One record per job id: what squeue says now wins over the history. */
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
  for (const j of singles) groups[stateGroup(j.state)].push({ kind: 'job', job: j });
  for (const [arrayJobId, tasks] of arrays) {
    const counts: Partial<Record<StateGroup, number>> = {};
    for (const t of tasks) counts[stateGroup(t.state)] = (counts[stateGroup(t.state)] ?? 0) + 1;
    tasks.sort((a, b) => taskOrder(a) - taskOrder(b));
    const group: StateGroup = counts.running ? 'running' : counts.pending ? 'pending' : counts.failed ? 'failed' : 'finished';
    groups[group].push({ kind: 'array', arrayJobId, name: tasks[0]!.name, tasks, counts });
  }
  const key = (e: Entry) => Number(e.kind === 'job' ? e.job.jobId.split('_')[0] : e.arrayJobId);
  for (const g of GROUP_ORDER) groups[g].sort((a, b) => key(b) - key(a));
  return groups;
}

function taskOrder(t: JobRecord): number {
  const n = Number(t.arrayTaskId);
  return Number.isFinite(n) ? n : -1;
}

/** "12 running · 40 pending · 3 failed" */
export function countsLabel(counts: Partial<Record<StateGroup, number>>): string {
  return GROUP_ORDER.filter((g) => counts[g]).map((g) => `${counts[g]} ${g === 'finished' ? 'done' : g}`).join(' · ');
}

/** Indexes of an array's tasks that failed (for resubmitting them). */
export function failedIndexes(tasks: readonly JobRecord[]): number[] {
  return tasks.filter((t) => stateGroup(t.state) === 'failed' && /^\d+$/.test(t.arrayTaskId ?? '')).map((t) => Number(t.arrayTaskId));
}
