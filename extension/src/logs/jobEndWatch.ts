/**
 * Whether the job behind a log page is still in the queue, from what the Jobs view's JobService
 * last read (squeue, then sacct for how it ended). No vscode here: the panel posts what it hears,
 * the tests drive it with a real JobService on the lab.
 */
import type { TailJob } from '../../../common/logs/protocol';
import { isFinalState } from '../../../common/slurm/endings';
import type { JobRecord } from '../../../common/slurm/jobs';
import { inSpan, taskSpan } from '../../../common/slurm/tree';
import type { ClusterJobs } from '../jobs/jobService';

/** What of the JobService a watch needs. */
export interface JobsFeed {
  jobs(cluster: string): ClusterJobs | undefined;
  on(event: 'change', listener: (cluster: string) => void): unknown;
  off(event: 'change', listener: (cluster: string) => void): unknown;
}

/** True when `record` is the job, or a pending chunk of its array not yet split into tasks that holds it (`28_[3-5%3]`). */
function holds(record: JobRecord, jobId: string): boolean {
  if (record.jobId === jobId) return true;
  const m = /^(\d+)_(\d+)$/.exec(jobId);
  if (!m || record.arrayJobId !== m[1] || /^\d+$/.test(record.arrayTaskId ?? '')) return false;
  const span = taskSpan(record.arrayTaskId);
  return !!span && inSpan(Number(m[2]), span.ranges);
}

/**
 * The job as `data` shows it, or undefined while that cannot be told: the cluster is not watched,
 * no squeue has come back yet, or the last one failed (what is shown is older than that).
 */
export function jobFacts(jobId: string, data: ClusterJobs | undefined): TailJob | undefined {
  if (!data || data.lastRefresh === undefined || data.error !== undefined) return undefined;
  if (data.current.some((r) => holds(r, jobId))) return { jobId, ended: false };
  // a task of a chunk that never started (27_[0-999] cancelled while held) ended as its chunk did
  const record = data.history.find((r) => r.jobId === jobId) ?? data.history.find((r) => holds(r, jobId));
  // sacct may still hold the record it read while the job ran; how it ended comes with the next one
  if (!record || !isFinalState(record.state)) return { jobId, ended: true };
  return { jobId, ended: true, state: record.state, ...(record.exitCode ? { exitCode: record.exitCode } : {}) };
}

const same = (a: TailJob | undefined, b: TailJob | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Tells `post` each time the job's facts change (in the queue → ended → how), for as long as it lives. */
export class JobEndWatch {
  private last: TailJob | undefined;
  private readonly listener = (cluster: string) => {
    if (cluster === this.cluster) this.check();
  };

  constructor(
    private readonly feed: JobsFeed,
    private readonly cluster: string,
    private readonly jobId: string,
    private readonly post: (job: TailJob) => void,
  ) {
    feed.on('change', this.listener);
    this.check();
  }

  /** The facts as last told, to tell a page that was loaded again. */
  get current(): TailJob | undefined {
    return this.last;
  }

  private check(): void {
    const facts = jobFacts(this.jobId, this.feed.jobs(this.cluster));
    // not knowing (a failed refresh, a disconnect) changes nothing the page was told
    if (!facts || same(facts, this.last)) return;
    this.last = facts;
    this.post(facts);
  }

  dispose(): void {
    this.feed.off('change', this.listener);
  }
}
