import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import { stateGroup } from '../../../common/slurm/jobs';
import { previewLine } from '../../../common/slurm/resubmit';
import type { ClusterManager } from '../clusters/clusterManager';
import type { Cluster } from '../clusters/clusters';
import type { Config } from '../config';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { JobActions } from './jobActions';
import { JobLogs } from './jobLogs';
import { JobShells } from './jobShell';
import { JobsProvider, type JobsNode } from './jobsProvider';
import { JobService, type JobServiceOptions } from './jobService';
import { arrayIdOf, byCluster, describeTargets, TARGETS, targetId, type JobTarget, type SingleJobTarget, type TargetKind } from '../../../common/slurm/targets';
import { resolveTargets, type OtherChoice } from './jobTargets';
import { Submitter } from './submit';
import { Submits } from './submits';
import { UsageView } from './usageView';

/** The job service's options from the settings (read again when they change). */
export function jobServiceOptions(config: Pick<Config, 'get'>): JobServiceOptions {
  return {
    historyDays: config.get('jobs.historyDays'),
    minIntervalMs: Math.max(5, config.get('jobs.refreshSeconds')) * 1000,
    maxIntervalMs: 60_000,
    sacctEvery: 6,
    maxHistory: 5000,
  };
}

/**
 * The Jobs view and the commands on its rows. A connected cluster's jobs are watched while the
 * person keeps it connected (the watch lives in the cluster's connection scope); polling runs only
 * while the view is visible and the window focused. Submitting, job shells, logs and resource
 * usage are features of their own (submit.ts, jobShell.ts, jobLogs.ts, usageView.ts).
 */
export class JobsController extends Disposable {
  readonly service: JobService;
  readonly provider: JobsProvider;
  readonly submits: Submits;
  readonly logs: JobLogs;
  private readonly view: vscode.TreeView<JobsNode>;
  private readonly shells: JobShells;
  private readonly usage: UsageView;
  private readonly submitter: Submitter;
  /** The clusters watched now, each with its place in the cluster's connection scope. */
  private readonly watched = new Map<string, vscode.Disposable>();

  constructor(
    context: vscode.ExtensionContext,
    private readonly clusters: ClusterManager,
    config: Config,
    private readonly log: Log,
  ) {
    super();
    this.submits = new Submits(context.workspaceState);
    this.service = new JobService(
      async (name) => this.clusters.runner(this.cluster(name)),
      { get: (k) => context.workspaceState.get(k), set: (k, v) => context.workspaceState.update(k, v) },
      (m) => log.info(m),
      jobServiceOptions(config),
    );
    this.register({ dispose: () => this.service.dispose() });
    this.provider = this.register(new JobsProvider(this.service, (name) => this.clusters.stateOf(this.cluster(name))));
    this.view = this.register(vscode.window.createTreeView('hpcGeo.jobs', { treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true }));
    const updatePause = () => this.service.setPaused(!this.view.visible || !vscode.window.state.focused);
    this.register(this.view.onDidChangeVisibility(updatePause));
    this.register(vscode.window.onDidChangeWindowState(updatePause));
    this.register(
      this.clusters.onDidChangeCluster((name) => {
        const c = this.clusters.find(name);
        if (c && this.clusters.stateOf(c) === 'connected') this.watch(name);
        this.provider.refresh();
      }),
    );
    this.register(
      config.onDidChange(() => {
        this.service.setOptions(jobServiceOptions(config));
        this.provider.refresh();
      }),
    );
    const actionsFor = (name: string) => this.actionsFor(name);
    this.logs = this.register(new JobLogs(clusters, actionsFor, this.submits));
    this.shells = new JobShells(clusters, log);
    this.usage = this.register(new UsageView(actionsFor));
    this.submitter = new Submitter({ clusters, service: this.service, submits: this.submits, log, actionsFor, watch: (name) => this.watch(name) });
  }

  private cluster(name: string): Cluster {
    const c = this.clusters.find(name);
    if (!c) throw new Error(`There is no cluster named ${name} any more.`);
    return c;
  }

  private userOf(c: Cluster): string {
    return c.target?.user ?? userInfo().username;
  }

  /** Shows a cluster's jobs until the person disconnects it (then the poll stops and asks nobody). */
  watch(name: string): void {
    if (this.watched.has(name)) return;
    const c = this.cluster(name);
    this.service.watch({ name, user: this.userOf(c) });
    this.watched.set(
      name,
      this.clusters.whileConnected(name, {
        dispose: () => {
          this.watched.delete(name);
          this.service.unwatch(name);
          this.provider.refresh();
        },
      }),
    );
  }

  /** The job actions on a cluster, over its shared connection, as its login user. */
  async actionsFor(name: string): Promise<JobActions> {
    const c = this.cluster(name);
    return new JobActions(await this.clusters.runner(c), this.userOf(c));
  }

