/**
 * Whether the job behind a log page is still in the queue, from what the Jobs view's JobService
 * last read (squeue, then sacct for how it ended). No vscode here: the panel posts what it hears,
 * the tests drive it with a real JobService on the lab.
 */
import type { TailJob } from '../../../common/logs/protocol';
import { stateGroup, type JobRecord } from '../../../common/slurm/jobs';
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
  const [array, task] = jobId.split('_');
  const chunk = /^(\d+)_\[([\d,:-]+)(?:%\d+)?\]$/.exec(record.jobId);
  if (task === undefined || !chunk || chunk[1] !== array) return false;
  const i = Number(task);
  return chunk[2]!.split(',').some((part) => {
    const [range, step = '1'] = part.split(':');
    const [a, b = a] = range!.split('-').map(Number);
    return i >= a! && i <= b! && (i - a!) % Math.max(1, Number(step)) === 0;
  });
}

/**
 * The job as `data` shows it, or undefined while that cannot be told: the cluster is not watched,
 * no squeue has come back yet, or the last one failed (what is shown is older than that).
 */
export function jobFacts(jobId: string, data: ClusterJobs | undefined): TailJob | undefined {
  if (!data || data.lastRefresh === undefined || data.error !== undefined) return undefined;
  if (data.current.some((r) => holds(r, jobId))) return { jobId, ended: false };
  const record = data.history.find((r) => r.jobId === jobId);
  // sacct may still hold the record it read while the job ran; how it ended comes with the next one
  if (!record || stateGroup(record.state) === 'running' || stateGroup(record.state) === 'pending') return { jobId, ended: true };
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
