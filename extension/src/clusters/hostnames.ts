import type { ClusterRunner } from '../ssh/types';

/**
 * A Slurm node list (`c1-[1-3],gpu7`) as host names, by Slurm's own `scontrol show hostnames`
 * (at most 200); the list as it is when that fails, with the reason for the log.
 */
export async function expandHostnames(runner: ClusterRunner, nodeList: string, warn: (message: string) => void): Promise<string[]> {
  try {
    const out = (await runner.exec(['scontrol', 'show', 'hostnames', nodeList], { timeoutMs: 15_000, maxBytes: 1 << 20 })).stdout.toString('utf8');
    const names = out.split('\n').map((l) => l.trim()).filter(Boolean);
    return names.length ? names.slice(0, 200) : [nodeList];
  } catch (e) {
    warn(`scontrol show hostnames ${nodeList} failed: ${e instanceof Error ? e.message : String(e)}`);
    return [nodeList];
  }
}
