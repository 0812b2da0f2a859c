/**
 * The jobs of each watched cluster: one squeue per refresh whatever the number of jobs, sacct
 * less often (and right after a job leaves the queue), polled faster while jobs change state and
 * slower while nothing does, paused when nobody looks. History (sacct) is kept in a store so it
 * survives a reload. A failed refresh keeps what was shown and records the error. No vscode here.
 *
 * It also tells when a job ends ('ended', see `onDidEnd`): a job seen in the queue while watched
 * that left it and shows a final state in sacct; an array once none of its tasks is left in the
 * queue, as one summary. Nothing is told of what was already history when watching began.
 */
import { EventEmitter } from 'node:events';
import { isFinalState, summarizeArray, summarizeJob, type JobEnding } from '../../../common/slurm/endings';
import { parseSacct, parseSqueue, SACCT_HELPFORMAT_ARGV, sacctArgv, sacctHasStdio, squeueArgv, type JobRecord, type SacctFormat } from '../../../common/slurm/jobs';
import type { CommandRunner } from '../ssh/types';

export interface HistoryStore {
  get(key: string): JobRecord[] | undefined;
  set(key: string, value: JobRecord[]): PromiseLike<void>;
}

export interface WatchedCluster {
  name: string;
  /** The Slurm user whose jobs are shown. */
  user: string;
}

export interface ClusterJobs {
  cluster: string;
  current: JobRecord[];
  history: JobRecord[];
  /** The last refresh failed with this (what is shown is from before). */
  error?: string;
  lastRefresh?: number;
  refreshing: boolean;
}

export interface JobServiceOptions {
  historyDays: number;
  /** Never poll faster than this (the 5 s default). */
  minIntervalMs: number;
  maxIntervalMs: number;
  /** sacct runs on every n-th refresh (and whenever a job left the queue). */
  sacctEvery: number;
  /** History kept per cluster, newest first. */
  maxHistory: number;
}

export const DEFAULT_JOB_OPTIONS: JobServiceOptions = { historyDays: 7, minIntervalMs: 5000, maxIntervalMs: 60_000, sacctEvery: 6, maxHistory: 5000 };

/** A job submitted from HPC Geo: its end is told even when no squeue listed it (it ended that fast). */
export interface SubmittedJob {
  jobId: string;
  submittedAt: number;
}

/** sacct runs this many times for a job that left the queue before it is given up on (its accounting never came). */
const END_ATTEMPTS = 10;

/** What Slurm showed of a job's logs while it was listed. */
type SeenLogs = Pick<JobRecord, 'stdOut' | 'stdErr'>;

interface AwaitedEnd {
  kind: 'job' | 'array';
  /** sacct runs since it left the queue. */
  attempts: number;
}

interface Watch {
  cluster: WatchedCluster;
  data: ClusterJobs;
  interval: number;
  timer?: NodeJS.Timeout;
  refreshes: number;
  inFlight?: Promise<void>;
  /** A refresh with history asked for while one without was running: it runs next. */
  historyNext?: Promise<void>;
  /** Names as squeue printed them, which sacct may have rewritten. */
  seenNames: Map<string, string>;
  /** Log paths as squeue printed them (job id, and `array:<id>` for an array's tasks), which sacct before 24.05 does not have. */
  seenLogs: Map<string, SeenLogs>;
  /** The tasks of each array seen in the queue (numeric task ids), all of which sacct must have before the array's end is told. */
  seenTasks: Map<string, Set<string>>;
  /** Jobs and arrays that left the queue, waiting for sacct's final state. */
  awaited: Map<string, AwaitedEnd>;
  /** Ends told (job and array ids), never twice. */
  told: Set<string>;
  /** When watching began: submissions before it are not told about unless seen in the queue. */
  since: number;
  /** Whether this cluster's sacct has StdOut/StdErr (asked once). */
  sacctFormat?: Promise<SacctFormat>;
}

export class JobService extends EventEmitter {
  private readonly watches = new Map<string, Watch>();
  private paused = false;

  /** The jobs submitted from HPC Geo to a cluster (see `setSubmittedJobs`). */
  private submitted: (cluster: string) => readonly SubmittedJob[] = () => [];

  constructor(
    private readonly runnerFor: (cluster: string) => Promise<CommandRunner>,
    private readonly store: HistoryStore,
    private readonly log: (message: string) => void,
    private options: JobServiceOptions = DEFAULT_JOB_OPTIONS,
  ) {
    super();
  }

