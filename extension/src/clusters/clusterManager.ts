import * as vscode from 'vscode';
import { loadBundle } from '../bundles';
import type { Config } from '../config';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import type { PortForward, SshConnection } from '../ssh/connection';
import { LocalRunner } from '../ssh/local';
import { SessionManager, type SessionState, type SessionStatus } from '../ssh/sessions';
import { targetKey, type CommandRunner } from '../ssh/types';
import { listClusters, type Cluster, type ClusterSetting } from './clusters';
import { VsCodePrompter } from './vscodePrompter';

const ICONS: Record<SessionState, string> = {
  disconnected: '$(debug-disconnect)',
  connecting: '$(sync~spin)',
  reconnecting: '$(sync~spin)',
  connected: '$(vm-connect)',
  'needs-user': '$(warning)',
  failed: '$(error)',
};

/**
 * The clusters of this window and their one shared connection each: connect and disconnect,
 * a status bar item per cluster, port forwards. Later features ask it for a runner.
 */
export class ClusterManager extends Disposable {
  private readonly sessions: SessionManager;
  private readonly local = new LocalRunner();
  private readonly items = new Map<string, vscode.StatusBarItem>();
  private readonly byKey = new Map<string, Cluster>();
  private readonly forwards: { cluster: string; forward: PortForward }[] = [];
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with a cluster's name when its connection state changes. */
  readonly onDidChangeCluster = this.changed.event;

  constructor(
    context: vscode.ExtensionContext,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    super();
    this.sessions = new SessionManager(new VsCodePrompter(context.secrets, () => this.config.get('ssh.rememberPassphrases')), {
      open: (target, prompter) => loadBundle<typeof import('../ssh/sshMain')>(context, 'ssh').SshConnection.open(target, prompter),
    });
    this.sessions.on('state', (s: SessionStatus) => this.onState(s));
    this.register({ dispose: () => this.sessions.dispose() });
  }

  /** The clusters known now (settings, ~/.ssh/config, local); problems go to the log. */
  list(): Cluster[] {
    const { clusters, problems } = listClusters(this.config.get('clusters') as ClusterSetting[], this.config.get('ssh.configFile') || undefined);
    for (const p of problems) this.log.warn(p);
    return clusters;
  }

  find(name: string): Cluster | undefined {
    return this.list().find((c) => c.name === name);
  }

  private async pick(placeHolder: string, filter: (c: Cluster) => boolean = () => true): Promise<Cluster | undefined> {
    const clusters = this.list().filter(filter);
    if (!clusters.length) {
      const open = await vscode.window.showInformationMessage('No cluster to pick. Add one to ~/.ssh/config or the setting hpcGeo.clusters.', 'Open Settings');
      if (open) await vscode.commands.executeCommand('workbench.action.openSettings', 'hpcGeo.clusters');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      clusters.map((c) => ({ label: c.name, description: c.detail, detail: this.stateOf(c) === 'connected' ? 'connected' : c.source === 'settings' ? 'from hpcGeo.clusters' : c.source === 'ssh-config' ? 'from ~/.ssh/config' : undefined, cluster: c })),
      { placeHolder, matchOnDescription: true },
    );
    return picked?.cluster;
  }

  stateOf(cluster: Cluster): SessionState {
    if (!cluster.target) return 'connected';
    return this.sessions.status(targetKey(cluster.target)).state;
  }

  /** Runs commands on a cluster: its shared SSH connection (opened if needed), or this machine. */
  async runner(cluster: Cluster, opts: { user?: boolean } = {}): Promise<CommandRunner> {
    if (!cluster.target) return this.local;
    this.byKey.set(targetKey(cluster.target), cluster);
    return this.sessions.get(cluster.target, opts);
  }

