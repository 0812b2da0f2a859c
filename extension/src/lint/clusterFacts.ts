import { parseSinfoPartitions, SINFO_PARTITIONS_ARGV } from '../../../common/slurm/partitions';
import type { ClusterPartitionFacts } from '../../../common/lint/protocol';
import type { ClusterManager } from '../clusters/clusterManager';
import { Disposable } from '../lifecycle';
import { describeError, type Log } from '../log';
import type { LintClient } from './lintClient';

/**
 * Tells the language server what each cluster has (its partitions, from one sinfo when it
 * connects), so completion offers them; `connected: false` when it disconnects.
 */
export class ClusterFactsFeed extends Disposable {
  private readonly known = new Map<string, ClusterPartitionFacts[]>();

  constructor(clusters: ClusterManager, lint: Pick<LintClient, 'sendClusterFacts'>, log: Log) {
    super();
    const connected = new Set<string>();
    this.register(
      clusters.onDidChangeCluster((name) => {
        const c = clusters.find(name);
        const now = !!c && clusters.stateOf(c) === 'connected';
        if (now === connected.has(name)) return;
        if (!now) {
          connected.delete(name);
          lint.sendClusterFacts({ cluster: name, connected: false, partitions: this.known.get(name) ?? [] });
          return;
        }
        connected.add(name);
        void clusters
          .runner(c!)
          .then((r) => r.exec(SINFO_PARTITIONS_ARGV, { timeoutMs: 30_000, maxBytes: 1 << 20 }))
          .then(
            (r) => {
              const partitions = parseSinfoPartitions(r.stdout.toString('utf8'));
              this.known.set(name, partitions);
              if (connected.has(name)) lint.sendClusterFacts({ cluster: name, connected: true, partitions });
            },
            (e: unknown) => log.warn(`${name}: could not list the partitions for completion (sinfo): ${describeError(e)}`),
          );
      }),
    );
  }
}
