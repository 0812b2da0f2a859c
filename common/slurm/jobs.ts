/**
 * Slurm's job commands as argv and their output parsed, for Slurm 20.11 to 25.x. Text formats
 * only (`--json` changes between releases): fields are separated by U+001F, which Slurm never
 * prints, and the job name comes last so that it may hold anything, `|` and spaces included.
 * A malformed line is skipped and reported, never fatal. Pure: no I/O.
 */

export const SEP = '\u001f';

export type JobState =
  | 'PENDING' | 'RUNNING' | 'SUSPENDED' | 'COMPLETING' | 'CONFIGURING' | 'REQUEUED' | 'RESIZING' | 'STAGE_OUT' | 'SIGNALING'
  | 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'TIMEOUT' | 'NODE_FAIL' | 'PREEMPTED' | 'BOOT_FAIL' | 'DEADLINE' | 'OUT_OF_MEMORY' | 'REVOKED' | 'SPECIAL_EXIT'
  | 'UNKNOWN';

export type StateGroup = 'running' | 'pending' | 'finished' | 'failed';

const GROUPS: Record<JobState, StateGroup> = {
  PENDING: 'pending', REQUEUED: 'pending', CONFIGURING: 'running', RUNNING: 'running', SUSPENDED: 'running', COMPLETING: 'running', RESIZING: 'running', STAGE_OUT: 'running', SIGNALING: 'running',
  COMPLETED: 'finished', CANCELLED: 'failed', FAILED: 'failed', TIMEOUT: 'failed', NODE_FAIL: 'failed', PREEMPTED: 'failed', BOOT_FAIL: 'failed', DEADLINE: 'failed', OUT_OF_MEMORY: 'failed', REVOKED: 'failed', SPECIAL_EXIT: 'failed',
  UNKNOWN: 'finished',
};

/** "CANCELLED by 1234", "CANCELLED+", short codes "PD", "R" → the state. */
export function normalizeState(raw: string): JobState {
  const word = raw.trim().split(/[\s+]/)[0]!.toUpperCase();
  const short: Record<string, JobState> = { PD: 'PENDING', R: 'RUNNING', CG: 'COMPLETING', CD: 'COMPLETED', CA: 'CANCELLED', F: 'FAILED', TO: 'TIMEOUT', NF: 'NODE_FAIL', PR: 'PREEMPTED', BF: 'BOOT_FAIL', DL: 'DEADLINE', OOM: 'OUT_OF_MEMORY', S: 'SUSPENDED', CF: 'CONFIGURING', RQ: 'REQUEUED', RV: 'REVOKED', SE: 'SPECIAL_EXIT', ST: 'STOPPED' as JobState };
  const s = (short[word] ?? word) as JobState;
  return s in GROUPS ? s : 'UNKNOWN';
}

export function stateGroup(state: JobState): StateGroup {
  return GROUPS[state];
}

/** A state in plain words, as an array's counts read them: "412 done · 7 failed · 1 out of memory". */
export const STATE_WORDS: Record<JobState, string> = {
  RUNNING: 'running', CONFIGURING: 'starting', COMPLETING: 'completing', SUSPENDED: 'suspended', RESIZING: 'resizing', STAGE_OUT: 'staging out', SIGNALING: 'signalled',
  PENDING: 'pending', REQUEUED: 'requeued',
  COMPLETED: 'done', FAILED: 'failed', TIMEOUT: 'timed out', OUT_OF_MEMORY: 'out of memory', NODE_FAIL: 'node failure', BOOT_FAIL: 'boot failure',
  PREEMPTED: 'preempted', DEADLINE: 'past deadline', REVOKED: 'revoked', SPECIAL_EXIT: 'special exit', CANCELLED: 'cancelled', UNKNOWN: 'unknown',
};

/** The order counts are listed in: what runs, what waits, what ended well, each way of failing, cancelled last. */
export const STATE_ORDER = Object.keys(STATE_WORDS) as JobState[];

