/**
 * A cluster's partitions as sinfo lists them: for completion in the editor (one line per
 * partition, `name|timelimit`, the default marked with `*`: sinfo(1), %P and %l), and what each
 * has free now for the Partitions view (nodes by state, CPUs, GPUs). Pure: argv and parsers.
 */
import type { ClusterPartitionFacts } from '../lint/protocol';
import { SEP } from './jobs';

export const SINFO_PARTITIONS_ARGV: readonly string[] = ['sinfo', '--noheader', '--format=%P|%l'];

export function parseSinfoPartitions(text: string): ClusterPartitionFacts[] {
  const seen = new Map<string, ClusterPartitionFacts>();
  for (const line of text.split('\n')) {
    const [rawName, limit] = line.trim().split('|');
    if (!rawName || limit === undefined) continue;
    const isDefault = rawName.endsWith('*');
    const name = isDefault ? rawName.slice(0, -1) : rawName;
    if (!/^[\w.-]+$/.test(name) || seen.has(name)) continue;
    seen.set(name, { name, ...(limit.trim() && limit.trim() !== 'n/a' ? { maxTime: limit.trim() } : {}), ...(isDefault ? { default: true } : {}) });
  }
  return [...seen.values()];
}

// ---- what each partition has free, for the Partitions view ----

/** sinfo's --Format fields for the Partitions view: a line per partition and node state (and GRES), each field whole and followed by the separator. */
const STATE_FIELDS = ['Partition', 'Available', 'Time', 'Size', 'StateLong', 'Nodes', 'CPUsState', 'Gres', 'GresUsed'] as const;

export const SINFO_STATE_ARGV: readonly string[] = ['sinfo', '--noheader', `--Format=${STATE_FIELDS.map((f, i) => `${f}:0${i < STATE_FIELDS.length - 1 ? SEP : ''}`).join(',')}`];

export interface PartitionState {
  name: string;
  default: boolean;
  /** `up`, `down`, `drain`, `inact`, as sinfo says. */
  available: string;
  timeLimit?: string;
  /** Nodes a job may ask for: `1-infinite`, `4-512`. */
  size?: string;
  nodes: { idle: number; mixed: number; allocated: number; unavailable: number; other: number; total: number };
  cpus: { allocated: number; idle: number; other: number; total: number };
  /** GPUs of the partition's nodes and in use, where its nodes have them. */
  gpus?: { total: number; used: number };
}

/** The GPUs of a GRES list (`gpu:a100:4(S:0-1),shard:8`, `gpu:2(IDX:0-1)`), per node. */
export function gpuCount(gres: string): number {
  let n = 0;
  for (const item of gres.split(',')) {
    const m = /^gpu(?::[\w.-]+)?:(\d+)/.exec(item.trim());
    if (m) n += Number(m[1]);
  }
  return n;
}

/** A node state as sinfo's StateLong prints it (`mixed`, `idle~`, `down*`, `drained`), in one of the view's groups. */
function stateGroup(raw: string): keyof Omit<PartitionState['nodes'], 'total'> {
  const s = raw.toLowerCase().replace(/[^a-z_]/g, '');
  if (s === 'idle') return 'idle';
  if (s === 'mixed' || s === 'mix') return 'mixed';
  if (s === 'allocated' || s === 'alloc' || s === 'completing') return 'allocated';
  if (/^(down|drain|drained|draining|fail|failing|unknown|inval|not_responding|maint|powering_down|powered_down|reboot)/.test(s)) return 'unavailable';
  return 'other';
}

/** sinfo's lines (SINFO_STATE_ARGV), summed per partition; a line it cannot read is skipped. */
export function parseSinfoState(text: string): PartitionState[] {
  const out = new Map<string, PartitionState>();
  for (const line of text.split('\n')) {
    const f = line.split(SEP);
    if (f.length < STATE_FIELDS.length) continue;
    const [rawName, available, time, size, state, nodes, cpus, gres, gresUsed] = f.map((x) => x.trim()) as string[];
    const isDefault = rawName!.endsWith('*');
    const name = isDefault ? rawName!.slice(0, -1) : rawName!;
    const n = Number(nodes);
    const c = /^(\d+)\/(\d+)\/(\d+)\/(\d+)$/.exec(cpus!);
    if (!name || !Number.isFinite(n) || !c) continue;
    let p = out.get(name);
    if (!p) {
      p = { name, default: isDefault, available: available!, ...(time && time !== 'n/a' ? { timeLimit: time } : {}), ...(size ? { size } : {}), nodes: { idle: 0, mixed: 0, allocated: 0, unavailable: 0, other: 0, total: 0 }, cpus: { allocated: 0, idle: 0, other: 0, total: 0 } };
      out.set(name, p);
    }
    p.nodes[stateGroup(state!)] += n;
    p.nodes.total += n;
    p.cpus.allocated += Number(c[1]);
    p.cpus.idle += Number(c[2]);
    p.cpus.other += Number(c[3]);
    p.cpus.total += Number(c[4]);
    const g = gpuCount(gres!) * n;
    if (g) p.gpus = { total: (p.gpus?.total ?? 0) + g, used: (p.gpus?.used ?? 0) + gpuCount(gresUsed!) * n };
  }
  return [...out.values()];
}

/**
 * A partition's row: what is free, in words, and whether a job could start there now (up, with a
 * free CPU; for a partition whose jobs take several whole nodes, that many idle nodes).
 */
export function partitionRow(p: PartitionState): { label: string; description: string; tooltip: string; startsNow: boolean } {
  const minNodes = Number(/^(\d+)/.exec(p.size ?? '')?.[1] ?? 1);
  const startsNow = p.available === 'up' && (minNodes > 1 ? p.nodes.idle >= minNodes : p.cpus.idle > 0);
  const counts = (['idle', 'mixed', 'allocated', 'unavailable', 'other'] as const).filter((k) => p.nodes[k]).map((k) => `${p.nodes[k]} ${k === 'unavailable' ? 'down' : k}`);
  const gpus = p.gpus ? ` · ${p.gpus.total - p.gpus.used} of ${p.gpus.total} GPUs free` : '';
  const description = p.available === 'up' ? `${p.cpus.idle} of ${p.cpus.total} CPUs free${gpus} · ${counts.join(', ')}` : `${p.available} · ${counts.join(', ')}`;
  const tooltip = [
    `${p.name}${p.default ? ' (the default partition)' : ''}: ${p.available}`,
    `Nodes: ${p.nodes.total} (${counts.join(', ')})`,
    `CPUs: ${p.cpus.idle} free, ${p.cpus.allocated} in use${p.cpus.other ? `, ${p.cpus.other} unavailable` : ''}, ${p.cpus.total} in all`,
    ...(p.gpus ? [`GPUs: ${p.gpus.total - p.gpus.used} free of ${p.gpus.total}`] : []),
    ...(p.timeLimit ? [`Longest job: ${p.timeLimit}`] : []),
    ...(p.size ? [`Nodes per job: ${p.size.replace('-infinite', ' or more')}`] : []),
    ...(p.available === 'up' && !startsNow && p.cpus.idle > 0 ? [`A job waits here now: its jobs take at least ${minNodes} whole nodes, and ${p.nodes.idle} ${p.nodes.idle === 1 ? 'is' : 'are'} idle`] : []),
  ].join('\n');
  return { label: p.default ? `${p.name} (default)` : p.name, description, tooltip, startsNow };
}