  async connect(name?: string): Promise<Cluster | undefined> {
    const cluster = typeof name === 'string' ? this.find(name) : await this.pick('Connect to which cluster?');
    if (!cluster) return undefined;
    // the session's state change logs the connection (onState), once, when it happens
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Connecting to ${cluster.name}` }, () => this.runner(cluster, { user: true }));
    return cluster;
  }

  async disconnect(name?: string): Promise<void> {
    const cluster = typeof name === 'string' ? this.find(name) : await this.pick('Disconnect which cluster?', (c) => !!c.target && this.stateOf(c) !== 'disconnected');
    if (!cluster?.target) return;
    for (const f of this.forwards.filter((x) => x.cluster === cluster.name)) await f.forward.close();
    this.sessions.disconnect(targetKey(cluster.target));
  }

  async forwardPort(): Promise<void> {
    const cluster = await this.pick('Forward a port through which cluster?', (c) => !!c.target);
    if (!cluster) return;
    const remote = await vscode.window.showInputBox({
      title: `Forward a port through ${cluster.name}`,
      prompt: 'Node and port on the cluster side, e.g. c5-12:8787 for a Dask dashboard, or localhost:8888',
      placeHolder: 'node:port',
      ignoreFocusOut: true,
      validateInput: (v) => (/^[\w.-]+:\d{1,5}$/.test(v.trim()) && Number(v.split(':')[1]) <= 65535 ? undefined : 'Write node:port'),
    });
    if (!remote) return;
    const [host, port] = remote.trim().split(':') as [string, string];
    const local = await vscode.window.showInputBox({ title: `Local port for ${remote}`, prompt: 'Local port (0 for any free one)', value: port, validateInput: (v) => (/^\d{1,5}$/.test(v) && Number(v) <= 65535 ? undefined : 'A port number') });
    if (local === undefined) return;
    const conn = (await this.runner(cluster, { user: true })) as SshConnection;
    const forward = await conn.forwardLocal(host, Number(port), Number(local));
    this.forwards.push({ cluster: cluster.name, forward });
    this.log.info(`${cluster.name}: forwarding localhost:${forward.localPort} to ${host}:${port}`);
    const url = `http://localhost:${forward.localPort}`;
    const open = await vscode.window.showInformationMessage(`Forwarding ${url} to ${host}:${port} on ${cluster.name}.`, 'Open in Browser', 'Copy URL');
    if (open === 'Open in Browser') await vscode.env.openExternal(vscode.Uri.parse(url));
    if (open === 'Copy URL') await vscode.env.clipboard.writeText(url);
  }

  async closeForward(): Promise<void> {
    const live = this.forwards.filter((f) => this.sessionsOpen(f.cluster));
    if (!live.length) {
      void vscode.window.showInformationMessage('No port is forwarded.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      live.map((f) => ({ label: `localhost:${f.forward.localPort}`, description: `${f.forward.remoteHost}:${f.forward.remotePort} on ${f.cluster}`, f })),
      { placeHolder: 'Close which forward?', canPickMany: true },
    );
    for (const p of picked ?? []) {
      await p.f.forward.close();
      this.forwards.splice(this.forwards.indexOf(p.f), 1);
      this.log.info(`${p.f.cluster}: closed the forward of localhost:${p.f.forward.localPort}`);
    }
  }

  private sessionsOpen(clusterName: string): boolean {
    const c = [...this.byKey.values()].find((x) => x.name === clusterName);
    return !!c?.target && this.sessions.status(targetKey(c.target)).state === 'connected';
  }

  /** The menu of a cluster's status bar item. */
  async actions(name?: string): Promise<void> {
    const cluster = typeof name === 'string' ? this.find(name) : await this.pick('Which cluster?');
    if (!cluster) return;
    const state = this.stateOf(cluster);
    const choices = state === 'connected' ? ['Disconnect', 'Forward a Port…', 'Show Log'] : ['Connect', 'Show Log'];
    const choice = await vscode.window.showQuickPick(choices, { placeHolder: `${cluster.name}: ${state}${this.reasonOf(cluster)}` });
    if (choice === 'Connect') await this.connect(cluster.name);
    if (choice === 'Disconnect') await this.disconnect(cluster.name);
    if (choice === 'Forward a Port…') await this.forwardPort();
    if (choice === 'Show Log') this.log.show();
  }

  private reasonOf(cluster: Cluster): string {
    const r = cluster.target ? this.sessions.status(targetKey(cluster.target)).reason : undefined;
    return r ? ` (${r})` : '';
  }

  private onState(s: SessionStatus): void {
    const cluster = this.byKey.get(s.key);
    const name = cluster?.name ?? s.key;
    this.log.info(`${name} (${s.key}): ${s.state}${s.reason ? `: ${s.reason}` : ''}`);
    let item = this.items.get(s.key);
    if (!item) {
      item = this.register(vscode.window.createStatusBarItem(`hpcGeo.cluster.${s.key}`, vscode.StatusBarAlignment.Left, 50));
      item.name = `HPC Geo: ${name}`;
      this.items.set(s.key, item);
    }
    item.text = `${ICONS[s.state]} ${name}`;
    item.tooltip = `${name} (${s.key}): ${s.state}${s.reason ? `\n${s.reason}` : ''}`;
    item.command = { title: 'Cluster actions', command: 'hpcGeo.clusterActions', arguments: [name] };
    item.backgroundColor = s.state === 'failed' || s.state === 'needs-user' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
    this.changed.fire(name);
  }
}

