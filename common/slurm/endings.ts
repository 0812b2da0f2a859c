/**
 * How a job or a whole array ended, summed up for a notification: the final state of a job, or
 * an array's tasks counted by state as the Jobs tree counts them ("412 done · 7 failed · 1 out
 * of memory", `arrayEntry` and `countsLabel` of ./tree). Pure: the job service decides when
 * something ended, the notifier shows it.
 */
import { stateGroup, type JobRecord, type JobState } from './jobs';
import { arrayEntry, countsLabel, isFailure, type ArrayEntry } from './tree';

/** A state Slurm gives a job that has ended (not one still queued, running or unknown). */
export function isFinalState(state: JobState): boolean {
  const g = stateGroup(state);
  return (g === 'finished' || g === 'failed') && state !== 'UNKNOWN';
}

export interface JobEnding {
  cluster: string;
  kind: 'job' | 'array';
  /** The job's id, or the array's job id. */
  jobId: string;
  name: string;
  /** The final record of the job, or the array's rows in index order (a row may stand for a range of tasks never started). */
  records: JobRecord[];
  /** Tasks by final state (a job counts as one), a range of tasks never started counting for each. */
  counts: Partial<Record<JobState, number>>;
  /** Anything ended in a way other than done or cancelled (`isFailure`). */
  failed: boolean;
  /** An array as the Jobs tree shows it (what the notification's buttons act on). */
  entry?: ArrayEntry;
}

export function summarizeJob(cluster: string, job: JobRecord): JobEnding {
  return { cluster, kind: 'job', jobId: job.jobId, name: job.name, records: [job], counts: { [job.state]: 1 }, failed: isFailure(job.state) };
}

/** An array's final rows (one per task, or per range of tasks never started), summed up. */
export function summarizeArray(cluster: string, arrayJobId: string, rows: readonly JobRecord[]): JobEnding {
  const entry = arrayEntry(arrayJobId, [...rows]);
  return {
    cluster,
    kind: 'array',
    jobId: arrayJobId,
    name: entry.name,
    records: entry.tasks,
    counts: entry.counts,
    failed: entry.tasks.some((t) => isFailure(t.state)),
    entry,
  };
}

/**
 * sacct's ExitCode `code:signal` in words: `1:0` → "failed with exit code 1"; `0:9` → "was
 * killed by signal 9".
 */
function failureWords(exitCode: string | undefined): string {
  const m = /^(\d+):(\d+)$/.exec(exitCode ?? '');
  if (!m) return 'failed';
  return m[2] !== '0' ? `was killed by signal ${m[2]}` : `failed with exit code ${m[1]}`;
}

/** What a notification says: what ended, where, and how, in plain words with Slurm's own state. */
export function endingMessage(e: JobEnding): string {
  const what = `${e.kind === 'array' ? 'Array' : 'Job'} ${e.jobId}${e.name ? ` (${e.name})` : ''} on ${e.cluster}`;
  if (e.kind === 'array') {
    const total = e.entry?.taskCount ?? Object.values(e.counts).reduce((n, c) => n + (c ?? 0), 0);
    if (total > 0 && e.counts.COMPLETED === total) return `${what} finished: all ${total} ${total === 1 ? 'task' : 'tasks'} done.`;
    return `${what} ended: ${countsLabel(e.counts)}.`;
  }
  const job = e.records[0]!;
  // an elapsed time of 00:00:00 (under a second, or never started) says nothing: "after 00:00:00"
  const ran = !!job.elapsed && /[1-9]/.test(job.elapsed);
  const after = ran ? ` after ${job.elapsed}` : '';
  switch (job.state) {
    case 'COMPLETED':
      return `${what} completed${after}.`;
    case 'FAILED':
      return `${what} ${failureWords(job.exitCode)}${after} (FAILED).`;
    case 'TIMEOUT':
      return `${what} ran out of time${job.timeLimit ? ` (limit ${job.timeLimit})` : ''} and was stopped (TIMEOUT).`;
    case 'DEADLINE':
      return `${what} was stopped at its deadline (DEADLINE).`;
    case 'OUT_OF_MEMORY':
      return `${what} ran out of memory${after} and was stopped (OUT_OF_MEMORY).`;
    case 'NODE_FAIL':
      return `${what} stopped because its node failed${after} (NODE_FAIL).`;
    case 'BOOT_FAIL':
      return `${what} could not start: its node failed to boot (BOOT_FAIL).`;
    case 'PREEMPTED':
      return `${what} was preempted by another job${after} (PREEMPTED).`;
    case 'CANCELLED':
      // Slurm says who by uid ("CANCELLED by 1001"): say that it is a user id
      return `${what} was cancelled${ran ? after : ' before it started'} (${job.rawState.replace(/^CANCELLED by (\d+)$/, 'CANCELLED by user id $1')}).`;
    default:
      return `${what} ended: ${job.rawState}${after}.`;
  }
}
