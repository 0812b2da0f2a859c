/**
 * The value formats of sbatch options, as Slurm parses them (time_str2secs, str_to_mbytes,
 * the array and dependency grammars of sbatch(1)). Each parser returns undefined when Slurm
 * would refuse the value.
 */
import { DEPENDENCY_TYPES } from './options';

/** Seconds of a `--time` value; Infinity for UNLIMITED/INFINITE. */
export function parseTime(value: string): number | undefined {
  const v = value.trim();
  if (/^(unlimited|infinite)$/i.test(v)) return Infinity;
  let days = 0;
  let rest = v;
  const dash = /^(\d+)-(.+)$/.exec(v);
  if (dash) {
    days = Number(dash[1]);
    rest = dash[2]!;
    // days-hours, days-hours:minutes, days-hours:minutes:seconds
    const m = /^(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(rest);
    if (!m) return undefined;
    return days * 86400 + Number(m[1]) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  }
  // minutes, minutes:seconds, hours:minutes:seconds
  const parts = rest.split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const n = parts.map(Number);
  if (n.length === 1) return n[0]! * 60;
  if (n.length === 2) return n[0]! * 60 + n[1]!;
  return n[0]! * 3600 + n[1]! * 60 + n[2]!;
}

/** `d-hh:mm:ss`, the form squeue prints and the clearest to write. */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'UNLIMITED';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return d ? `${d}-${hms}` : hms;
}

/**
 * Megabytes of a memory value, as Slurm's str_to_mbytes (src/common/proc_args.c, unchanged from
 * 22.05 to 25.x) reads it: strtoll's whole number (leading blanks and a `+` allowed), then nothing
 * (M), or one of K, M, G, T in any case optionally followed by `B`/`b` (`30GB`, `64gb`, `10Gb`).
 */
export function parseMemoryMB(value: string): number | undefined {
  const m = /^\s*\+?(\d+)(?:([KMGT])B?)?$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch ((m[2] ?? 'M').toUpperCase()) {
    case 'K':
      return Math.ceil(n / 1024);
    case 'G':
      return n * 1024;
    case 'T':
      return n * 1024 * 1024;
    default:
      return n;
  }
}

export interface ArraySpec {
  /** Number of tasks. */
  count: number;
  maxIndex: number;
  throttle?: number;
}

/**
 * `--array` indexes: `0-15`, `0,6,16-32`, `0-15:4`, each optionally followed by `%max`. Slurm's
 * slurm_parse_array_tok drops one `[` before an entry and a `]` after each number, so `[0-3]`,
 * `[1,3,5]` and `[0-32]%20` are valid too.
 */
export function parseArray(value: string): ArraySpec | { error: string } {
  const m = /^([^%]+)(?:%(\d+))?$/.exec(value.trim());
  if (!m) return { error: 'expected indexes such as 0-99 or 1,3,5-7, optionally followed by %<max running>' };
  let count = 0;
  let maxIndex = -1;
  for (const part of m[1]!.split(',')) {
    const r = /^\[?(\d+)\]?(?:-(\d+)\]?(?::(\d+)\]?)?)?$/.exec(part);
    if (!r) return { error: `'${part}' is not an index or a range (start-end[:step])` };
    const start = Number(r[1]);
    const end = r[2] === undefined ? start : Number(r[2]);
    const step = r[3] === undefined ? 1 : Number(r[3]);
    if (end < start) return { error: `the range ${part} ends before it starts` };
    if (step === 0) return { error: `the step of ${part} is 0` };
    count += Math.floor((end - start) / step) + 1;
    maxIndex = Math.max(maxIndex, end - ((end - start) % step));
  }
  const throttle = m[2] === undefined ? undefined : Number(m[2]);
  if (throttle === 0) return { error: '%0 would let no task run' };
  return { count, maxIndex, ...(throttle === undefined ? {} : { throttle }) };
}

export interface DependencyTerm {
  type: string;
  jobs: string[];
}