  /**
   * The one selected row of the Jobs view: the row a click or Enter opened. VS Code keeps the
   * selection by the rows' ids but gives it out only for rows it has fetched again since the last
   * redraw (a poll redraws the rows that changed): a click during a redraw reads an empty selection for
   * a moment, and the click was lost (seen in the e2e on a busy machine). Wait for the redraw.
   */
  async selectedRow(): Promise<JobsNode | undefined> {
    for (let waited = 0; !this.view.selection.length && waited < 2_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    return this.view.selection.length === 1 ? this.view.selection[0] : undefined;
  }

  /** What a command acts on: its row(s), or the jobs the person picks (palette, keybinding). */
  targets(kind: TargetKind, node: unknown, selected?: unknown, other?: OtherChoice): Promise<JobTarget[]> {
    return resolveTargets(kind, { clusters: () => this.service.clusters(), connect: () => vscode.commands.executeCommand('hpcGeo.connect') }, node, selected, other);
  }

  /** One job or task, for the actions that need one (log, shell). */
  async target(kind: TargetKind, node: unknown, other?: OtherChoice): Promise<SingleJobTarget | undefined> {
    const [t] = await this.targets(kind, node, undefined, other);
    return t?.type === 'job' ? t : undefined;
  }

  async refresh(node?: JobsNode): Promise<void> {
    const names = node && 'cluster' in node ? [node.cluster] : this.service.clusters().map((c) => c.cluster);
    if (!names.length) {
      const c = await this.clusters.connect();
      if (c) this.watch(c.name);
      return;
    }
    await Promise.all(names.map((n) => this.service.refresh(n, { history: true })));
  }

  async cancel(node: unknown, selected?: unknown): Promise<void> {
    const t = await this.targets(TARGETS.cancel, node, selected);
    if (!t.length) return;
    const what = describeTargets(t);
    const arrays = t.filter((x) => x.type === 'array').reduce((n, x) => n + (x.type === 'array' ? x.entry.taskCount : 0), 0);
    const yes: vscode.MessageItem = { title: t.length === 1 ? 'Cancel Job' : 'Cancel Jobs' };
    // with several clusters connected, job ids repeat: say where
    const where = this.service.clusters().length > 1 ? ` on ${[...new Set(t.map((x) => x.cluster))].join(' and ')}` : '';
    const ok = await vscode.window.showWarningMessage(
      `Cancel ${what}${where}?`,
      { modal: true, detail: `${arrays ? `Every task of the array (${arrays}) is cancelled. ` : ''}${cancelWhatHappens(t)}` },
      yes,
      { title: t.length === 1 ? 'Keep Job' : 'Keep Jobs', isCloseAffordance: true } satisfies vscode.MessageItem,
    );
    if (ok !== yes) return;
    await this.act(t, (a, ids) => a.cancel(ids), `Cancelled ${what}.`);
  }

  async control(action: 'hold' | 'release' | 'requeue', node: unknown, selected?: unknown): Promise<void> {
    const t = await this.targets(TARGETS[action], node, selected);
    if (!t.length) return;
    const what = describeTargets(t);
    if (action === 'requeue') {
      const yes: vscode.MessageItem = { title: 'Requeue' };
      const ok = await vscode.window.showWarningMessage(
        `Requeue ${what}?`,
        { modal: true, detail: 'A running job is stopped and goes back to the queue, to start again from the beginning; its log files are written again (or appended to, with --open-mode=append).' },
        yes,
        { title: 'Keep Running', isCloseAffordance: true } satisfies vscode.MessageItem,
      );
      if (ok !== yes) return;
    }
    const arrays = t.some((x) => x.type === 'array');
    const one = t.length === 1;
    const done = {
      hold: `Held ${what}: ${arrays ? 'the pending tasks wait' : one ? 'it stays pending' : 'they stay pending'} until released.`,
      release: `Released ${what}: ${arrays ? 'the tasks can start when Slurm schedules them' : one ? 'it can start when Slurm schedules it' : 'they can start when Slurm schedules them'}.`,
      requeue: `Requeued ${what}.`,
    }[action];
    await this.act(t, (a, ids) => a.control(action, ids), done);
  }

  async throttle(node: unknown): Promise<void> {
    const [t] = await this.targets(TARGETS.throttle, node);
    const arrayJobId = t && arrayIdOf(t);
    if (!t || !arrayJobId) return;
    const value = await vscode.window.showInputBox({
      title: `Throttle array ${arrayJobId}`,
      prompt: 'How many of its tasks may run at once? (0 removes the limit)',
      validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'A whole number: 0 for no limit'),
    });
    if (value === undefined || !value.trim()) return;
    const n = Number(value.trim());
    await this.act([t], (a) => a.throttle(arrayJobId, n), n === 0 ? `Array ${arrayJobId}: no limit on tasks running at once.` : `Array ${arrayJobId}: at most ${n} task${n === 1 ? '' : 's'} running at once.`);
  }

