/**
 * What `.hpc-geo.yaml` holds, and the cluster profiles in it: the site facts rules check against
 * (partition limits, memory policy, CPUs, file systems, container runtime), with the helpers that
 * read them. Shared by the language server (which also reads the shipped profiles) and the
 * extension host (progress views). The YAML parser that checks every value is configParser.ts,
 * apart, so that what only reads profiles does not load the YAML library. Pure: no file system,
 * no `vscode`.
 */

export type MemPolicy = 'required' | 'forbidden' | 'allowed';
export type Severity = 'error' | 'warning' | 'info';

export interface PartitionProfile {
  default?: boolean;
  minNodes?: number;
  maxNodes?: number;
  maxTime?: string;
  mem?: MemPolicy;
  gpus?: boolean;
}

export interface Profile {
  name: string;
  description?: string;
  extends?: string;
  slurmVersion?: string;
  accountRequired?: boolean;
  mem?: MemPolicy;
  cpusPerNode?: { physical?: number; logical?: number };
  memoryPerNodeGB?: number;
  tmp?: { path?: string; sizeGB?: number; small?: boolean };
  shm?: { path?: string; sizeGB?: number };
  lustre?: string[];
  openFilesLimit?: number;
  containerRuntimes?: ('apptainer' | 'singularity')[];
  gpu?: { vendor: 'nvidia' | 'amd'; model?: string; containerFlag?: '--nv' | '--rocm' | 'none' };
  maxArraySize?: number;
  partitions?: Record<string, PartitionProfile>;
}

export interface ProgressConfig {
  preset?: 'fields-pipeline';
  log?: string;
  dir?: string;
  keys?: string | string[];
  stages?: { name: string; start: string; done?: string; skip?: string }[];
  failure?: string[];
}

export interface WorkspaceConfig {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
  rules: Record<string, Severity | 'off'>;
  progress: Record<string, ProgressConfig>;
}

export interface ConfigProblem {
  message: string;
  /** Absent: an error (the value was ignored). */
  severity?: 'warning';
  /** Absent: config-error. */
  code?: string;
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

export const WORKSPACE_CONFIG_FILE = '.hpc-geo.yaml';

/** Code of the warning for an unknown rule id under `rules:` (the severity of no rule is set by it). */
export const UNKNOWN_RULE_ID = 'unknown-rule-id';

export function resolveProfile(name: string, available: ReadonlyMap<string, Profile>): Profile | undefined {
  const seen = new Set<string>();
  const chain: Profile[] = [];
  for (let p = available.get(name); p && !seen.has(p.name); p = p.extends ? available.get(p.extends) : undefined) {
    seen.add(p.name);
    chain.unshift(p);
  }
  if (!chain.length) return undefined;
  const merged: Profile = { name };
  for (const p of chain) {
    const { partitions, ...rest } = p;
    Object.assign(merged, rest, { name });
    if (partitions) {
      merged.partitions ??= {};
      for (const [k, part] of Object.entries(partitions)) merged.partitions[k] = { ...merged.partitions[k], ...part };
    }
  }
  return merged;
}

/** The partition a job runs in: the one it names, else the profile's default. */
export function partitionOf(profile: Profile, requested: string | undefined): { name: string; partition: PartitionProfile } | undefined {
  const parts = profile.partitions ?? {};
  if (requested) {
    const first = requested.split(',')[0]!;
    return parts[first] ? { name: first, partition: parts[first]! } : undefined;
  }
  const def = Object.entries(parts).find(([, p]) => p.default);
  return def ? { name: def[0], partition: def[1] } : undefined;
}

/** Memory policy of a partition, falling back to the cluster's. */
export function memPolicy(profile: Profile, partition: PartitionProfile | undefined): MemPolicy {
  return partition?.mem ?? profile.mem ?? 'allowed';
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