/** `--dependency`: terms joined by `,` (all must hold) or `?` (any), never both. */
export function parseDependency(value: string): { terms: DependencyTerm[]; join: ',' | '?' } | { error: string } {
  const v = value.trim();
  if (v.includes(',') && v.includes('?')) return { error: "',' (all of) and '?' (any of) cannot be mixed" };
  const join = v.includes('?') ? '?' : ',';
  const terms: DependencyTerm[] = [];
  for (const part of v.split(join)) {
    if (part === 'singleton') {
      terms.push({ type: 'singleton', jobs: [] });
      continue;
    }
    const [type, ...jobs] = part.split(':');
    if (!type || !(DEPENDENCY_TYPES as readonly string[]).includes(type)) {
      return { error: `'${type ?? part}' is not a dependency type (${DEPENDENCY_TYPES.join(', ')})` };
    }
    if (jobs.length === 0) return { error: `${type} needs at least one job id (${type}:<job_id>)` };
    for (const job of jobs) {
      if (!/^\d+(_\d+)?(\+\d+)?$/.test(job)) return { error: `'${job}' is not a job id` };
    }
    terms.push({ type, jobs });
  }
  return { terms, join };
}

/** `--nodes`: `N`, `min-max`, or a list of sizes `1,4,8`. Returns the minimum. */
export function parseNodes(value: string): { min: number; max?: number } | undefined {
  const v = value.trim();
  const range = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (range) {
    const min = Number(range[1]);
    const max = range[2] === undefined ? undefined : Number(range[2]);
    if (min < 1 || (max !== undefined && max < min)) return undefined;
    return { min, ...(max === undefined ? {} : { max }) };
  }
  if (/^\d+(,\d+)+$/.test(v)) {
    const sizes = v.split(',').map(Number);
    return { min: Math.min(...sizes), max: Math.max(...sizes) };
  }
  return undefined;
}

export function parseCount(value: string): number | undefined {
  return /^\d+$/.test(value.trim()) && Number(value) > 0 ? Number(value) : undefined;
}

/** The number of GPUs in `--gpus=[type:]N`; undefined when unreadable. */
export function parseGpuCount(value: string): number | undefined {
  const m = /^(?:[\w-]+:)?(\d+)$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Placeholders that template drivers fill in before a script is submitted: Jinja/Mustache
 * `{{ x }}` and `{% x %}`, Python's `{x}` (not bash's `${x}`), `$x$`, `<ACCOUNT>` (also with spaces
 * and dashes: `<your project>`, `<---- Account ---->`), `@NODES@`, RELION's `XXXqueueXXX`, `%%ntasks%%`, `**FIXME**`, and prose in brackets (`[budget code]`).
 * Bounded repetitions keep the search linear on any line.
 */
const PLACEHOLDER = /\{\{[^{}\n]{0,300}\}\}|\{%[^\n]{0,300}?%\}|(?<!\$)\{[A-Za-z_][\w.]{0,60}\}|\$[A-Za-z_]\w{0,60}\$(?![\w{(])|<-{0,20} ?[A-Za-z_][\w .:-]{0,60}>|@[A-Za-z_]\w{0,60}@|XXX[a-z]\w{0,40}?XXX|%%[A-Za-z_][\w-]{0,60}%%|\*\*[A-Za-z_]\w{0,40}\*\*|\[[A-Za-z][\w.:'-]{0,30} [\w .:'-]{0,60}\]/;

/** A line that is only a template tag (`{% if gpus %}`, `{{ directives }}`, `{# note #}`). */
export const TEMPLATE_LINE = /^(?:\{%[^\n]{0,300}%\}|\{\{[^{}\n]{0,300}\}\}|\{#[^\n]{0,300}#\})$/;

/** The first template placeholder in a value, if it holds one. */
export function placeholderIn(value: string): string | undefined {
  return PLACEHOLDER.exec(value)?.[0];
}
