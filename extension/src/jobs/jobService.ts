/**
 * The jobs of each watched cluster: one squeue per refresh whatever the number of jobs, sacct
 * less often (and right after a job leaves the queue), polled faster while jobs change state and
 * slower while nothing does, paused when nobody looks. History (sacct) is kept in a store so it
 * survives a reload. A failed refresh keeps what was shown and records the error. No vscode here.
 */
import { EventEmitter } from 'node:events';
import { parseSacct, parseSqueue, sacctArgv, squeueArgv, type JobRecord } from '../../../common/slurm/jobs';
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

interface Watch {
  cluster: WatchedCluster;
  data: ClusterJobs;
  interval: number;
  timer?: NodeJS.Timeout;
  refreshes: number;
  inFlight?: Promise<void>;
  /** Names as squeue printed them, which sacct may have rewritten. */
  seenNames: Map<string, string>;
}

export class JobService extends EventEmitter {
  private readonly watches = new Map<string, Watch>();
  private paused = false;

  constructor(
    private readonly runnerFor: (cluster: string) => Promise<CommandRunner>,
    private readonly store: HistoryStore,
    private readonly log: (message: string) => void,
    private readonly options: JobServiceOptions = DEFAULT_JOB_OPTIONS,
  ) {
    super();
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
    const w: Watch = { cluster, data: { cluster: cluster.name, current: [], history, refreshing: false }, interval: this.options.minIntervalMs, refreshes: 0, seenNames: new Map() };
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

  /** Stops polling (view hidden, window unfocused); a refresh when resumed. */
  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    for (const w of this.watches.values()) {
      clearTimeout(w.timer);
      if (!paused) {
        w.interval = this.options.minIntervalMs;
        void this.refresh(w.cluster.name);
      }
    }
  }

  /**
   * One refresh now: squeue, and sacct when asked, due, or a job left the queue. A background poll
   * does not announce itself ("refreshing…"): the view then redraws once per poll, not twice.
   */
  refresh(name: string, opts: { history?: boolean; background?: boolean } = {}): Promise<void> {
    const w = this.watches.get(name);
    if (!w) return Promise.resolve();
    if (w.inFlight) return w.inFlight;
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
      for (const j of q.items) w.seenNames.set(j.jobId, j.name);
      const queued = new Set(q.items.map((j) => j.jobId));
      const left = before.some((j) => !queued.has(j.jobId));
      const was = new Map(before.map((j) => [j.jobId, j.state]));
      const changed = left || q.items.some((j) => was.get(j.jobId) !== j.state);
      w.data.current = q.items;
      w.refreshes++;
      if (opts.history || left || w.refreshes % this.options.sacctEvery === 0) {
        const a = parseSacct((await runner.exec(sacctArgv(w.cluster.user, this.options.historyDays), { timeoutMs: 120_000 })).stdout.toString('utf8'));
        for (const line of a.skipped) this.log(`${name}: sacct line skipped: ${JSON.stringify(line.slice(0, 200))}`);
        w.data.history = mergeHistory(w.data.history, a.items, this.options.maxHistory, w.seenNames);
        await this.store.set(historyKey(name), w.data.history);
      }
      w.data.error = undefined;
      w.data.lastRefresh = Date.now();
      // faster while things move, slower while they do not
      w.interval = changed ? this.options.minIntervalMs : Math.min(this.options.maxIntervalMs, w.interval * 2);
    } catch (e) {
      w.data.error = e instanceof Error ? e.message : String(e);
      w.interval = Math.min(this.options.maxIntervalMs, Math.max(this.options.minIntervalMs, w.interval * 2));
      this.log(`${name}: refresh failed: ${w.data.error}`);
    }
  }

  private schedule(w: Watch): void {
    clearTimeout(w.timer);
    if (this.paused || !this.watches.has(w.cluster.name)) return;
    w.timer = setTimeout(() => void this.refresh(w.cluster.name, { background: true }), w.interval);
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
 * become backticks; characters its charset lacks become '?').
 */
export function mergeHistory(old: readonly JobRecord[], fresh: readonly JobRecord[], max: number, seenNames: ReadonlyMap<string, string> = new Map()): JobRecord[] {
  const byId = new Map(old.map((j) => [j.jobId, j]));
  for (const j of fresh) byId.set(j.jobId, { ...j, name: seenNames.get(j.jobId) ?? byId.get(j.jobId)?.name ?? j.name });
  const num = (j: JobRecord) => Number(j.jobId.split('_')[0]) * 1e6 + (Number(j.arrayTaskId) || 0);
  return [...byId.values()].sort((a, b) => num(b) - num(a)).slice(0, max);
}
