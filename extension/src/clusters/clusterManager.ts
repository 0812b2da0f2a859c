import * as vscode from 'vscode';
import { loadBundle } from '../bundles';
import type { Config } from '../config';
import { Disposable } from '../lifecycle';
import { describeError, type Log } from '../log';
import { PICK_OPTIONS } from '../picks';
import { LocalRunner } from '../ssh/local';
import { NotConnected, SessionManager, type SessionState, type SessionStatus } from '../ssh/sessions';
import { targetKey, type ClusterRunner } from '../ssh/types';
import { ClusterList, type Cluster, type ClusterSetting } from './clusters';
import { VsCodePrompter } from './vscodePrompter';

/** A connection's state as people read it (status bar tooltip, the cluster's menu). */
const STATE_WORDS: Record<SessionState, string> = {
  disconnected: 'disconnected',
  connecting: 'connecting',
  reconnecting: 'reconnecting',
  connected: 'connected',
  'needs-user': 'needs you to connect',
  failed: 'could not connect',
};

const ICONS: Record<SessionState, string> = {
  disconnected: '$(debug-disconnect)',
  connecting: '$(sync~spin)',
  reconnecting: '$(sync~spin)',
  connected: '$(vm-connect)',
  'needs-user': '$(warning)',
  failed: '$(error)',
};

/**
 * What a command names a cluster with: its name (status bar, palette arguments) or a row of the
 * Jobs view (`{ type: 'cluster', cluster }` and every row under it). Anything else: ask.
 */
export function clusterNameOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'cluster' in arg && typeof arg.cluster === 'string') return arg.cluster;
  return undefined;
}

/** An entry of a cluster's status bar menu. */
export interface ClusterMenuEntry extends vscode.QuickPickItem {
  run(): unknown;
}

/**
 * The clusters of this window and their one shared connection each: connect and disconnect, a
 * status bar item per cluster, and each cluster's connection scope, where what lives only while a
 * person keeps the cluster connected (the jobs poll, tails, forwards, shells, progress readers)
 * registers and is ended when that person disconnects.
 */
