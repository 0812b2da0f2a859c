/**
 * Pipeline progress from logs: for each key (a year, a tile, an array task) a log, and in it the
 * stages of the pipeline, found by regular expressions. Incremental: lines are fed as they are
 * read, so a refresh only reads what is new. Pure.
 */
import { checkUserRegex, USER_REGEX_MAX_INPUT, type UserRegexCheck } from '../regexSafety';

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

/** A stage or failure pattern as the parser compiles it (case-insensitive), refused if unsafe. */
export function compileProgressRegex(source: string): UserRegexCheck {
  return checkUserRegex(source, 'i');
}

/** Keys a progress view shows at most (one row and one log each): a range beyond is a mistake. */
export const MAX_PROGRESS_KEYS = 10_000;

/** The keys of a spec: a list, or `a..b`; more than MAX_PROGRESS_KEYS is refused before any is made. */
export function expandKeys(keys: ProgressSpec['keys']): string[] {
  const tooMany = (what: string, n: number) =>
    new Error(`keys ${what} makes ${n.toLocaleString('en-US')} keys; a progress view shows at most ${MAX_PROGRESS_KEYS.toLocaleString('en-US')}. Narrow the range in .hpc-geo.yaml.`);
  if (Array.isArray(keys)) {
    if (keys.length > MAX_PROGRESS_KEYS) throw tooMany('(a list)', keys.length);
    return keys.map(String);
  }
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(keys);
  if (!m) {
    const list = keys.split(/[\s,]+/).filter(Boolean);
    if (list.length > MAX_PROGRESS_KEYS) throw tooMany('(a list)', list.length);
    return list;
  }
  const [a, b] = [Number(m[1]), Number(m[2])];
  const n = Math.max(0, b - a + 1);
  if (n > MAX_PROGRESS_KEYS) throw tooMany(`${m[1]}..${m[2]}`, n);
  return Array.from({ length: n }, (_, i) => String(a + i));
}

export function logPathFor(spec: Pick<ProgressSpec, 'log' | 'dir'>, key: string): string {
  const p = spec.log.replace(/\{key\}/g, key);
  if (p.startsWith('/') || !spec.dir) return p;
  let end = spec.dir.length;
  while (end > 0 && spec.dir[end - 1] === '/') end--;
  return `${spec.dir.slice(0, end)}/${p}`;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (s: string, i: number) => i < s.length && /\s/.test(s[i]!);
const skipSpaces = (s: string, i: number) => {
  while (isSpace(s, i)) i++;
  return i;
};
const digitsFrom = (s: string, i: number) => {
  while (isDigit(s.charCodeAt(i))) i++;
  return i;
};

/**
 * tqdm `45%|`, a bare `NN%`, or `N/M`, in that order of trust. Plain string code, linear in the
 * line (the regexes it replaces — `(\d{1,3})%\|`, `(\d{1,3}(?:\.\d+)?)\s*%`,
 * `\b(\d[\d,]*)\s*\/\s*(\d[\d,]*)\b` — were quadratic on a line of `0,0,0,…`); it reads what
 * their first matches read.
 */
export function percentOf(line: string): number | undefined {
  // tqdm: the first `%|` with 1..3 digits before it
  for (let p = line.indexOf('%|'); p >= 0; p = line.indexOf('%|', p + 2)) {
    let i = p;
    while (i > 0 && p - i < 3 && isDigit(line.charCodeAt(i - 1))) i--;
    if (i < p) return Math.min(100, Number(line.slice(i, p)));
  }
  // NN% / NN.N%: the last 1..3 digits of a run of digits, an optional fraction, spaces, `%`
  for (let a = 0; a < line.length; ) {
    if (!isDigit(line.charCodeAt(a))) {
      a++;
      continue;
    }
    const b = digitsFrom(line, a);
    let end = b;
    if (line[b] === '.' && isDigit(line.charCodeAt(b + 1))) {
      const m = digitsFrom(line, b + 1);
      if (line[skipSpaces(line, m)] === '%') end = m;
    }
    if (line[skipSpaces(line, end)] === '%') return Math.min(100, Number(line.slice(Math.max(a, b - 3), end)));
    a = b;
  }
  // N/M: digits and commas, at a word boundary, then `/`, then digits and commas up to a word boundary
  for (let a = 0; a < line.length; ) {
    const c = line.charCodeAt(a);
    if (!isDigit(c) && c !== 44) {
      a++;
      continue;
    }
    let e = a;
    let start = -1;
    for (; e < line.length && (isDigit(line.charCodeAt(e)) || line.charCodeAt(e) === 44); e++) {
      if (start < 0 && isDigit(line.charCodeAt(e)) && (e === 0 || !isWord(line.charCodeAt(e - 1)))) start = e;
    }
    const slash = skipSpaces(line, e);
    const l = line[slash] === '/' ? skipSpaces(line, slash + 1) : -1;
    if (start >= 0 && l >= 0 && isDigit(line.charCodeAt(l))) {
      let f = l + 1;
      while (isDigit(line.charCodeAt(f)) || line.charCodeAt(f) === 44) f++;
      // back off to the last word boundary (the regex's trailing \b)
      const boundary = (k: number) => k >= line.length || isWord(line.charCodeAt(k - 1)) !== isWord(line.charCodeAt(k));
      while (f > l + 1 && !boundary(f)) f--;
      if (boundary(f)) {
        const [n, d] = [Number(line.slice(start, e).replaceAll(',', '')), Number(line.slice(l, f).replaceAll(',', ''))];
        return d > 0 && n <= d ? Math.round((n / d) * 100) : undefined;
      }
    }
    a = e;
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
    const re = (source: string, what: string) => {
      const r = compileProgressRegex(source);
      if (!r.ok) throw new Error(`The progress view '${spec.name}', ${what}: ${r.reason}.`);
      return r.regex;
    };
    this.starts = spec.stages.map((s) => re(s.start, `stage '${s.name}' start`));
    this.dones = spec.stages.map((s) => (s.done ? re(s.done, `stage '${s.name}' done`) : undefined));
    this.skips = spec.stages.map((s) => (s.skip ? re(s.skip, `stage '${s.name}' skip`) : undefined));
    this.failures = spec.failure.map((f, i) => re(f, `failure[${i}]`));
    this.progress = { key, cells: spec.stages.map(() => 'pending'), current: -1 };
  }

  reset(): void {
    Object.assign(this.progress, { cells: this.spec.stages.map(() => 'pending' as CellState), current: -1 });
    for (const k of ['lastLine', 'percent', 'firstTime', 'lastTime', 'failedLine'] as const) delete this.progress[k];
  }

  /** Each line is matched (and kept as the last line) cut to USER_REGEX_MAX_INPUT characters. */
  feed(lines: readonly string[]): void {
    const p = this.progress;
    for (const whole of lines) {
      const line = whole.length > USER_REGEX_MAX_INPUT ? whole.slice(0, USER_REGEX_MAX_INPUT) : whole;
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
