import { homedir, userInfo } from 'node:os';
import { basename, posix } from 'node:path';
import * as vscode from 'vscode';
import { stateGroup } from '../../../common/slurm/jobs';
import type { ClusterManager } from '../clusters/clusterManager';
import type { Cluster } from '../clusters/clusters';
import type { Config } from '../config';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import type { SshConnection } from '../ssh/connection';
import { JobActions, type SubmitRecord } from './jobActions';
import { JobsProvider, type JobsNode } from './jobsProvider';
import { JobService } from './jobService';

const LOG_SCHEME = 'hpcgeo-log';
/** How much of a log "Open Log" shows: the end of it (the live tail comes with the log panel). */
const LOG_BYTES = 2 * 1024 * 1024;

/**
 * The Jobs view and its actions. Clusters appear when connected; polling runs only while the
 * view is visible and the window focused.
 */
export class JobsController extends Disposable {
  readonly service: JobService;
  readonly provider: JobsProvider;
  private readonly view: vscode.TreeView<JobsNode>;
  private readonly submits: vscode.Memento;

  constructor(
    context: vscode.ExtensionContext,
    private readonly clusters: ClusterManager,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    super();
    this.submits = context.workspaceState;
    this.service = new JobService(
      async (name) => this.clusters.runner(this.cluster(name)),
      { get: (k) => context.workspaceState.get(k), set: (k, v) => context.workspaceState.update(k, v) },
      (m) => log.info(m),
      {
        historyDays: this.config.get('jobs.historyDays'),
        minIntervalMs: Math.max(5, this.config.get('jobs.refreshSeconds')) * 1000,
        maxIntervalMs: 60_000,
        sacctEvery: 6,
        maxHistory: 5000,
      },
    );
    this.register({ dispose: () => this.service.dispose() });
    this.provider = this.register(new JobsProvider(this.service, (name) => this.clusters.stateOf(this.cluster(name))));
    this.view = this.register(vscode.window.createTreeView('hpcGeo.jobs', { treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true }));
    const updatePause = () => this.service.setPaused(!this.view.visible || !vscode.window.state.focused);
    this.register(this.view.onDidChangeVisibility(updatePause));
    this.register(vscode.window.onDidChangeWindowState(updatePause));
    this.register(
      this.clusters.onDidChangeCluster((name) => {
        if (this.clusters.stateOf(this.cluster(name)) === 'connected') this.watch(name);
        this.provider.refresh();
      }),
    );
    this.register(vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, { provideTextDocumentContent: (uri) => this.logContent(uri) }));
  }

  private known = new Map<string, Cluster>();

  private cluster(name: string): Cluster {
    const c = this.known.get(name) ?? this.clusters.find(name);
    if (!c) throw new Error(`No cluster named ${name}`);
    this.known.set(name, c);
    return c;
  }

  private userOf(c: Cluster): string {
    return c.target?.user ?? userInfo().username;
  }

  watch(name: string): void {
    const c = this.cluster(name);
    this.service.watch({ name, user: this.userOf(c) });
  }

  /** The job actions on a cluster, over its shared connection, as its login user. */
  async actionsFor(name: string): Promise<JobActions> {
    const c = this.cluster(name);
    return new JobActions(await this.clusters.runner(c), this.userOf(c));
  }

  /** The one selected row of the Jobs view: the row a click or Enter opened. */
  selectedRow(): JobsNode | undefined {
    return this.view.selection.length === 1 ? this.view.selection[0] : undefined;
  }

  /** The job nodes a command acts on: the selection when the clicked node is in it. */
  private targets(node: unknown, selected?: unknown): Extract<JobsNode, { type: 'job' | 'array' }>[] {
    const all = (Array.isArray(selected) && selected.length ? selected : [node]) as JobsNode[];
    return all.filter((n): n is Extract<JobsNode, { type: 'job' | 'array' }> => !!n && (n.type === 'job' || n.type === 'array'));
  }

  private idsOf(nodes: Extract<JobsNode, { type: 'job' | 'array' }>[]): string[] {
    return nodes.map((n) => (n.type === 'array' ? n.entry.arrayJobId : n.job.jobId));
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
    const t = this.targets(node, selected);
    if (!t.length) return;
    const ids = this.idsOf(t);
    const ok = await vscode.window.showWarningMessage(`Cancel ${ids.length === 1 ? `job ${ids[0]}` : `${ids.length} jobs (${ids.join(', ')})`}?`, { modal: true }, 'Cancel Jobs');
    if (ok !== 'Cancel Jobs') return;
    await this.run(t[0]!.cluster, (a) => a.cancel(ids), `Cancelled ${ids.join(', ')}`);
  }

  async control(action: 'hold' | 'release' | 'requeue', node: unknown, selected?: unknown): Promise<void> {
    const t = this.targets(node, selected);
    if (!t.length) return;
    await this.run(t[0]!.cluster, (a) => a.control(action, this.idsOf(t)), `${action} ${this.idsOf(t).join(', ')}`);
  }

  async throttle(node: unknown): Promise<void> {
    const [t] = this.targets(node);
    if (!t) return;
    const arrayJobId = t.type === 'array' ? t.entry.arrayJobId : t.job.arrayJobId;
    if (!arrayJobId) return void vscode.window.showInformationMessage('Throttling applies to job arrays.');
    const value = await vscode.window.showInputBox({ title: `Array ${arrayJobId}`, prompt: 'How many tasks may run at once?', validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'A positive whole number') });
    if (!value) return;
    await this.run(t.cluster, (a) => a.throttle(arrayJobId, Number(value)), `Array ${arrayJobId}: at most ${value} running`);
  }

  async resubmitFailed(node: unknown): Promise<void> {
    const [t] = this.targets(node);
    if (!t) return;
    const arrayJobId = t.type === 'array' ? t.entry.arrayJobId : t.job.arrayJobId;
    if (!arrayJobId) return void vscode.window.showInformationMessage('Resubmitting failed tasks applies to job arrays.');
    const actions = await this.actionsFor(t.cluster);
    const { submitted, indexes } = await actions.resubmitFailed(arrayJobId, this.submitRecord(t.cluster, arrayJobId));
    this.remember(t.cluster, submitted);
    void vscode.window.showInformationMessage(`Resubmitted tasks ${indexes} of ${arrayJobId} as job ${submitted.jobId}.`);
    await this.service.refresh(t.cluster);
  }

  async copyJobId(node: unknown, selected?: unknown): Promise<void> {
    const ids = this.idsOf(this.targets(node, selected));
    if (ids.length) await vscode.env.clipboard.writeText(ids.join(' '));
  }

  /** The log of a job node (asking which when stdout and stderr differ). */
  async pickLogPath(node: unknown): Promise<{ cluster: string; path: string } | undefined> {
    const [t] = this.targets(node);
    if (!t || t.type !== 'job') return undefined;
    const actions = await this.actionsFor(t.cluster);
    const paths = await actions.logPaths(t.job, this.submitRecord(t.cluster, t.job.arrayJobId ?? t.job.jobId));
    const choice = paths.stderr ? await vscode.window.showQuickPick([paths.stdout, paths.stderr], { placeHolder: 'Which log?' }) : paths.stdout;
    return choice ? { cluster: t.cluster, path: choice } : undefined;
  }

  async openLog(node: unknown): Promise<void> {
    const picked = await this.pickLogPath(node);
    if (!picked) return;
    const uri = vscode.Uri.from({ scheme: LOG_SCHEME, authority: encodeURIComponent(picked.cluster), path: picked.path.startsWith('/') ? picked.path : `/${picked.path}` });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  private async logContent(uri: vscode.Uri): Promise<string> {
    const cluster = decodeURIComponent(uri.authority);
    const runner = await this.clusters.runner(this.cluster(cluster));
    const path = uri.path;
    const remote = runner as Partial<SshConnection> & { stat(p: string): Promise<{ size: number }>; readRange(p: string, s: number, l: number): Promise<Buffer> };
    try {
      const { size } = await remote.stat(path);
      const start = Math.max(0, size - LOG_BYTES);
      const text = (await remote.readRange(path, start, size - start)).toString('utf8');
      return start > 0 ? `[… the first ${Math.round(start / 1048576)} MB are not shown …]\n${text.slice(text.indexOf('\n') + 1)}` : text;
    } catch (e) {
      return `The log ${path} on ${cluster} cannot be read: ${e instanceof Error ? e.message : String(e)}\n\nA pending job has not created it yet; a finished job's log may have been moved or deleted.`;
    }
  }

  async openJobShell(node: unknown): Promise<void> {
    const [t] = this.targets(node);
    if (!t || t.type !== 'job' || stateGroup(t.job.state) !== 'running') return void vscode.window.showInformationMessage('A shell opens on the node of a running job.');
    const argv = ['srun', '--overlap', `--jobid=${t.job.jobId}`, '--pty', 'bash'];
    const c = this.cluster(t.cluster);
    const name = `${t.job.jobId} on ${t.job.nodeList ?? t.cluster}`;
    if (!c.target) {
      this.register(vscode.window.createTerminal({ name, shellPath: argv[0]!, shellArgs: argv.slice(1) })).show();
      return;
    }
    const conn = (await this.clusters.runner(c)) as SshConnection;
    const write = new vscode.EventEmitter<string>();
    const close = new vscode.EventEmitter<number | void>();
    let channel: Awaited<ReturnType<SshConnection['pty']>> | undefined;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: (size) => {
        conn.pty(argv, { cols: size?.columns ?? 120, rows: size?.rows ?? 30 }).then(
          (ch) => {
            channel = ch;
            ch.on('data', (d: Buffer) => write.fire(d.toString('utf8')));
            ch.stderr.on('data', (d: Buffer) => write.fire(d.toString('utf8')));
            ch.on('close', () => close.fire(0));
          },
          (e: unknown) => {
            write.fire(`\r\n${e instanceof Error ? e.message : String(e)}\r\n`);
            close.fire(1);
          },
        );
      },
      close: () => channel?.close(),
      handleInput: (data) => channel?.write(data),
      setDimensions: (d) => channel?.setWindow(d.rows, d.columns, 0, 0),
    };
    this.register(vscode.window.createTerminal({ name, pty })).show();
  }

  async showUsage(node: unknown): Promise<void> {
    const [t] = this.targets(node);
    if (!t) return;
    const id = t.type === 'array' ? t.entry.arrayJobId : t.job.jobId;
    const rows = await (await this.actionsFor(t.cluster)).usage(id);
    const table = rows.map((r) => `| ${r.jobId} | ${r.state} | ${r.elapsed ?? ''} | ${r.timelimit ?? ''} | ${r.totalCpu ?? ''} | ${r.allocCpus ?? ''} | ${r.maxRss ?? ''} | ${r.reqMem ?? ''} |`).join('\n');
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: `# Resource usage of ${id} on ${t.cluster}\n\nFrom sacct. Compare what the job used with what it asked for, to size the next request (memory: about twice the peak MaxRSS).\n\n| step | state | elapsed | limit | CPU time | CPUs | MaxRSS | requested memory |\n|---|---|---|---|---|---|---|---|\n${table}\n`,
    });
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  }

  /** Submits the active sbatch script: uploaded to the cluster's work folder. */
  async submit(uri?: unknown): Promise<void> {
    const doc = uri instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) return void vscode.window.showInformationMessage('Open an sbatch script to submit it.');
    const errors = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'hpc-lint' && d.severity === vscode.DiagnosticSeverity.Error);
    if (errors.length) {
      const go = await vscode.window.showWarningMessage(`${basename(doc.fileName)} has ${errors.length} error(s) from hpc-lint, e.g. "${errors[0]!.message}". Submit anyway?`, { modal: true }, 'Submit Anyway');
      if (go !== 'Submit Anyway') return;
    }
    const connected = this.clusters.list().filter((c) => this.clusters.stateOf(c) === 'connected');
    const picked = connected.length === 1 ? connected[0] : await this.clusters.connect();
    if (!picked) return;
    const depType = await vscode.window.showQuickPick(['No dependency', 'afterok', 'afterany', 'afternotok'], { placeHolder: 'Start after another job?' });
    if (!depType) return;
    let dependency: { type: 'afterok' | 'afterany' | 'afternotok'; jobIds: string[] } | undefined;
    if (depType !== 'No dependency') {
      const jobs = this.service.jobs(picked.name)?.current ?? [];
      const dep = await vscode.window.showQuickPick(jobs.map((j) => ({ label: j.jobId, description: `${j.name} · ${j.state}` })), { placeHolder: `${depType}: which job?` });
      if (!dep) return;
      dependency = { type: depType as 'afterok', jobIds: [dep.label] };
    }
    const actions = await this.actionsFor(picked.name);
    let script: string;
    if (!picked.target && doc.uri.scheme === 'file' && !doc.isDirty) {
      script = doc.uri.fsPath; // on this machine already: submitted where it is
    } else {
      const dir = picked.workDir ?? (picked.target ? 'hpc-geo-jobs' : posix.join(homedir(), 'hpc-geo-jobs'));
      script = await actions.upload(dir, basename(doc.fileName), doc.getText());
    }
    const record = await actions.submit(script, { chdir: posix.dirname(script), ...(dependency ? { dependency } : {}) });
    this.remember(picked.name, record);
    this.log.info(`${picked.name}: submitted ${script} as job ${record.jobId}`);
    this.watch(picked.name);
    void vscode.window.showInformationMessage(`Submitted ${basename(doc.fileName)} to ${picked.name} as job ${record.jobId}.`, 'Copy Job ID').then((c) => c && vscode.env.clipboard.writeText(record.jobId));
    await this.service.refresh(picked.name);
  }

  private remember(cluster: string, record: SubmitRecord): void {
    const key = `hpcGeo.submits.${cluster}`;
    const all = [record, ...(this.submits.get<SubmitRecord[]>(key) ?? [])].slice(0, 500);
    void this.submits.update(key, all);
  }

  private submitRecord(cluster: string, jobId: string): SubmitRecord | undefined {
    return this.submits.get<SubmitRecord[]>(`hpcGeo.submits.${cluster}`)?.find((r) => r.jobId === jobId.split('_')[0]);
  }

  private async run(cluster: string, f: (a: JobActions) => Promise<void>, done: string): Promise<void> {
    await f(await this.actionsFor(cluster));
    this.log.info(`${cluster}: ${done}`);
    await this.service.refresh(cluster);
  }
}

