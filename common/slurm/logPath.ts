/**
 * Where a job's output goes: sbatch's filename patterns (sbatch(1), "filename pattern") resolved
 * for one job or array task, relative paths against its working directory.
 */

export interface LogFacts {
  /** The job's own id (an array task's own id, JobIDRaw). */
  jobId: string;
  arrayJobId?: string;
  arrayTaskId?: string;
  name: string;
  user: string;
  workDir: string;
  /** First node of the allocation (%N). */
  node?: string;
}

const pad = (value: string, width: string) => (width ? value.padStart(Number(width), '0') : value);

export function resolveLogPattern(pattern: string, f: LogFacts): string {
  const resolved = pattern.replace(/%(\d*)([AaJjNnstux%])/g, (_all, width: string, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'A':
        return pad(f.arrayJobId ?? f.jobId, width);
      case 'a':
        return pad(f.arrayTaskId ?? '4294967294', width);
      case 'J':
      case 'j':
        return pad(f.jobId, width);
      case 'N':
        return f.node ?? '%N';
      case 'n':
      case 't':
        return pad('0', width);
      case 's':
        return 'batch';
      case 'u':
        return f.user;
      case 'x':
        return f.name;
      default:
        return _all;
    }
  });
  if (resolved.startsWith('/')) return resolved;
  // a lookbehind makes the trailing-slash strip linear (only the first slash of a run is tried)
  return `${f.workDir.replace(/(?<!\/)\/+$/, '')}/${resolved}`;
}

/** sbatch's default when no --output is given. */
export function defaultLogPattern(isArrayTask: boolean): string {
  return isArrayTask ? 'slurm-%A_%a.out' : 'slurm-%j.out';
}

/** What Slurm recorded of a job's logs: squeue's StdOut/StdErr, sacct's from 24.05. */
export interface RecordedLogs {
  stdOut?: string;
  stdErr?: string;
  arrayJobId?: string;
}

/**
 * The log patterns Slurm recorded for a job, without the ones squeue made up: before 24.05, a job
 * submitted without --output shows `<WorkDir>/slurm-<its own job id>.out` (print.c,
 * _print_job_std_out), which for an array task is not where it writes (`slurm-%A_%a.out`). A
 * stderr that is the stdout is not a second log.
 */
export function recordedLogPatterns(job: RecordedLogs): { stdout?: string; stderr?: string } {
  const madeUp = (p: string | undefined) => !!job.arrayJobId && !!p && /\/slurm-\d+\.out$/.test(p);
  const stdout = job.stdOut && !madeUp(job.stdOut) ? job.stdOut : undefined;
  if (!stdout) return {};
  const stderr = job.stdErr && !madeUp(job.stdErr) && job.stdErr !== stdout ? job.stdErr : undefined;
  return { stdout, ...(stderr ? { stderr } : {}) };
}
