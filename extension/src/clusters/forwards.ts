import * as vscode from 'vscode';
import { stateGroup, type JobRecord } from '../../../common/slurm/jobs';
import { isJobTarget } from '../../../common/slurm/targets';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import type { ClusterRunner, PortForward } from '../ssh/types';
import { PICK_OPTIONS } from '../picks';
import type { ClusterManager } from './clusterManager';
import { expandHostnames } from './hostnames';

interface Live {
  cluster: string;
  forward: PortForward;
  /** Its place in the cluster's connection scope: a disconnect closes it. */
  scope: vscode.Disposable;
}

/**
 * Port forwards through a cluster's shared connection (`ssh -L` without a new login): to a node
 * of a running job (a Dask dashboard, Jupyter), the login node, or any host the cluster reaches.
 */
export class Forwards extends Disposable {
  private readonly live: Live[] = [];

  constructor(
    private readonly clusters: ClusterManager,
    /** The jobs shown for a cluster now (the Jobs view's). */
    private readonly jobsOf: (cluster: string) => readonly JobRecord[],
    private readonly log: Log,
  ) {
    super();
    this.register({ dispose: () => [...this.live].forEach((l) => l.scope.dispose()) });
    // the cluster's status bar menu: forward a port over its connection, close one it has
    clusters.addMenuEntries((c) => [
      ...(c.target ? [{ label: 'Forward a Port…', run: () => this.open(c.name) }] : []),
      ...(this.live.some((l) => l.cluster === c.name) ? [{ label: 'Close a Port Forward…', run: () => this.close() }] : []),
    ]);
  }

  /** Asks for node and port (the running jobs' nodes first) and forwards a local port to it. */
  async open(arg?: unknown): Promise<PortForward | undefined> {
    const cluster = await this.clusters.resolve(arg, 'Forward a port through which cluster?', (c) => !!c.target);
    if (!cluster) return undefined;
    if (!cluster.target) return void vscode.window.showInformationMessage(`${cluster.name} is this machine: its ports need no forward.`);
    const runner = await this.clusters.runner(cluster, { user: true });
    if (!runner.forwardLocal) return void vscode.window.showInformationMessage(`${cluster.name} cannot forward ports.`);
    const job = isJobTarget(arg) && arg.type === 'job' ? arg.job : undefined;
    const host = await this.pickHost(cluster.name, runner, job ? [job] : this.jobsOf(cluster.name).filter((j) => stateGroup(j.state) === 'running'));
    if (!host) return undefined;
    const portText = await vscode.window.showInputBox({
      title: `Forward a port of ${host} (${cluster.name})`,
      prompt: 'Port on that host, e.g. 8787 for a Dask dashboard, 8888 for Jupyter. The same local port is used when it is free.',
      placeHolder: '8787',
      ignoreFocusOut: true,
      validateInput: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : 'A port number, 1 to 65535'),
    });
    if (!portText) return undefined;
    const port = Number(portText.trim());
    let forward: PortForward;
    try {
      forward = await runner.forwardLocal(host, port, port);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE' && (e as { code?: string }).code !== 'EACCES') throw e;
      forward = await runner.forwardLocal(host, port, 0); // the same port is taken here: any free one
    }
    const entry: Live = { cluster: cluster.name, forward, scope: { dispose: () => undefined } };
    entry.scope = this.clusters.whileConnected(cluster.name, {
      dispose: () => {
        this.live.splice(this.live.indexOf(entry), 1);
        void forward.close();
        this.log.info(`${cluster.name}: closed the forward of localhost:${forward.localPort} to ${host}:${port}`);
      },
    }, 'port forward');
    this.live.push(entry);
    this.log.info(`${cluster.name}: forwarding localhost:${forward.localPort} to ${host}:${port}`);
    const url = `http://localhost:${forward.localPort}`;
    const moved = forward.localPort !== port ? ` (port ${port} is taken on this computer)` : '';
    void vscode.window.showInformationMessage(`Forwarding ${url} to ${host}:${port} on ${cluster.name}${moved}.`, 'Open in Browser', 'Copy URL').then(async (open) => {
      // the toast outlives the forward (a close or a disconnect cannot take it away): never open a dead URL
      if (open && !this.live.includes(entry)) return void vscode.window.showInformationMessage(`The forward of localhost:${forward.localPort} to ${host}:${port} is closed; forward the port again to open it.`);
      if (open === 'Open in Browser') await vscode.env.openExternal(vscode.Uri.parse(url));
      if (open === 'Copy URL') await vscode.env.clipboard.writeText(url);
    });
    return forward;
  }

  /** The nodes of the running jobs (Slurm expands the node lists), the login node, or a host typed in. */
  private async pickHost(cluster: string, runner: ClusterRunner, running: readonly JobRecord[]): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { host?: string };
    const items: Item[] = [];
    for (const job of running.filter((j) => j.nodeList)) {
      for (const node of await expandHostnames(runner, job.nodeList!, (m) => this.log.warn(m))) items.push({ label: node, description: `job ${job.jobId} · ${job.name}`, host: node });
    }
    if (items.length) items.unshift({ label: 'Nodes of running jobs', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: 'localhost', description: 'the login node', host: 'localhost' }, { label: 'Another host…', description: 'type its name' });
    const picked = await vscode.window.showQuickPick(items, { ...PICK_OPTIONS, placeHolder: `Which host's port, as ${cluster} reaches it?`, matchOnDescription: true });
    if (!picked) return undefined;
    if (picked.host) return picked.host;
    const typed = await vscode.window.showInputBox({
      title: `Forward a port through ${cluster}`,
      prompt: 'Host name as the cluster knows it, e.g. c5-12',
      ignoreFocusOut: true,
      validateInput: (v) => (/^[\w.-]+$/.test(v.trim()) ? undefined : 'A host name: letters, digits, ".", "-" and "_"'),
    });
    return typed?.trim() || undefined;
  }

  /** One forward to close (Enter closes the highlighted one), or all of them. */
  async close(): Promise<void> {
    // a disconnect closed its cluster's forwards already (the connection scope)
    const live = [...this.live];
    if (!live.length) return void vscode.window.showInformationMessage('No port is forwarded.');
    type Item = vscode.QuickPickItem & { close: Live[] };
    const items: Item[] = live.map((l) => ({ label: `localhost:${l.forward.localPort}`, description: `→ ${l.forward.remoteHost}:${l.forward.remotePort} on ${l.cluster}`, close: [l] }));
    if (live.length > 1) items.push({ label: 'Close All', description: `${live.length} forwards`, close: live });
    const picked = await vscode.window.showQuickPick(items, { ...PICK_OPTIONS, placeHolder: 'Close which port forward?' });
    if (!picked) return;
    for (const l of picked.close) l.scope.dispose();
    void vscode.window.showInformationMessage(picked.close.length === 1 ? `Closed the forward of localhost:${picked.close[0]!.forward.localPort}.` : `Closed ${picked.close.length} port forwards.`);
  }

  /** The forwards open now (for tests and the tree). */
  list(): readonly { cluster: string; forward: PortForward }[] {
    return this.live;
  }
}
