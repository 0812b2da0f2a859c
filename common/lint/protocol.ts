/**
 * Messages between the extension host and the language server beyond LSP itself. The server cannot
 * reach a cluster; the extension tells it what it knows (from `sinfo` on a connected cluster).
 */

/**
 * VS Code's language of a file it opened "anyway" as binary, and the names of batch scripts: such a
 * script (a NUL byte in it) is still synced and linted, which says why sbatch refuses it.
 */
export const BINARY_LANGUAGE = 'code-text-binary';
/** The file extensions of batch scripts (the sbatch language's in package.json). */
const SCRIPT_EXTENSIONS = ['sbatch', 'slurm'];
export const SCRIPT_FILE_GLOB = `**/*.{${SCRIPT_EXTENSIONS.join(',')}}`;
export function isScriptFileName(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot >= 0 && SCRIPT_EXTENSIONS.includes(path.slice(dot + 1).toLowerCase());
}

/** Method of the notification the extension sends (extension → server). */
export const CLUSTER_FACTS_NOTIFICATION = 'hpcGeo/clusterFacts';

export interface ClusterPartitionFacts {
  name: string;
  /** Slurm's time limit as sinfo prints it (`1-00:00:00`, `infinite` when there is none). */
  maxTime?: string;
  /** The cluster's default partition (sinfo marks it with `*`). */
  default?: boolean;
}

/**
 * What the extension knows about one cluster. Sent when a cluster connects (and whenever its
 * facts change), and with `connected: false` when it disconnects. A later message for the same
 * cluster replaces the earlier one.
 */
export interface ClusterFacts {
  /** The cluster's name in the extension, as a `# hpc-geo: cluster=<name>` comment names it. */
  cluster: string;
  connected: boolean;
  partitions: ClusterPartitionFacts[];
  /** Accounts (projects) the user may charge, when known. */
  accounts?: string[];
}

/** Whether a value received over the wire is a well-formed ClusterFacts (the server checks before using it). */
export function isClusterFacts(v: unknown): v is ClusterFacts {
  if (!v || typeof v !== 'object') return false;
  const f = v as Record<string, unknown>;
  const isPartition = (p: unknown) => {
    if (!p || typeof p !== 'object') return false;
    const q = p as Record<string, unknown>;
    return typeof q.name === 'string' && q.name !== '' && (q.maxTime === undefined || typeof q.maxTime === 'string') && (q.default === undefined || typeof q.default === 'boolean');
  };
  return (
    typeof f.cluster === 'string' &&
    f.cluster !== '' &&
    typeof f.connected === 'boolean' &&
    Array.isArray(f.partitions) &&
    f.partitions.every(isPartition) &&
    (f.accounts === undefined || (Array.isArray(f.accounts) && f.accounts.every((a) => typeof a === 'string')))
  );
}
