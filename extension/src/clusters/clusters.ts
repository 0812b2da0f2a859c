/**
 * The clusters a user can connect to: the setting hpcGeo.clusters, the Host aliases of
 * ~/.ssh/config, and "local" when Slurm's commands are on this machine. Read when asked (the
 * connect command), never at activation.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../ssh/local';
import type * as SshConfigModule from '../ssh/sshConfig';
import type { ClusterTarget } from '../ssh/types';

export interface ClusterSetting {
  name: string;
  host: string;
  port?: number;
  user?: string;
  identityFile?: string;
  proxyJump?: string;
  /** Lint profile for scripts of this cluster. */
  profile?: string;
  /** Remote folder where submitted scripts are uploaded and jobs start. */
  workDir?: string;
}

export interface Cluster {
  name: string;
  source: 'settings' | 'ssh-config' | 'local';
  detail: string;
  profile?: string;
  workDir?: string;
  /** Absent for the local cluster. */
  target?: ClusterTarget;
}

export const LOCAL = 'local';

/** The clusters, the problems met reading them, and the files and folders the ssh config was read from. */
export function listClusters(settings: readonly ClusterSetting[], sshConfigPath?: string): { clusters: Cluster[]; problems: string[]; sources: readonly string[] } {
  const problems: string[] = [];
  // loaded here, not at activation (the ssh-config package takes a few ms to load)
  const { SshConfigFile, defaultEnv } = require('../ssh/sshConfig') as typeof SshConfigModule;
  const env = defaultEnv();
  const path = sshConfigPath ? sshConfigPath.replace(/^~(?=\/|$)/, homedir()) : join(env.home, '.ssh', 'config');
  let config: InstanceType<typeof SshConfigFile>;
  try {
    config = SshConfigFile.read(path, env);
  } catch (e) {
    problems.push(`~/.ssh/config could not be read: ${e instanceof Error ? e.message : String(e)}`);
    config = new SshConfigFile('', env, path);
  }
  const clusters: Cluster[] = [];
  for (const s of settings) {
    if (!s || typeof s.name !== 'string' || typeof s.host !== 'string') {
      problems.push(`An entry of hpcGeo.clusters has no name or host: ${JSON.stringify(s)}`);
      continue;
    }
    try {
      const target = config.target(s.host, {
        ...(s.user ? { user: s.user } : {}),
        ...(s.port ? { port: s.port } : {}),
        ...(s.identityFile ? { identityFile: s.identityFile } : {}),
        ...(s.proxyJump ? { proxyJump: s.proxyJump } : {}),
      });
      clusters.push({ name: s.name, source: 'settings', detail: `${target.user}@${target.host}:${target.port}`, target: { ...target, alias: s.name }, ...(s.profile ? { profile: s.profile } : {}), ...(s.workDir ? { workDir: s.workDir } : {}) });
    } catch (e) {
      problems.push(`hpcGeo.clusters "${s.name}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const alias of config.aliases()) {
    if (clusters.some((c) => c.name === alias)) continue;
    try {
      const target = config.target(alias);
      clusters.push({ name: alias, source: 'ssh-config', detail: `${target.user}@${target.host}:${target.port}${target.jumps.length ? ` via ${target.jumps.map((j) => j.alias).join(', ')}` : ''}`, target });
    } catch (e) {
      problems.push(`~/.ssh/config Host ${alias}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (onPath('squeue')) clusters.push({ name: LOCAL, source: 'local', detail: 'Slurm on this machine' });
  return { clusters, problems, sources: config.sources };
}

/**
 * `listClusters`, read again only when the settings or a file or folder the ssh config was read
 * from changed (its time or size): the Jobs view asks for a cluster on every poll and every
 * redraw, and an edit of ~/.ssh/config or an Include'd file is still seen at the next ask.
 */
export class ClusterList {
  private last?: { key: string; stamp: string; sources: readonly string[]; clusters: Cluster[] };

  /** The clusters; `problems` only when they were read now (so each is said once, not at every ask). */
  get(settings: readonly ClusterSetting[], sshConfigPath?: string): { clusters: Cluster[]; problems: string[] } {
    const key = JSON.stringify([settings, sshConfigPath ?? '']);
    if (this.last?.key === key && stamp(this.last.sources) === this.last.stamp) return { clusters: this.last.clusters, problems: [] };
    const { clusters, problems, sources } = listClusters(settings, sshConfigPath);
    this.last = { key, stamp: stamp(sources), sources, clusters };
    return { clusters, problems };
  }
}

function stamp(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        const s = statSync(p);
        return `${s.mtimeMs}/${s.size}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}