export class ClusterManager extends Disposable {
  private readonly sessions: SessionManager;
  private readonly local = new LocalRunner();
  /** The local cluster needs no login, but is connected and disconnected like any other. */
  private readonly localConnected = new Set<string>();
  private readonly localClosed = new Set<string>();
  private readonly items = new Map<string, vscode.StatusBarItem>();
  private readonly general: vscode.StatusBarItem;
  private readonly byKey = new Map<string, Cluster>();
  /** What rides on each cluster's connection, ended with it; with a name for people ("port forward") where it is something they opened. */
  private readonly scopes = new Map<string, Map<vscode.Disposable, string | undefined>>();
  private readonly clusterList = new ClusterList();
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
    this.sessions.on('state', (s: SessionStatus) => this.onState(s.key, s.state, s.reason));
    this.register({ dispose: () => this.sessions.dispose() });
    this.register({ dispose: () => [...this.scopes.keys()].forEach((n) => this.endScope(n)) });
    // before any connection exists the status bar still says where connecting starts
    this.general = this.register(vscode.window.createStatusBarItem('hpcGeo.connect', vscode.StatusBarAlignment.Left, 50));
    this.general.name = 'HPC Geo';
    this.general.text = '$(debug-disconnect) HPC Geo';
    this.general.tooltip = 'HPC Geo: no cluster connected. Click to connect.';
    this.general.command = 'hpcGeo.connect';
    this.general.show();
  }

  /** The clusters known now (settings, ~/.ssh/config, local); problems go to the log once. */
  list(): Cluster[] {
    const { clusters, problems } = this.clusterList.get(this.config.get('clusters') as ClusterSetting[], this.config.get('ssh.configFile') || undefined);
    for (const p of problems) this.log.warn(p);
    return clusters;
  }

  find(name: string): Cluster | undefined {
    return this.list().find((c) => c.name === name);
  }

  /** The connected clusters, in the order of `list()`. */
  connected(): Cluster[] {
    return this.list().filter((c) => this.stateOf(c) === 'connected');
  }

  /** A cluster by name, or asked for (only among `filter`'s when there is no name). */
  async resolve(arg: unknown, placeHolder: string, filter: (c: Cluster) => boolean = () => true): Promise<Cluster | undefined> {
    const name = clusterNameOf(arg);
    if (name === undefined) return this.pick(placeHolder, filter);
    const cluster = this.find(name);
    if (!cluster) void vscode.window.showWarningMessage(`There is no cluster named "${name}" any more. Clusters come from ~/.ssh/config and the setting hpcGeo.clusters.`);
    return cluster;
  }

  private async pick(placeHolder: string, filter: (c: Cluster) => boolean): Promise<Cluster | undefined> {
    const all = this.list();
    const clusters = all.filter(filter);
    if (!clusters.length) {
      if (all.length) {
        void vscode.window.showInformationMessage(placeHolder.startsWith('Disconnect') ? 'No cluster is connected.' : 'No cluster fits.');
        return undefined;
      }
      const open = await vscode.window.showInformationMessage('No cluster to pick. Add one to ~/.ssh/config or the setting hpcGeo.clusters.', 'Open Settings');
      if (open) await vscode.commands.executeCommand('workbench.action.openSettings', 'hpcGeo.clusters');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      clusters.map((c) => {
        const state = this.stateOf(c);
        const where = c.source === 'settings' ? 'from hpcGeo.clusters' : c.source === 'ssh-config' ? 'from ~/.ssh/config' : 'this machine';
        return { label: c.name, description: c.detail, detail: state === 'disconnected' ? where : `${state} · ${where}`, cluster: c };
      }),
      { ...PICK_OPTIONS, placeHolder, matchOnDescription: true },
    );
    return picked?.cluster;
  }

  stateOf(cluster: Cluster): SessionState {
    if (!cluster.target) return this.localConnected.has(cluster.name) ? 'connected' : 'disconnected';
    return this.sessions.status(targetKey(cluster.target)).state;
  }

  /**
   * Runs commands on a cluster: its shared SSH connection, or this machine. Only `user: true` (a
   * person asked) opens a login after that person disconnected; otherwise this rejects with
   * `NotConnected`, and an automatic login asks nobody.
   */
  async runner(cluster: Cluster, opts: { user?: boolean } = {}): Promise<ClusterRunner> {
    if (!cluster.target) {
      if (opts.user) this.localClosed.delete(cluster.name);
      else if (this.localClosed.has(cluster.name)) throw new NotConnected(`Not connected to ${cluster.name}: you disconnected. Connect again from the status bar or "HPC Geo: Connect to Cluster".`);
      if (!this.localConnected.has(cluster.name)) {
        this.localConnected.add(cluster.name);
        this.onState(cluster.name, 'connected');
      }
      return this.local;
    }
    this.byKey.set(targetKey(cluster.target), cluster);
    return this.sessions.get(cluster.target, opts);
  }

  /**
   * Registers what must end when a person disconnects the cluster (a poll, a tail, a forward, a
   * shell). The returned disposable ends it earlier and takes it out of the scope.
   */
  whileConnected(name: string, d: vscode.Disposable, what?: string): vscode.Disposable {
    let scope = this.scopes.get(name);
    if (!scope) this.scopes.set(name, (scope = new Map()));
    scope.set(d, what);
    return { dispose: () => {
      if (scope.delete(d)) d.dispose();
    } };
  }

  /** Ends what rode on the connection; returns the names of what people had opened ("port forward", ...). */
  private endScope(name: string): string[] {
    const scope = this.scopes.get(name);
    this.scopes.delete(name);
    const named = [...(scope?.values() ?? [])].filter((w): w is string => !!w);
    for (const d of [...(scope?.keys() ?? [])].reverse()) {
      try {
        d.dispose();
      } catch (e) {
        this.log.warn(`${name}: ending ${String(d)} on disconnect failed: ${describeError(e)}`);
      }
    }
    return named;
  }

  /** Connects a cluster a person chose; a failure says why, with "Try Again". */
  async connect(arg?: unknown): Promise<Cluster | undefined> {
    const cluster = await this.resolve(arg, 'Connect to which cluster?');
    if (!cluster) return undefined;
    try {
      // the session's state change logs the connection (onState), once, when it happens
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Connecting to ${cluster.name}` }, () => this.runner(cluster, { user: true }));
      return cluster;
    } catch (e) {
      // a cancelled prompt is the person's choice, not an error: "not now", as a disconnect. Said,
      // since opening another prompt (the Command Palette) cancels a login's prompt too
      if (e instanceof Error && e.name === 'AuthCancelled') {
        if (this.stateOf(cluster) === 'connected') return undefined;
        const why = this.reasonOf(cluster);
        this.forget(cluster);
        void vscode.window.showInformationMessage(`Not connected to ${cluster.name}. ${why ?? 'The login was cancelled.'}`, 'Connect').then((go) => go && this.connect(cluster.name));
        return undefined;
      }
      // ...and so is a disconnect while it connected
      if (e instanceof NotConnected) return undefined;
      const why = describeError(e);
      // the error may already say "Could not log in to user@host: ...": name the cluster once, not the failure twice
      const choice = await vscode.window.showErrorMessage(/^Could not /.test(why) ? `${cluster.name}: ${why}` : `Could not connect to ${cluster.name}: ${why}`, 'Try Again', 'Show Log');
      if (choice === 'Try Again') return this.connect(cluster.name);
      if (choice === 'Show Log') this.log.show();
      // the person read why and let it be: the failed attempt leaves the status bar with the message
      if (this.stateOf(cluster) !== 'connected') this.forget(cluster);
      return undefined;
    }
  }

  /**
   * Ends a cluster that is not connected as a disconnect does, saying nothing: a failure the person
   * has seen, a login they cancelled. It leaves the status bar, and nothing logs in again by itself.
   */
  private forget(cluster: Cluster): void {
    this.endScope(cluster.name);
    if (cluster.target) this.sessions.disconnect(targetKey(cluster.target));
  }

  async disconnect(arg?: unknown): Promise<void> {
    const cluster = await this.resolve(arg, 'Disconnect which cluster?', (c) => this.stateOf(c) !== 'disconnected');
    if (!cluster) return;
    const was = this.stateOf(cluster);
    const ended = this.endScope(cluster.name);
    // a person asked: say it is done, and what went with the connection
    const counts = new Map<string, number>();
    for (const w of ended) counts.set(w, (counts.get(w) ?? 0) + 1);
    const list = [...counts].map(([w, n]) => (n === 1 ? `1 ${w}` : `${n} ${w}s`)).join(', ');
    const done = was === 'connecting' || was === 'failed' ? `Stopped connecting to ${cluster.name}.` : `Disconnected from ${cluster.name}.`;
    void vscode.window.showInformationMessage(`${done}${list ? ` Stopped with it: ${list}.` : ''}`);
    if (!cluster.target) {
      this.localConnected.delete(cluster.name);
      this.localClosed.add(cluster.name);
      this.onState(cluster.name, 'disconnected');
      return;
    }
    this.sessions.disconnect(targetKey(cluster.target));
  }

  /** Entries other parts add to a connected cluster's status bar menu (the port forwards'). */
  private readonly menuEntries: ((cluster: Cluster) => ClusterMenuEntry[])[] = [];

  addMenuEntries(entries: (cluster: Cluster) => ClusterMenuEntry[]): void {
    this.menuEntries.push(entries);
  }

  /** The menu of a cluster's status bar item. */
  async actions(arg?: unknown): Promise<void> {
    const cluster = await this.resolve(arg, 'Which cluster?');
    if (!cluster) return;
    const state = this.stateOf(cluster);
    const entries = [...this.entriesFor(cluster, state), { label: 'Show Log', run: () => this.log.show() }];
    const why = this.reasonOf(cluster);
    const choice = await vscode.window.showQuickPick(entries, { ...PICK_OPTIONS, placeHolder: `${cluster.name}: ${STATE_WORDS[state]}${why ? ` (${why})` : ''}` });
    await choice?.run();
  }

  /** What a cluster's menu offers in each state. */
  private entriesFor(cluster: Cluster, state: SessionState): ClusterMenuEntry[] {
    const connect = (label: string): ClusterMenuEntry => ({ label, run: () => this.connect(cluster.name) });
    const disconnect = (description?: string): ClusterMenuEntry => ({ label: 'Disconnect', ...(description ? { description } : {}), run: () => this.disconnect(cluster.name) });
    switch (state) {
      case 'connected':
        return [disconnect(), ...this.menuEntries.flatMap((e) => e(cluster))];
      case 'disconnected':
        return [connect('Connect')];
      case 'failed':
        return [connect('Try Again'), { label: 'Dismiss', description: 'take it out of the status bar', run: () => this.forget(cluster) }];
      case 'needs-user':
        return [connect('Connect'), disconnect()];
      default:
        // connecting again by itself after a drop: stop, as a disconnect does
        return [disconnect('stop trying')];
    }
  }

  private reasonOf(cluster: Cluster): string | undefined {
    return cluster.target ? this.sessions.status(targetKey(cluster.target)).reason : undefined;
  }

  private onState(key: string, state: SessionState, reason?: string): void {
    const cluster = this.byKey.get(key);
    const name = cluster?.name ?? key;
    this.log.info(`${name}${name === key ? '' : ` (${key})`}: ${state}${reason ? `: ${reason}` : ''}`);
    let item = this.items.get(key);
    if (!item) {
      item = this.register(vscode.window.createStatusBarItem(`hpcGeo.cluster.${key}`, vscode.StatusBarAlignment.Left, 50));
      item.name = `HPC Geo: ${name}`;
      this.items.set(key, item);
    }
    item.text = `${ICONS[state]} ${name}`;
    // while a person logs in, a menu would take the place of the login's prompt and cancel it
    const connecting = state === 'connecting';
    item.tooltip = `${name}${name === key ? '' : ` (${key})`}: ${STATE_WORDS[state]}${reason ? `\n${reason}` : ''}\n${connecting ? 'Escape at its prompt cancels the login.' : 'Click for actions.'}`;
    item.command = connecting ? undefined : { title: 'Cluster actions', command: 'hpcGeo.clusterActions', arguments: [name] };
    item.backgroundColor = state === 'failed' || state === 'needs-user' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (state === 'disconnected') item.hide();
    else item.show();
    // the general item stands in while no cluster is shown
    const anyShown = [...this.items.keys()].some((k) => this.keyState(k) !== 'disconnected');
    if (anyShown) this.general.hide();
    else this.general.show();
    this.changed.fire(name);
  }

  private keyState(key: string): SessionState {
    return this.localConnected.has(key) ? 'connected' : this.byKey.has(key) ? this.sessions.status(key).state : 'disconnected';
  }
}
