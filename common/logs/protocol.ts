/** Messages between the log tail panel (extension host) and its page. */
import type { LogLine } from './stream';

export type TailStatus = 'opening' | 'waiting' | 'following' | 'paused' | 'stopped' | 'error';

/**
 * The job whose log a page shows, as the Jobs view last saw it: still in the queue, or ended, with
 * how once accounting (sacct) has recorded it.
 */
export interface TailJob {
  jobId: string;
  ended: boolean;
  /** Slurm's final state (COMPLETED, FAILED, TIMEOUT, …), once recorded. */
  state?: string;
  /** `code:signal`, once recorded. */
  exitCode?: string;
}

export type TailToPage =
  | { type: 'init'; cluster: string; path: string; jobId?: string; maxLines: number; reveal?: string }
  | { type: 'lines'; lines: LogLine[]; open?: LogLine }
  | { type: 'reset'; reason: string }
  | { type: 'status'; status: TailStatus; detail?: string; bytesMoved: number }
  | { type: 'job'; job: TailJob };

export type TailFromPage = { type: 'ready' } | { type: 'pause' } | { type: 'resume' } | { type: 'reopen' };

/** What a restored panel needs to open the same log again. */
export interface TailPanelState {
  cluster: string;
  path: string;
  /** The job that writes the log, when it was opened from one. */
  jobId?: string;
  /** The page's search, kept across VS Code's reloads of a hidden page (the extension ignores it). */
  search?: { text: string; regex: boolean; onlyMatching: boolean };
}

/** How the job ended, in words: "Job 42 ended (FAILED, exit code 3)", "Job 42 left the queue". */
export function jobEndWords(job: TailJob): string {
  if (!job.ended) return `Job ${job.jobId} is in the queue`;
  if (!job.state) return `Job ${job.jobId} left the queue`;
  const [code, signal] = (job.exitCode ?? '').split(':');
  const how = [job.state, code && code !== '0' ? `exit code ${code}` : '', signal && signal !== '0' ? `signal ${signal}` : ''].filter(Boolean).join(', ');
  return `Job ${job.jobId} ended (${how})`;
}