  async resubmitFailed(node: unknown): Promise<void> {
    const [t] = await this.targets(TARGETS.resubmitFailed, node);
    const arrayJobId = t && arrayIdOf(t);
    if (!t || !arrayJobId) return;
    const actions = await this.actionsFor(t.cluster);
    // what each task used and why it failed, before anything is asked or submitted
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading how the tasks of array ${arrayJobId} ended…` }, () => actions.planResubmitFailed(arrayJobId, this.submits.find(t.cluster, arrayJobId)));
    const count = plan.groups.length;
    const yes: vscode.MessageItem = { title: count === 1 ? 'Resubmit' : `Resubmit as ${count} Jobs` };
    const ok = await vscode.window.showWarningMessage(
      `Resubmit the failed tasks of array ${arrayJobId}?`,
      { modal: true, detail: [...plan.groups.map((g, i) => `${g.reason}:\n${previewLine(plan.argv[i]!)}`), ...(plan.cancelled ? [`${plan.cancelled === 1 ? '1 cancelled task is' : `${plan.cancelled} cancelled tasks are`} not resubmitted.`] : [])].join('\n\n') },
      yes,
    );
    if (ok !== yes) return;
    const submitted = await actions.submitPlan(plan);
    for (const s of submitted) await this.submits.remember(t.cluster, s);
    // "task 3", "tasks 3,7": the indexes without the throttle
    const tasks = (i: number) => {
      const indexes = plan.groups[i]!.indexes.replace(/%\d+$/, '');
      return `${/^\d+$/.test(indexes) ? 'task' : 'tasks'} ${indexes}`;
    };
    const how = (i: number) => (plan.groups[i]!.options.length ? ` (with ${plan.groups[i]!.options.join(' ')})` : '');
    const done = submitted.length === 1 ? `${tasks(0)} of array ${arrayJobId} as job ${submitted[0]!.jobId}${how(0)}` : `the failed tasks of array ${arrayJobId} as ${submitted.length} jobs: ${submitted.map((s, i) => `${tasks(i)} as job ${s.jobId}${how(i)}`).join(', ')}`;
    this.log.info(`${t.cluster}: resubmitted the failed tasks of ${arrayJobId}: ${submitted.map((s, i) => `${previewLine(plan.argv[i]!)} → ${s.jobId}`).join('; ')}`);
    void vscode.window.showInformationMessage(`Resubmitted ${done}.`);
    await this.service.refresh(t.cluster);
  }

  async copyJobId(node: unknown, selected?: unknown): Promise<void> {
    const t = await this.targets(TARGETS.copy, node, selected);
    if (!t.length) return;
    const ids = t.map(targetId);
    await vscode.env.clipboard.writeText(ids.join(' '));
    void vscode.window.showInformationMessage(`Copied ${ids.length === 1 ? `job ID ${ids[0]}` : `the job IDs ${ids.join(' ')}`} to the clipboard.`);
  }

  async openLog(node: unknown): Promise<void> {
    const t = await this.target(TARGETS.log, node);
    if (t) await this.logs.open(t);
  }

  async openJobShell(node: unknown): Promise<void> {
    const t = await this.target(TARGETS.shell, node);
    if (t) await this.shells.open(t);
  }

  async showUsage(node: unknown): Promise<void> {
    const [t] = await this.targets(TARGETS.usage, node);
    if (!t) return;
    const running = t.type === 'array' ? t.entry.group === 'running' : stateGroup(t.job.state) === 'running';
    await this.usage.show(t.cluster, targetId(t), running);
  }

  submit(arg?: unknown): Promise<void> {
    return this.submitter.submit(arg);
  }

  /** Runs an action once per cluster of the targets, says it was done, and refreshes. */
  private async act(targets: readonly JobTarget[], f: (a: JobActions, ids: string[]) => Promise<void>, done: string): Promise<void> {
    for (const [cluster, ts] of byCluster(targets)) {
      await f(await this.actionsFor(cluster), ts.map(targetId));
      this.log.info(`${cluster}: ${done}`);
    }
    void vscode.window.showInformationMessage(done);
    await Promise.all([...byCluster(targets).keys()].map((c) => this.service.refresh(c)));
  }
}

/** What cancelling does to these jobs, by their state: a waiting job only leaves the queue. */
function cancelWhatHappens(t: readonly JobTarget[]): string {
  const pending = t.every((x) => x.type === 'job' && x.job.state === 'PENDING');
  if (pending) return t.length === 1 ? 'It has not started: it leaves the queue.' : 'They have not started: they leave the queue.';
  const running = t.every((x) => x.type === 'job' && x.job.state !== 'PENDING');
  if (running) return t.length === 1 ? 'It is stopped now; its output so far stays.' : 'They are stopped now; their output so far stays.';
  return 'What runs is stopped now (its output so far stays); what waits leaves the queue.';
}