export interface JobRecord {
  /** `1234`, or `1234_5` for an array task (`1234_[5-9%2]` for pending tasks not yet split). */
  jobId: string;
  /** For array tasks: the array's job id. */
  arrayJobId?: string;
  arrayTaskId?: string;
  /** An array task's own job id (squeue's JobID, sacct's JobIDRaw): what `%j` stands for in its log names. */
  ownJobId?: string;
  name: string;
  user?: string;
  state: JobState;
  /** As Slurm printed it ("CANCELLED by 1234"). */
  rawState: string;
  partition?: string;
  nodeList?: string;
  nodes?: number;
  reason?: string;
  elapsed?: string;
  timeLimit?: string;
  /** `code:signal`, from sacct. */
  exitCode?: string;
  submit?: string;
  start?: string;
  end?: string;
  workDir?: string;
  /**
   * Where Slurm said the job's stdout and stderr go, as it printed them: squeue's StdOut/StdErr
   * (absolute, %-patterns unresolved), sacct's from Slurm 24.05. Read them through
   * `recordedLogPatterns` (common/slurm/logPath.ts), which drops the defaults older squeues made up.
   */
  stdOut?: string;
  stdErr?: string;
  source: 'squeue' | 'sacct';
}

export interface Parsed<T> {
  items: T[];
  /** Lines that could not be read, for the log. */
  skipped: string[];
}

const none = (v: string | undefined): string | undefined => (v === undefined || v === '' || /^(N\/A|None|\(null\)|Unknown)$/i.test(v) ? undefined : v);

// ---- squeue ----

/**
 * squeue's --Format fields (the same names from 20.11 to 25.x; the -o letters %i %F %K %T %M %l %P
 * %D %R %u %Z %V %S %j have none for StdOut/StdErr, and -o and -O do not mix). Each is printed
 * whole (width 0) and followed by the separator, the name last with none.
 */
const SQUEUE_FIELDS = ['JobArrayId', 'ArrayJobId', 'ArrayTaskId', 'State', 'TimeUsed', 'TimeLimit', 'Partition', 'NumNodes', 'ReasonList', 'UserName', 'WorkDir', 'SubmitTime', 'StartTime', 'StdOut', 'StdErr', 'JobID', 'Name'] as const;

const SQUEUE_FORMAT = `--Format=${SQUEUE_FIELDS.map((f, i) => `${f}:0${i < SQUEUE_FIELDS.length - 1 ? SEP : ''}`).join(',')}`;

/** One line per job, one per array task (-r), for one user. */
export function squeueArgv(user: string): string[] {
  return ['squeue', '--noheader', '--array', `--user=${user}`, SQUEUE_FORMAT];
}

/** The same lines for one job (or array) only. */
export function squeueJobArgv(jobId: string): string[] {
  return ['squeue', '--noheader', '--array', `--jobs=${jobId}`, SQUEUE_FORMAT];
}

