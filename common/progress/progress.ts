/**
 * Pipeline progress from logs: for each key (a year, a tile, an array task) a log, and in it the
 * stages of the pipeline, found by regular expressions. Incremental: lines are fed as they are
 * read, so a refresh only reads what is new. Pure.
 */

export type CellState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StageSpec {
  name: string;
  /** A line that says the stage began. */
  start: string;
  /** A line that says it ended well. */
  done?: string;
  /** A line that says it was skipped (an idempotent step that found a valid output). */
  skip?: string;
}

export interface ProgressSpec {
  name: string;
  /** Log path with `{key}`, relative to `dir` when not absolute. */
  log: string;
  dir?: string;
  /** A list, or a range written `2008..2024`. */
  keys: (string | number)[] | string;
  stages: StageSpec[];
  /** Lines that mean the key failed (in its current stage). */
  failure: string[];
}

export interface KeyProgress {
  key: string;
  cells: CellState[];
  /** Index of the stage running or last reached. */
  current: number;
  lastLine?: string;
  percent?: number;
  /** First and last timestamps seen at line starts, in ms. */
  firstTime?: number;
  lastTime?: number;
  failedLine?: string;
}

export function expandKeys(keys: ProgressSpec['keys']): string[] {
  if (Array.isArray(keys)) return keys.map(String);
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(keys);
  if (!m) return keys.split(/[\s,]+/).filter(Boolean);
  const [a, b] = [Number(m[1]), Number(m[2])];
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => String(a + i));
}

export function logPathFor(spec: Pick<ProgressSpec, 'log' | 'dir'>, key: string): string {
  const p = spec.log.replace(/\{key\}/g, key);
  return p.startsWith('/') || !spec.dir ? p : `${spec.dir.replace(/\/+$/, '')}/${p}`;
}

/** tqdm `45%|`, a bare `NN%`, or `N/M`, in that order of trust. */
export function percentOf(line: string): number | undefined {
  const tqdm = /(\d{1,3})%\|/.exec(line);
  if (tqdm) return Math.min(100, Number(tqdm[1]));
  const pct = /(\d{1,3}(?:\.\d+)?)\s*%/.exec(line);
  if (pct) return Math.min(100, Number(pct[1]));
  const frac = /\b(\d[\d,]*)\s*\/\s*(\d[\d,]*)\b/.exec(line);
  if (frac) {
    const [n, d] = [Number(frac[1]!.replace(/,/g, '')), Number(frac[2]!.replace(/,/g, ''))];
    if (d > 0 && n <= d) return Math.round((n / d) * 100);
  }
  return undefined;
}

const TIME = /^\[?(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/;

export class KeyParser {
  private readonly starts: RegExp[];
  private readonly dones: (RegExp | undefined)[];
  private readonly skips: (RegExp | undefined)[];
  private readonly failures: RegExp[];
  readonly progress: KeyProgress;

  constructor(
    key: string,
    private readonly spec: ProgressSpec,
  ) {
    const re = (s: string) => new RegExp(s, 'i');
    this.starts = spec.stages.map((s) => re(s.start));
    this.dones = spec.stages.map((s) => (s.done ? re(s.done) : undefined));
    this.skips = spec.stages.map((s) => (s.skip ? re(s.skip) : undefined));
    this.failures = spec.failure.map(re);
    this.progress = { key, cells: spec.stages.map(() => 'pending'), current: -1 };
  }

  reset(): void {
    Object.assign(this.progress, { cells: this.spec.stages.map(() => 'pending' as CellState), current: -1 });
    for (const k of ['lastLine', 'percent', 'firstTime', 'lastTime', 'failedLine'] as const) delete this.progress[k];
  }

  feed(lines: readonly string[]): void {
    const p = this.progress;
    for (const line of lines) {
      if (!line.trim()) continue;
      const t = TIME.exec(line);
      if (t) {
        const ms = Date.parse(`${t[1]}T${t[2]}Z`);
        if (Number.isFinite(ms)) {
          p.firstTime ??= ms;
          p.lastTime = ms;
        }
      }
      p.lastLine = line;
      let matched = false;
      for (let i = 0; i < this.starts.length && !matched; i++) {
        if (this.skips[i]?.test(line)) {
          p.cells[i] = 'skipped';
          p.current = Math.max(p.current, i);
          matched = true;
        } else if (this.dones[i]?.test(line)) {
          p.cells[i] = 'done';
          p.current = Math.max(p.current, i);
          matched = true;
        } else if (this.starts[i]!.test(line)) {
          p.cells[i] = 'running';
          p.current = i;
          delete p.percent;
          matched = true;
        }
      }
      if (!matched && this.failures.some((f) => f.test(line))) {
        const at = p.current >= 0 ? p.current : 0;
        p.cells[at] = 'failed';
        p.failedLine = line;
      }
      const pct = percentOf(line);
      if (pct !== undefined && p.current >= 0 && p.cells[p.current] === 'running') p.percent = pct;
    }
    // a stage that ran and was followed by a later one is done, even without a done line
    for (let i = 0; i < p.current; i++) if (p.cells[i] === 'running') p.cells[i] = 'done';
  }
}

/** The fields pipeline of the field reports: one log per year, seven stages. */
export const FIELDS_PIPELINE: Omit<ProgressSpec, 'dir'> = {
  name: 'fields pipeline',
  log: 'logs/year_{key}.log',
  keys: '2008..2024',
  stages: [
    { name: 'Download CDL', start: 'download(ing)? (the )?CDL', done: 'CDL (ready|downloaded|extracted)', skip: 'skip(ping)? (the )?(CDL )?download' },
    { name: 'Zonal stats', start: 'zonal stats', done: 'zonal (stats )?(done|written|complete)', skip: 'zonal.*(valid|exists).*skip|skip(ping)? zonal' },
    { name: 'GeoJSON streaming', start: 'stream(ing)? (geojson|features)', done: '(streamed|streaming done|features streamed)' },
    { name: 'Tippecanoe', start: 'tippecanoe (start|running)|running tippecanoe', done: 'tippecanoe (done|finished)|mbtiles written', skip: 'pmtiles.*(valid|exists).*skip' },
    { name: 'PMTiles', start: 'convert(ing)? .*pmtiles|pmtiles conversion', done: 'pmtiles (written|done)|converted to pmtiles' },
    { name: 'Upload', start: 'upload(ing)?|aws s3 cp', done: 'upload(ed| done| complete)' },
    { name: 'Manifest', start: 'manifest', done: 'manifest (updated|written)|invalidation created' },
  ],
  failure: ['Traceback \\(most recent call last\\)', 'shards not a power of 2', '\\bERROR\\b', 'slurmstepd: error', 'CANCELLED', 'Killed', 'No space left on device'],
};

/** One key per array task; the state comes from Slurm, the percentage from each task's log. */
export const ARRAY_JOB: Omit<ProgressSpec, 'dir' | 'log' | 'keys'> = {
  name: 'array job',
  stages: [{ name: 'Task', start: '.' }],
  failure: ['Traceback \\(most recent call last\\)', '\\bERROR\\b', 'slurmstepd: error', 'CUDA error', 'oom[-_ ]kill'],
};