  /** Called with each job or array that ended while watched. */
  onDidEnd(listener: (ending: JobEnding) => void): { dispose(): void } {
    this.on('ended', listener);
    return { dispose: () => void this.off('ended', listener) };
  }

  /**
   * Where to learn which jobs were submitted from HPC Geo: one submitted while watching whose end
   * sacct shows is told even if no squeue ever listed it.
   */
  setSubmittedJobs(source: (cluster: string) => readonly SubmittedJob[]): void {
    this.submitted = source;
  }

  clusters(): ClusterJobs[] {
    return [...this.watches.values()].map((w) => w.data);
  }

  jobs(cluster: string): ClusterJobs | undefined {
    return this.watches.get(cluster)?.data;
  }

  /** Starts showing a cluster's jobs (history from the store at once, then a refresh). */
  watch(cluster: WatchedCluster): void {
    if (this.watches.has(cluster.name)) return;
    const history = this.store.get(historyKey(cluster.name)) ?? [];
    const w: Watch = {
      cluster,
      data: { cluster: cluster.name, current: [], history, refreshing: false },
      interval: this.options.minIntervalMs,
      refreshes: 0,
      seenNames: new Map(),
      seenLogs: new Map(),
      seenTasks: new Map(),
      awaited: new Map(),
      told: new Set(),
      since: Date.now(),
    };
    this.watches.set(cluster.name, w);
    this.emit('change', cluster.name);
    void this.refresh(cluster.name, { history: true });
  }

  unwatch(name: string): void {
    const w = this.watches.get(name);
    if (!w) return;
    clearTimeout(w.timer);
    this.watches.delete(name);
    this.emit('change', name);
  }

  /** How many days of ended jobs the tree shows (hpcGeo.jobs history setting). */
  get historyDays(): number {
    return this.options.historyDays;
  }

  /**
   * New options (the settings changed): a shorter history or a faster poll applies from the next
   * refresh, which comes now, at the new pace.
   */
  setOptions(options: JobServiceOptions): void {
    const before = this.options;
    this.options = options;
    if (before.minIntervalMs === options.minIntervalMs && before.historyDays === options.historyDays) return;
    for (const w of this.watches.values()) {
      w.interval = options.minIntervalMs;
      clearTimeout(w.timer);
      if (!this.paused) void this.refresh(w.cluster.name, { history: before.historyDays !== options.historyDays });
    }
  }

