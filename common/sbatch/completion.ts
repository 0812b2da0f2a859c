/**
 * What completion offers in `#SBATCH` lines: the order of option names, and for each option's
 * value only values valid for its kind (the ones hpc-lint accepts), never words of the document.
 * Pure: the language server adds the cluster's facts (profile, the connected cluster's partitions).
 */
import { DEPENDENCY_TYPES, type SbatchOption } from './options';
import { formatTime, parseTime } from './values';

/** The options people reach for first, in this order; the rest follow alphabetically. */
export const FIRST_OPTIONS = ['time', 'mem', 'cpus-per-task', 'nodes', 'ntasks', 'partition', 'account', 'array', 'output', 'gpus'] as const;

/** sortText of an option name: the first options in their order, then the rest by name; options the header already sets go last. */
export function optionSortText(name: string, alreadyUsed: boolean): string {
  const first = (FIRST_OPTIONS as readonly string[]).indexOf(name);
  return `${alreadyUsed ? '1' : '0'}${first >= 0 ? `0${String(first).padStart(2, '0')}` : `1${name}`}`;
}

export interface ValueSuggestion {
  value: string;
  detail?: string;
}

export interface PartitionChoice {
  name: string;
  default?: boolean;
  maxTime?: string;
  minNodes?: number;
  maxNodes?: number;
  gpus?: boolean;
  /** Where the partition is known from, e.g. `sinfo on lab` or `profile betzy`. */
  source?: string;
}

/** Facts about the cluster and the script that make value suggestions concrete. */
export interface ValueContext {
  partitions?: readonly PartitionChoice[];
  /** The partition the script runs in (the one it names, else the default one). */
  partition?: PartitionChoice;
  /** CPUs per node (physical), to bound CPU counts. */
  cpusPerNode?: number;
  accounts?: readonly string[];
  /** The script's file name without its extension, offered as --job-name. */
  scriptName?: string;
}

const COUNT_LIMIT = 128;

function powersOfTwo(upTo: number): string[] {
  const out: string[] = [];
  for (let n = 1; n <= upTo; n *= 2) out.push(String(n));
  if (out.at(-1) !== String(upTo)) out.push(String(upTo));
  return out;
}

function partitionDetail(p: PartitionChoice): string | undefined {
  const bits = [p.default ? 'default' : '', p.gpus ? 'GPUs' : '', p.minNodes ? `≥ ${p.minNodes} nodes` : '', p.maxNodes ? `≤ ${p.maxNodes} nodes` : '', p.maxTime ? `≤ ${p.maxTime}` : '', p.source ?? ''].filter(Boolean);
  return bits.length ? bits.join(', ') : undefined;
}

/** Slurm time specifications `--begin` and `--deadline` accept (sbatch(1)). */
const WHEN = ['now+1hour', 'now+30minutes', 'midnight', 'tomorrow'];

/**
 * The values offered for `opt`. Each is valid for the option's kind as hpc-lint checks it; an
 * empty list means the option takes free text nothing can be suggested for.
 */
export function valueSuggestions(opt: SbatchOption, ctx: ValueContext = {}): ValueSuggestion[] {
  const plain = (values: readonly string[]) => values.map((value) => ({ value }));
  if (opt.kind === 'partition') return (ctx.partitions ?? []).map((p) => ({ value: p.name, ...(partitionDetail(p) ? { detail: partitionDetail(p)! } : {}) }));
  if (opt.values) return plain(opt.values);
  switch (opt.kind) {
    case 'dependency':
      return DEPENDENCY_TYPES.map((t) => ({ value: t === 'singleton' ? t : `${t}:` }));
    case 'time': {
      if (opt.name !== 'time' && opt.name !== 'time-min') return plain(['10', '30']);
      const max = ctx.partition?.maxTime && parseTime(ctx.partition.maxTime) !== undefined ? formatTime(parseTime(ctx.partition.maxTime)!) : undefined;
      const base = ['00:30:00', '02:00:00', '12:00:00', '1-00:00:00'];
      const maxSeconds = max ? parseTime(max)! : Infinity;
      const out: ValueSuggestion[] = base.filter((t) => parseTime(t)! <= maxSeconds).map((value) => ({ value }));
      if (max && !out.some((s) => s.value === max)) out.push({ value: max, detail: `maximum of ${ctx.partition!.name}` });
      else if (max) out.find((s) => s.value === max)!.detail = `maximum of ${ctx.partition!.name}`;
      return out;
    }
    case 'memory':
      return plain(opt.name === 'mem' ? ['4G', '16G', '64G', '128G'] : ['1G', '2G', '4G', '8G']);
    case 'count': {
      if (opt.name === 'threads-per-core' || opt.name === 'ntasks-per-core') return plain(['1', '2']);
      if (opt.name === 'core-spec' || opt.name === 'thread-spec') return plain(['1', '2']);
      const cpuBound = ['cpus-per-task', 'mincpus', 'ntasks-per-node', 'cores-per-socket'].includes(opt.name);
      return plain(powersOfTwo(cpuBound && ctx.cpusPerNode ? Math.min(ctx.cpusPerNode, COUNT_LIMIT) : 64));
    }
    case 'nodes': {
      const min = ctx.partition?.minNodes ?? 1;
      const values = [...new Set([String(min), String(min * 2), String(min * 4), `${min}-${min * 4}`])];
      return values.map((value, i) => ({ value, ...(i === 0 && min > 1 ? { detail: `minimum of ${ctx.partition!.name}` } : {}) }));
    }
    case 'gpus':
      return plain(['1', '2', '4']);
    case 'array':
      return [
        { value: '0-9', detail: 'tasks 0 to 9' },
        { value: '1-100%10', detail: 'tasks 1 to 100, at most 10 at once' },
        { value: '0-999%50', detail: 'tasks 0 to 999, at most 50 at once' },
        { value: '1,3,5', detail: 'these tasks' },
      ];
    case 'filename':
      if (opt.name === 'chdir') return [];
      return [
        { value: '%x_%j.out', detail: 'job name and id' },
        { value: '%x_%A_%a.out', detail: 'one file per array task' },
        { value: 'logs/%x_%j.out', detail: 'in logs/ (the folder must exist)' },
      ];
    case 'text':
      if (opt.name === 'account') return plain(ctx.accounts ?? []);
      if (opt.name === 'job-name') return ctx.scriptName ? plain([ctx.scriptName]) : [];
      if (opt.name === 'begin' || opt.name === 'deadline') return plain(WHEN);
      return [];
    default:
      return [];
  }
}
