/**
 * What a job action applies to: a job, an array task or a whole array on a cluster (the rows of
 * the Jobs view), which actions fit which rows, and the rows a person is offered to pick from
 * when a command comes without one (the Command Palette, a keybinding). Pure.
 */
import { stateGroup, type JobRecord } from './jobs';
import { isHeld } from './reasons';
import { GROUP_ORDER, groupJobs, hasFailures, treeGroup, type ArrayEntry } from './tree';

export type JobTarget = { type: 'job'; cluster: string; job: JobRecord } | { type: 'array'; cluster: string; entry: ArrayEntry };
/** One job or one array task (what has a log, a node, a shell). */
export type SingleJobTarget = Extract<JobTarget, { type: 'job' }>;

export function isJobTarget(n: unknown): n is JobTarget {
  if (!n || typeof n !== 'object' || !('type' in n) || typeof (n as { cluster?: unknown }).cluster !== 'string') return false;
  return (n.type === 'job' && 'job' in n && !!n.job) || (n.type === 'array' && 'entry' in n && !!n.entry);
}

/** The job id a target names: the array's id for a whole array. */
export function targetId(t: JobTarget): string {
  return t.type === 'array' ? t.entry.arrayJobId : t.job.jobId;
}

/** The array a target belongs to (itself, or the array of a task). */
export function arrayIdOf(t: JobTarget): string | undefined {
  return t.type === 'array' ? t.entry.arrayJobId : t.job.arrayJobId;
}

/** "job 42", "jobs 42, 43 and 44", "array 45 and job 46", "jobs 1, 2, 3, 4, 5 and 7 more". */
export function describeTargets(ts: readonly JobTarget[]): string {
  const allJobs = ts.every((t) => t.type === 'job');
  const names = ts.map((t) => (allJobs ? targetId(t) : t.type === 'array' ? `array ${t.entry.arrayJobId}` : `job ${t.job.jobId}`));
  if (names.length === 1) return allJobs ? `job ${names[0]}` : names[0]!;
  const list = names.length <= 6 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
  return allJobs ? `jobs ${list}` : list;
}

/** Each job action: what it applies to and how its pick asks. */
export interface TargetKind {
  /** "Cancel which jobs?" */
  question: string;
  /** "running or pending": said when no job fits. */
  fits: string;
  /** One job or task (log, shell) rather than whole arrays. */
  single?: boolean;
  /** Several may be picked at once. */
  many?: boolean;
  applies(t: JobTarget): boolean;
}

const groupOf = (t: JobTarget) => (t.type === 'array' ? t.entry.group : treeGroup(t.job.state));
const active = (t: JobTarget) => groupOf(t) === 'running' || groupOf(t) === 'pending';
/** Pending and not held already. */
const waiting = (j: JobRecord) => stateGroup(j.state) === 'pending' && !isHeld(j);

export const TARGETS = {
  cancel: { question: 'Cancel which jobs?', fits: 'running or pending', many: true, applies: active },
  // an array that has started is listed as running; its pending tasks can still be held
  hold: { question: 'Hold which jobs?', fits: 'pending and not held', many: true, applies: (t) => (t.type === 'array' ? t.entry.tasks.some(waiting) : waiting(t.job)) },
  release: { question: 'Release which jobs?', fits: 'held', many: true, applies: (t) => (t.type === 'array' ? t.entry.tasks.some(isHeld) : isHeld(t.job)) },
  requeue: { question: 'Requeue which jobs?', fits: 'running', many: true, applies: (t) => groupOf(t) === 'running' },
  copy: { question: 'Copy the ID of which jobs?', fits: 'listed', many: true, applies: () => true },
  throttle: { question: 'Throttle which array?', fits: 'running or pending arrays', applies: (t) => t.type === 'array' && active(t) },
  resubmitFailed: { question: 'Resubmit the failed tasks of which array?', fits: 'arrays with failed tasks', applies: (t) => t.type === 'array' && hasFailures(t.entry.counts) },
  log: { question: 'The log of which job?', fits: 'listed', single: true, applies: () => true },
  shell: { question: 'Open a shell on the node of which job?', fits: 'running', single: true, applies: (t) => t.type === 'job' && stateGroup(t.job.state) === 'running' },
  usage: { question: 'Resource usage of which job?', fits: 'running or ended', applies: (t) => groupOf(t) !== 'pending' },
} satisfies Record<string, TargetKind>;

export type TargetAction = keyof typeof TARGETS;

/**
 * The actions that apply to a row, as its context value carries them for the Jobs view's menus
 * (`viewItem =~ /\[hold\]/`): the menu offers what the palette's pick would list, from one rule.
 */
export function actionsThatApply(t: JobTarget): TargetAction[] {
  return (Object.keys(TARGETS) as TargetAction[]).filter((a) => (TARGETS[a] as TargetKind).applies(t));
}

/** A cluster's jobs as the Jobs view has them. */
export interface ClusterJobList {
  cluster: string;
  current: readonly JobRecord[];
  history: readonly JobRecord[];
}

/**
 * The rows a pick offers for an action, most urgent group first (as the tree lists them); for
 * single-job actions an array's tasks in place of the array (not its unsplit pending chunks).
 */
export function candidates(data: ClusterJobList, kind: TargetKind): JobTarget[] {
  const groups = groupJobs(data.current, data.history);
  const out: JobTarget[] = [];
  for (const g of GROUP_ORDER) {
    for (const e of groups[g]) {
      const rows: JobTarget[] =
        e.kind === 'job'
          ? [{ type: 'job', cluster: data.cluster, job: e.job }]
          : kind.single
            ? e.tasks.filter((t) => !t.arrayTaskId?.startsWith('[')).map((t) => ({ type: 'job' as const, cluster: data.cluster, job: t }))
            : [{ type: 'array', cluster: data.cluster, entry: e }];
      out.push(...rows.filter((r) => kind.applies(r)));
    }
  }
  return out;
}

/** Targets by cluster, for actions that run once per cluster. */
export function byCluster<T extends { cluster: string }>(ts: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of ts) out.set(t.cluster, [...(out.get(t.cluster) ?? []), t]);
  return out;
}