export function parseSqueue(text: string): Parsed<JobRecord> {
  const items: JobRecord[] = [];
  const skipped: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(SEP);
    if (f.length < SQUEUE_FIELDS.length) {
      skipped.push(line);
      continue;
    }
    // the name is last and may contain anything, even the separator
    const [jobId, arrayJobId, arrayTaskId, state, elapsed, limit, partition, nodes, reasonOrNodes, user, workDir, submit, start, stdOut, stdErr, ownJobId] = f;
    const name = f.slice(SQUEUE_FIELDS.length - 1).join(SEP);
    if (!jobId || !/^\d+/.test(jobId.trim()) || !state) {
      skipped.push(line);
      continue;
    }
    const st = normalizeState(state);
    const isArray = none(arrayTaskId) !== undefined && jobId.includes('_');
    const r = none(reasonOrNodes)?.trim();
    items.push({
      jobId: jobId.trim(),
      ...(isArray ? { arrayJobId: arrayJobId!.trim(), arrayTaskId: arrayTaskId!.trim() } : {}),
      ...(isArray && /^\d+$/.test(arrayTaskId!.trim()) && /^\d+$/.test(ownJobId?.trim() ?? '') ? { ownJobId: ownJobId!.trim() } : {}),
      name,
      ...(none(user) ? { user: user!.trim() } : {}),
      state: st,
      rawState: state.trim(),
      ...(none(partition) ? { partition: partition!.trim() } : {}),
      ...(Number(nodes) > 0 ? { nodes: Number(nodes) } : {}),
      // %R is the node list while running, "(Reason)" while pending
      ...(r && r.startsWith('(') ? { reason: r.replace(/^\(|\)$/g, '') } : r ? { nodeList: r } : {}),
      ...(none(elapsed) ? { elapsed: elapsed!.trim() } : {}),
      ...(none(limit) ? { timeLimit: limit!.trim() } : {}),
      ...(none(workDir) ? { workDir: workDir!.trim() } : {}),
      ...(none(submit) ? { submit: submit!.trim() } : {}),
      ...(none(start) ? { start: start!.trim() } : {}),
      ...(none(stdOut) ? { stdOut: stdOut! } : {}),
      ...(none(stdErr) ? { stdErr: stdErr! } : {}),
      source: 'squeue',
    });
  }
  return { items, skipped };
}

// ---- sacct ----

const SACCT_FIELDS = ['JobID', 'JobIDRaw', 'State', 'ExitCode', 'Elapsed', 'Timelimit', 'Partition', 'NodeList', 'User', 'Submit', 'Start', 'End', 'WorkDir', 'JobName'] as const;
/** sacct has StdOut and StdErr from Slurm 24.05 (batch jobs only); older ones refuse the fields. */
const SACCT_STDIO_FIELDS = ['StdOut', 'StdErr'] as const;

export interface SacctFormat {
  /** Ask for StdOut and StdErr (see `sacctHasStdio`). */
  stdio?: boolean;
}

function sacctFormat(format: SacctFormat): string {
  const fields: string[] = [...SACCT_FIELDS];
  if (format.stdio) fields.splice(fields.length - 1, 0, ...SACCT_STDIO_FIELDS);
  return `--format=${fields.join(',')}`;
}

/** `sacct --helpformat` lists the fields this sacct knows: does it know StdOut and StdErr? */
export function sacctHasStdio(helpformat: string): boolean {
  const words = new Set(helpformat.split(/\s+/));
  return SACCT_STDIO_FIELDS.every((f) => words.has(f));
}

export const SACCT_HELPFORMAT_ARGV: readonly string[] = ['sacct', '--helpformat'];

/** Job states that end a job, as sacct's --state codes. */
const FINAL_STATES = 'CA,CD,F,TO,NF,PR,BF,DL,OOM,RV';

/**
 * Finished allocations (not steps) of one user in the last `days` days. The explicit state list
 * matters: without it sacct leaves out jobs that never started (cancelled while held).
 */
export function sacctArgv(user: string, days: number, format: SacctFormat = {}): string[] {
  return ['sacct', '--noheader', '--allocations', '--parsable2', `--delimiter=${SEP}`, `--user=${user}`, `--starttime=now-${Math.max(1, Math.round(days))}days`, '--endtime=now', `--state=${FINAL_STATES}`, sacctFormat(format)];
}

/** Only these jobs (for a refresh of one job, or resubmitting failed tasks). */
export function sacctJobsArgv(jobIds: readonly string[], format: SacctFormat = {}): string[] {
  return ['sacct', '--noheader', '--allocations', '--parsable2', `--delimiter=${SEP}`, `--jobs=${jobIds.join(',')}`, sacctFormat(format)];
}

