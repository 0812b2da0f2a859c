/**
 * A cluster's partitions as sinfo lists them, for completion in the editor: one line per
 * partition, `name|timelimit`, the default marked with `*` (sinfo(1), %P and %l).
 */
import type { ClusterPartitionFacts } from '../lint/protocol';

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