  /** Stops polling (view hidden, window unfocused); a refresh when resumed. */
  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    for (const w of this.watches.values()) {
      clearTimeout(w.timer);
      if (!paused) {
        w.interval = this.options.minIntervalMs;
        void this.refresh(w.cluster.name);
      } else this.schedule(w); // an end someone waits for is still polled, slowly
    }
  }

  /**
   * One refresh now: squeue, and sacct when asked, due, or a job left the queue. A background poll
   * does not announce itself ("refreshing…"): the view then redraws once per poll, not twice.
   */
  refresh(name: string, opts: { history?: boolean; background?: boolean } = {}): Promise<void> {
    const w = this.watches.get(name);
    if (!w) return Promise.resolve();
    if (w.inFlight) {
      // the refresh running may not read sacct: one that must (a new history window, a job gone) follows it
      if (opts.history) w.historyNext ??= w.inFlight.then(() => {
        w.historyNext = undefined;
        return this.refresh(name, { history: true });
      });
      return w.historyNext ?? w.inFlight;
    }
    clearTimeout(w.timer);
    if (!opts.background) {
      w.data.refreshing = true;
      this.emit('change', name);
    }
    w.inFlight = this.doRefresh(w, opts).finally(() => {
      w.inFlight = undefined;
      w.data.refreshing = false;
      this.emit('change', name);
      this.schedule(w);
    });
    return w.inFlight;
  }

  private async doRefresh(w: Watch, opts: { history?: boolean }): Promise<void> {
    const name = w.cluster.name;
    try {
      const runner = await this.runnerFor(name);
      const q = parseSqueue((await runner.exec(squeueArgv(w.cluster.user), { timeoutMs: 60_000 })).stdout.toString('utf8'));
      for (const line of q.skipped) this.log(`${name}: squeue line skipped: ${JSON.stringify(line.slice(0, 200))}`);
      const before = w.data.current;
      // the jobs of `before` were recorded when they were the new ones
      for (const j of q.items) {
        w.seenNames.set(j.jobId, j.name);
        if (j.stdOut || j.stdErr) {
          const logs = { ...(j.stdOut ? { stdOut: j.stdOut } : {}), ...(j.stdErr ? { stdErr: j.stdErr } : {}) };
          w.seenLogs.set(j.jobId, logs);
          if (j.arrayJobId) w.seenLogs.set(`array:${j.arrayJobId}`, logs);
        }
        if (j.arrayJobId && /^\d+$/.test(j.arrayTaskId ?? '')) {
          const tasks = w.seenTasks.get(j.arrayJobId) ?? new Set<string>();
          w.seenTasks.set(j.arrayJobId, tasks.add(j.jobId));
        }
      }
      const queued = new Set(q.items.map((j) => j.jobId));
      const queuedArrays = new Set(q.items.flatMap((j) => (j.arrayJobId ? [j.arrayJobId] : [])));
      const left = before.some((j) => !queued.has(j.jobId));
      // what left the queue waits for its final state in sacct: a job at once, an array with its last task
      for (const j of before) {
        if (j.arrayJobId ? queuedArrays.has(j.arrayJobId) : queued.has(j.jobId)) continue;
        const id = j.arrayJobId ?? j.jobId;
        if (!w.told.has(id) && !w.awaited.has(id)) w.awaited.set(id, { kind: j.arrayJobId ? 'array' : 'job', attempts: 0 });
      }
      for (const id of w.awaited.keys()) if (queued.has(id) || queuedArrays.has(id)) w.awaited.delete(id); // back (requeued)
      const was = new Map(before.map((j) => [j.jobId, j.state]));
      const changed = left || q.items.some((j) => was.get(j.jobId) !== j.state);
      w.data.current = q.items;
      w.refreshes++;
      let endings: JobEnding[] = [];
      if (opts.history || left || w.awaited.size > 0 || w.refreshes % this.options.sacctEvery === 0) {
        const format = await this.sacctFormat(w, runner);
        const a = parseSacct((await runner.exec(sacctArgv(w.cluster.user, this.options.historyDays, format), { timeoutMs: 120_000 })).stdout.toString('utf8'), format);
        for (const line of a.skipped) this.log(`${name}: sacct line skipped: ${JSON.stringify(line.slice(0, 200))}`);
        w.data.history = mergeHistory(w.data.history, a.items, this.options.maxHistory, w.seenNames, w.seenLogs);
        await this.store.set(historyKey(name), w.data.history);
        endings = this.endings(w, queued, queuedArrays);
      }
      w.data.error = undefined;
      w.data.lastRefresh = Date.now();
      // faster while things move (or an end waits for its accounting), slower while they do not
      w.interval = changed || w.awaited.size > 0 ? this.options.minIntervalMs : Math.min(this.options.maxIntervalMs, w.interval * 2);
      for (const e of endings) this.emit('ended', e);
    } catch (e) {
      w.data.error = e instanceof Error ? e.message : String(e);
      w.interval = Math.min(this.options.maxIntervalMs, Math.max(this.options.minIntervalMs, w.interval * 2));
      this.log(`${name}: refresh failed: ${w.data.error}`);
    }
  }

  /** Whether this cluster's sacct knows StdOut/StdErr (Slurm 24.05 and later), asked once per watch. */
  private sacctFormat(w: Watch, runner: CommandRunner): Promise<SacctFormat> {
    w.sacctFormat ??= runner.exec(SACCT_HELPFORMAT_ARGV, { allowNonZero: true, timeoutMs: 30_000 }).then(
      (r) => ({ stdio: sacctHasStdio(r.stdout.toString('utf8')) }),
      (e: unknown) => {
        w.sacctFormat = undefined; // asked again next time
        this.log(`${w.cluster.name}: sacct --helpformat failed: ${e instanceof Error ? e.message : String(e)}`);
        return {};
      },
    );
    return w.sacctFormat;
  }

  /**
   * The ends sacct now shows: of what left the queue while watched, and of jobs submitted from HPC
   * Geo while watched that no squeue listed. An array's end waits until sacct has every task seen
   * in the queue.
   */
  private endings(w: Watch, queued: ReadonlySet<string>, queuedArrays: ReadonlySet<string>): JobEnding[] {
    const name = w.cluster.name;
    for (const s of this.submitted(name)) {
      if (s.submittedAt < w.since || w.told.has(s.jobId) || w.awaited.has(s.jobId) || queued.has(s.jobId) || queuedArrays.has(s.jobId)) continue;
      const rows = w.data.history.filter((j) => j.jobId === s.jobId || j.arrayJobId === s.jobId);
      if (rows.length) w.awaited.set(s.jobId, { kind: rows.some((j) => j.arrayJobId === s.jobId) ? 'array' : 'job', attempts: 0 });
    }
    const out: JobEnding[] = [];
    for (const [id, a] of w.awaited) {
      a.attempts++;
      let ending: JobEnding | undefined;
      if (a.kind === 'job') {
        const row = w.data.history.find((j) => j.jobId === id && j.source === 'sacct' && isFinalState(j.state));
        if (row) ending = summarizeJob(name, row);
      } else {
        const rows = w.data.history.filter((j) => j.arrayJobId === id && j.source === 'sacct');
        const have = new Set(rows.filter((j) => isFinalState(j.state)).map((j) => j.jobId));
        const seen = w.seenTasks.get(id) ?? new Set<string>();
        if (rows.length && rows.every((j) => isFinalState(j.state)) && [...seen].every((t) => have.has(t))) ending = summarizeArray(name, id, rows);
      }
      if (ending) {
        out.push(ending);
        w.told.add(id);
        w.awaited.delete(id);
        w.seenTasks.delete(id);
      } else if (a.attempts >= END_ATTEMPTS) {
        this.log(`${name}: ${a.kind} ${id} left the queue but sacct shows no end for it; not notifying`);
        w.told.add(id);
        w.awaited.delete(id);
      }
    }
    return out;
  }

  /**
   * The next poll. While paused (nobody looks) only a cluster with an end someone waits for is
   * polled, at the slowest pace: a person who submitted and walked away, VS Code in the
   * background, finds the notification when they come back.
   */
  private schedule(w: Watch): void {
    clearTimeout(w.timer);
    if (!this.watches.has(w.cluster.name) || (this.paused && !this.awaitsEnd(w))) return;
    w.timer = setTimeout(() => void this.refresh(w.cluster.name, { background: true }), this.paused ? this.options.maxIntervalMs : w.interval);
  }

  /** A job submitted from HPC Geo still in the queue, or one that left it and waits for its accounting. */
  private awaitsEnd(w: Watch): boolean {
    if (w.awaited.size > 0) return true;
    const submitted = new Set(this.submitted(w.cluster.name).map((s) => s.jobId));
    return w.data.current.some((j) => submitted.has(j.arrayJobId ?? j.jobId));
  }

  /** The current interval of a cluster (for tests and the tooltip). */
  intervalOf(name: string): number | undefined {
    return this.watches.get(name)?.interval;
  }

  dispose(): void {
    for (const w of this.watches.values()) clearTimeout(w.timer);
    this.watches.clear();
    this.removeAllListeners();
  }
}

