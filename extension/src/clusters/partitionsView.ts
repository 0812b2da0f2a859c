/**
 * The Partitions view: each connected cluster's partitions with what they have free now (nodes by
 * state, CPUs, GPUs, the longest job), from one sinfo per cluster and refresh. It asks only while
 * the view is shown, and never logs in: a cluster that is not connected is not listed.
 */
import * as vscode from 'vscode';
import { parseSinfoState, partitionRow, SINFO_STATE_ARGV, type PartitionState } from '../../../common/slurm/partitions';
import { Disposable } from '../lifecycle';
import { describeError, type Log } from '../log';
import type { ClusterManager } from './clusterManager';

/** How often a shown view asks sinfo again. */
export const PARTITIONS_REFRESH_MS = 60_000;

/** How soon after the last sinfo a change in the Jobs view asks again. */
const PARTITIONS_RECHECK_MS = 15_000;

type Row =
  | { type: 'cluster'; cluster: string }
  | { type: 'partition'; cluster: string; state: PartitionState }
  | { type: 'message'; cluster: string; text: string; tooltip?: string };

interface Known {
  at: number;
  partitions?: PartitionState[];
  error?: string;
}

export class PartitionsView extends Disposable implements vscode.TreeDataProvider<Row> {
  private readonly changed = this.register(new vscode.EventEmitter<Row | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly known = new Map<string, Known>();
  private readonly asking = new Map<string, Promise<void>>();
  private readonly view: vscode.TreeView<Row>;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly clusters: ClusterManager,
    private readonly log: Log,
    jobsChanged: (listener: (cluster: string) => void) => vscode.Disposable,
  ) {
    super();
    // a job that starts or ends changes what is free: ask again then (at most every 15 s), not only each minute
    this.register(
      jobsChanged((name) => {
        const k = this.known.get(name);
        if (this.view.visible && k && Date.now() - k.at > PARTITIONS_RECHECK_MS) void this.ask(name);
      }),
    );
    this.view = this.register(vscode.window.createTreeView('hpcGeo.partitions', { treeDataProvider: this, showCollapseAll: true }));
    this.register(this.view.onDidChangeVisibility(() => this.schedule()));
    this.register(
      clusters.onDidChangeCluster((name) => {
        const c = clusters.find(name);
        if (!c || clusters.stateOf(c) !== 'connected') this.known.delete(name);
        this.changed.fire(undefined);
      }),
    );
    this.register({ dispose: () => this.stop() });
    this.schedule();
  }

  /** Asks every connected cluster again now (the view's refresh button). */
  async refresh(): Promise<void> {
    await Promise.all(this.clusters.connected().map((c) => this.ask(c.name)));
  }

  private schedule(): void {
    this.stop();
    if (!this.view.visible) return;
    this.timer = setInterval(() => void this.refresh(), PARTITIONS_REFRESH_MS);
    this.changed.fire(undefined);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private ask(name: string): Promise<void> {
    let pending = this.asking.get(name);
    if (!pending) {
      pending = this.fetch(name).finally(() => this.asking.delete(name));
      this.asking.set(name, pending);
    }
    return pending;
  }

  private async fetch(name: string): Promise<void> {
    const cluster = this.clusters.find(name);
    if (!cluster || this.clusters.stateOf(cluster) !== 'connected') return;
    try {
      // the open connection only: a refresh never logs in
      const r = await (await this.clusters.runner(cluster)).exec(SINFO_STATE_ARGV, { timeoutMs: 30_000, maxBytes: 8 << 20 });
      this.known.set(name, { at: Date.now(), partitions: parseSinfoState(r.stdout.toString('utf8')) });
    } catch (e) {
      this.log.warn(`${name}: could not list the partitions (sinfo): ${describeError(e)}`);
      this.known.set(name, { at: Date.now(), error: describeError(e) });
    }
    this.changed.fire(undefined);
  }

  getTreeItem(row: Row): vscode.TreeItem {
    switch (row.type) {
      case 'cluster': {
        const item = new vscode.TreeItem(row.cluster, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `cluster:${row.cluster}`;
        item.iconPath = new vscode.ThemeIcon('server-environment');
        const k = this.known.get(row.cluster);
        item.tooltip = k ? `${row.cluster}: partitions as sinfo listed them at ${new Date(k.at).toLocaleTimeString()}` : row.cluster;
        if (k) item.description = `as of ${new Date(k.at).toLocaleTimeString()}`;
        item.contextValue = 'partitionsCluster';
        return item;
      }
      case 'partition': {
        const { label, description, tooltip, startsNow } = partitionRow(row.state);
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.id = `partition:${row.cluster}:${row.state.name}`;
        item.description = description;
        item.tooltip = tooltip;
        item.iconPath = new vscode.ThemeIcon(row.state.available !== 'up' ? 'circle-slash' : startsNow ? 'pass' : 'circle-large-filled', new vscode.ThemeColor(row.state.available !== 'up' ? 'disabledForeground' : startsNow ? 'testing.iconPassed' : 'charts.orange'));
        item.contextValue = 'partition';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(row.text, vscode.TreeItemCollapsibleState.None);
        item.id = `message:${row.cluster}:${row.text}`;
        item.tooltip = row.tooltip ?? row.text;
        item.iconPath = new vscode.ThemeIcon(row.text.startsWith('Asking') ? 'loading~spin' : 'warning');
        return item;
      }
    }
  }

  getChildren(row?: Row): Row[] {
    if (!row) return this.clusters.connected().map((c) => ({ type: 'cluster', cluster: c.name }));
    if (row.type !== 'cluster') return [];
    const k = this.known.get(row.cluster);
    if (!k) {
      void this.ask(row.cluster);
      return [{ type: 'message', cluster: row.cluster, text: 'Asking sinfo…' }];
    }
    if (k.error) return [{ type: 'message', cluster: row.cluster, text: `sinfo failed: ${k.error}`, tooltip: `${k.error}\n\nThe view asks again every minute while it is shown, or with Refresh.` }];
    if (!k.partitions!.length) return [{ type: 'message', cluster: row.cluster, text: 'sinfo listed no partitions' }];
    return k.partitions!.map((state) => ({ type: 'partition', cluster: row.cluster, state }));
  }
}