/** sacct's lines, asked for with the same `format` as the argv. */
export function parseSacct(text: string, format: SacctFormat = {}): Parsed<JobRecord> {
  const items: JobRecord[] = [];
  const skipped: string[] = [];
  const count = SACCT_FIELDS.length + (format.stdio ? SACCT_STDIO_FIELDS.length : 0);
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(SEP);
    if (f.length < count) {
      skipped.push(line);
      continue;
    }
    const [jobId, jobIdRaw, state, exitCode, elapsed, limit, partition, nodeList, user, submit, start, end, workDir] = f;
    const [stdOut, stdErr] = format.stdio ? f.slice(SACCT_FIELDS.length - 1, count - 1) : [];
    const name = f.slice(count - 1).join(SEP);
    if (!jobId || !/^\d+/.test(jobId) || jobId.includes('.') || !state) {
      if (!jobId?.includes('.')) skipped.push(line);
      continue;
    }
    const m = /^(\d+)_(.+)$/.exec(jobId);
    items.push({
      jobId,
      ...(m ? { arrayJobId: m[1]!, arrayTaskId: m[2]! } : {}),
      ...(m && /^\d+$/.test(jobIdRaw ?? '') ? { ownJobId: jobIdRaw! } : {}),
      name,
      ...(none(user) ? { user: user! } : {}),
      state: normalizeState(state),
      rawState: state,
      ...(none(partition) ? { partition: partition! } : {}),
      ...(none(nodeList) && nodeList !== 'None assigned' ? { nodeList: nodeList! } : {}),
      ...(none(exitCode) ? { exitCode: exitCode! } : {}),
      ...(none(elapsed) ? { elapsed: elapsed! } : {}),
      ...(none(limit) ? { timeLimit: limit! } : {}),
      ...(none(submit) ? { submit: submit! } : {}),
      ...(none(start) ? { start: start! } : {}),
      ...(none(end) ? { end: end! } : {}),
      ...(none(workDir) ? { workDir: workDir! } : {}),
      ...(none(stdOut) ? { stdOut: stdOut! } : {}),
      ...(none(stdErr) ? { stdErr: stdErr! } : {}),
      source: 'sacct',
    });
  }
  return { items, skipped };
}

// ---- resource usage (sacct with steps) ----

export interface UsageRow {
  jobId: string;
  state: string;
  elapsed?: string;
  totalCpu?: string;
  maxRss?: string;
  reqMem?: string;
  allocCpus?: number;
  timelimit?: string;
}

const USAGE_FIELDS = ['JobID', 'State', 'Elapsed', 'TotalCPU', 'MaxRSS', 'ReqMem', 'AllocCPUS', 'Timelimit'] as const;

export function usageArgv(jobId: string): string[] {
  return ['sacct', '--noheader', '--parsable2', `--delimiter=${SEP}`, `--jobs=${jobId}`, `--format=${USAGE_FIELDS.join(',')}`];
}

export function parseUsage(text: string): Parsed<UsageRow> {
  const items: UsageRow[] = [];
  const skipped: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(SEP);
    if (f.length !== USAGE_FIELDS.length || !/^\d/.test(f[0]!)) {
      skipped.push(line);
      continue;
    }
    const [jobId, state, elapsed, totalCpu, maxRss, reqMem, allocCpus, timelimit] = f as [string, string, string, string, string, string, string, string];
    items.push({ jobId, state, ...(none(elapsed) ? { elapsed } : {}), ...(none(totalCpu) ? { totalCpu } : {}), ...(none(maxRss) ? { maxRss } : {}), ...(none(reqMem) ? { reqMem } : {}), ...(Number(allocCpus) ? { allocCpus: Number(allocCpus) } : {}), ...(none(timelimit) ? { timelimit } : {}) });
  }
  return { items, skipped };
}

// ---- scontrol show job ----

export function scontrolShowJobArgv(jobId: string): string[] {
  return ['scontrol', 'show', 'job', '--oneliner', jobId];
}

/**
 * `Key=Value Key=Value ...` records, one per line (one per array task). Values may hold spaces
 * (JobName=my job), so a value runs until the next ` Key=`.
 */