export function historyKey(cluster: string): string {
  return `hpcGeo.history.${cluster}`;
}

/**
 * New sacct rows replace old ones of the same job; newest first; bounded. A name seen before
 * (from squeue, or an earlier row) is kept: Slurm's accounting database rewrites names (quotes
 * become backticks; characters its charset lacks become '?'). Log paths squeue showed are kept
 * too (sacct has none before 24.05); a task squeue never listed takes its array's.
 */
export function mergeHistory(
  old: readonly JobRecord[],
  fresh: readonly JobRecord[],
  max: number,
  seenNames: ReadonlyMap<string, string> = new Map(),
  seenLogs: ReadonlyMap<string, SeenLogs> = new Map(),
): JobRecord[] {
  const byId = new Map(old.map((j) => [j.jobId, j]));
  for (const j of fresh) {
    const prev = byId.get(j.jobId);
    const seen = seenLogs.get(j.jobId) ?? (j.arrayJobId ? seenLogs.get(`array:${j.arrayJobId}`) : undefined);
    const stdOut = j.stdOut ?? seen?.stdOut ?? prev?.stdOut;
    const stdErr = j.stdOut ? j.stdErr : seen?.stdOut ? seen.stdErr : prev?.stdErr;
    byId.set(j.jobId, { ...j, name: seenNames.get(j.jobId) ?? prev?.name ?? j.name, ...(stdOut ? { stdOut } : {}), ...(stdErr ? { stdErr } : {}) });
  }
  const num = (j: JobRecord) => Number(j.jobId.split('_')[0]) * 1e6 + (Number(j.arrayTaskId) || 0);
  return [...byId.values()].sort((a, b) => num(b) - num(a)).slice(0, max);
}