export function parseScontrolJobs(text: string): Parsed<Record<string, string>> {
  const items: Record<string, string>[] = [];
  const skipped: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const keys = [...line.matchAll(/(?:^|\s)([A-Z][A-Za-z0-9_:/]*)=/g)];
    if (!keys.length || keys[0]![1] !== 'JobId') {
      skipped.push(line);
      continue;
    }
    const rec: Record<string, string> = {};
    keys.forEach((k, i) => {
      const valueStart = k.index! + k[0].length;
      const valueEnd = i + 1 < keys.length ? keys[i + 1]!.index! : line.length;
      rec[k[1]!] = line.slice(valueStart, valueEnd).trim();
    });
    items.push(rec);
  }
  return { items, skipped };
}

// ---- sbatch, scancel, scontrol actions ----

export interface SubmitOptions {
  /** Run in this directory (sbatch --chdir). */
  chdir?: string;
  dependency?: { type: 'afterok' | 'afterany' | 'afternotok'; jobIds: string[] };
  /** Only these array indexes (resubmitting failed tasks). */
  array?: string;
  hold?: boolean;
  /** More options before the script (`--mem=12G`): on the command line they override its #SBATCH lines. */
  options?: readonly string[];
}

export function sbatchArgv(script: string, opts: SubmitOptions = {}): string[] {
  return [
    'sbatch',
    '--parsable',
    ...(opts.chdir ? [`--chdir=${opts.chdir}`] : []),
    ...(opts.dependency?.jobIds.length ? [`--dependency=${opts.dependency.type}:${opts.dependency.jobIds.join(':')}`] : []),
    ...(opts.array ? [`--array=${opts.array}`] : []),
    ...(opts.hold ? ['--hold'] : []),
    ...(opts.options ?? []),
    script,
  ];
}

/** `--parsable` prints `jobid` or `jobid;cluster`; warnings may come before it. */
export function parseSbatchParsable(stdout: string): { jobId: string; cluster?: string } {
  const line = stdout.trim().split('\n').reverse().find((l) => /^\d+(;\S+)?$/.test(l.trim()));
  if (!line) throw new Error(`sbatch printed no job id: ${stdout.trim().slice(0, 200)}`);
  const [jobId, cluster] = line.trim().split(';');
  return { jobId: jobId!, ...(cluster ? { cluster } : {}) };
}

/** --verbose: without it scancel says nothing about a job id it does not know (and exits 0). */
export function scancelArgv(jobIds: readonly string[]): string[] {
  return ['scancel', '--verbose', ...jobIds];
}

export function scontrolActionArgv(action: 'hold' | 'release' | 'requeue', jobIds: readonly string[]): string[] {
  return ['scontrol', action, jobIds.join(',')];
}

export function throttleArgv(arrayJobId: string, maxRunning: number): string[] {
  return ['scontrol', 'update', `JobId=${arrayJobId}`, `ArrayTaskThrottle=${maxRunning}`];
}

/**
 * What `scontrol update` (or hold, release) said about an array, chunk by chunk. Slurm prints one
 * line per chunk of tasks ("45_0-3: Job has already finished", "45_4-11: No error", newer releases
 * add " (detail)"). Slurm 22.05 exits 1 whenever it answers for more than one chunk, whatever
 * they say; later releases leave out the chunks that took it, and still exit 1 for a finished one.
 * "No error" is success, and a task that has already finished has nothing left to change. Any
 * other line is a failure, as it is.
 */
export function arrayUpdateFailures(output: string): string[] {
  const ok = /^(No error|Job has already finished|Job\/step already completing or completed)\b/;
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => {
      if (!l) return false;
      const m = /^\d+(?:_[\w[\]%,-]+)?: (.*)$/.exec(l);
      return !(m && ok.test(m[1]!));
    });
}

/** Array indexes as Slurm writes them: `1,3,5-9`. */
export function compressIndexes(indexes: readonly number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Seconds of an elapsed/limit value: `[D-]HH:MM:SS`, `MM:SS`, `UNLIMITED`. */
export function durationSeconds(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^(UNLIMITED|INVALID|Partition_Limit)$/i.test(v)) return Infinity;
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)(?:\.\d+)?$/.exec(v.trim());
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}
