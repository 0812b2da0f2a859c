import * as vscode from 'vscode';
import { ARRAY_JOB, expandKeys, FIELDS_PIPELINE, logPathFor, type ProgressSpec } from '../../../common/progress/progress';
import type { ProgressFromPage, ProgressPanelState, ProgressRow, ProgressToPage } from '../../../common/progress/protocol';
import { stateGroup, type JobRecord } from '../../../common/slurm/jobs';
import { arrayTasks } from '../../../common/slurm/tree';
import type { ClusterManager } from '../clusters/clusterManager';
import type { JobsController } from '../jobs/jobsController';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import type { LogsController } from '../logs/logsController';
import { pageHtml } from '../webviews/html';
import type { ProgressConfig } from '../../../common/workspaceConfig/schema';
import { ProgressReader } from './progressReader';

/** The problems of .hpc-geo.yaml (`file:line:col: path: message`) that are about the progress view `name`. */
export function problemsOfView(name: string, problems: readonly string[]): string[] {
  return problems.filter((p) => p.includes(`: progress.${name}.`) || p.includes(`: progress.${name}:`));
}

export const PROGRESS_VIEW = 'hpcGeo.progress';
const REFRESH_MS = 10_000;

const BODY = `
<div class="bar">
  <span id="title"></span>
  <vscode-button id="refresh" appearance="secondary">Refresh</vscode-button>
  <span id="status"></span>
</div>
<div id="viewport"><vscode-data-grid id="grid" aria-label="Progress" grid-template-columns=""></vscode-data-grid></div>`;

export interface ProgressDeps {
  clusters: ClusterManager;
  jobs: JobsController;
  logs: LogsController;
  log: Log;
  /** The specs of .hpc-geo.yaml and its problems, each `file:line:col: path: message`. */
  specs: () => Promise<{ specs: Record<string, ProgressConfig>; problems: string[] }>;
}

/** The spec of a panel: a named spec of .hpc-geo.yaml (maybe built on a preset), or a preset. */
export function buildSpec(name: string, config: ProgressConfig | undefined, dir: string | undefined): ProgressSpec {
  const base = config?.preset === 'fields-pipeline' || (!config && name === 'fields-pipeline') ? FIELDS_PIPELINE : undefined;
  const log = config?.log ?? base?.log;
  const stages = config?.stages ?? base?.stages;
  if (!log || !stages?.length) throw new Error(`The progress view '${name}' needs a log pattern and stages (or preset: fields-pipeline) in .hpc-geo.yaml.`);
  return {
    name,
    log,
    keys: config?.keys ?? base?.keys ?? [],
    stages,
    failure: config?.failure ?? base?.failure ?? [],
    ...((config?.dir ?? dir) ? { dir: config?.dir ?? dir } : {}),
  };
}

/** A grid of keys × stages, refreshed with one remote command while it is visible. */
export class ProgressPanel extends Disposable {
  private reader: ProgressReader | undefined;
  private spec: ProgressSpec | undefined;
  private timer: NodeJS.Timeout | undefined;
  private paths = new Map<string, string>();

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly state: ProgressPanelState,
    private readonly deps: ProgressDeps,
    extensionUri: vscode.Uri,
  ) {
    super();
    this.register(panel);
    panel.title = `Progress: ${state.arrayJobId ? `array ${state.arrayJobId}` : state.spec}`;
    panel.webview.html = pageHtml(panel.webview, extensionUri, 'progress', BODY);
    this.register(panel.webview.onDidReceiveMessage((m: ProgressFromPage) => void this.onMessage(m)));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(panel.onDidChangeViewState(() => (panel.visible ? void this.refresh() : clearTimeout(this.timer))));
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  private post(m: ProgressToPage): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: ProgressFromPage): Promise<void> {
    if (m.type === 'ready' || (m.type === 'refresh' && !this.reader)) {
      try {
        await this.prepare();
        this.post({ type: 'init', title: `${this.state.cluster}: ${this.spec!.name}`, stages: this.spec!.stages.map((s) => s.name) });
      } catch (e) {
        this.post({ type: 'rows', rows: [], updated: Date.now(), bytesMoved: 0, error: e instanceof Error ? e.message : String(e) });
        return;
      }
      await this.refresh();
    } else if (m.type === 'refresh') {
      await this.refresh();
    } else if (m.type === 'openLog') {
      const path = this.paths.get(m.key);
      if (path) await this.deps.logs.tail({ cluster: this.state.cluster, path }, m.line);
    }
  }

  private async prepare(): Promise<void> {
    const cluster = this.deps.clusters.find(this.state.cluster);
    if (!cluster) throw new Error(`There is no cluster ${this.state.cluster} any more.`);
    const runner = await this.deps.clusters.runner(cluster);
    let entries: { key: string; path: string }[];
    if (this.state.arrayJobId) {
      const id = this.state.arrayJobId;
      const tasks = this.arrayTasks();
      const paths = await (await this.deps.jobs.actionsFor(this.state.cluster)).arrayLogPaths(id, tasks.values());
      entries = [...paths].map(([key, path]) => ({ key, path }));
      this.spec = { ...ARRAY_JOB, name: `array ${id}`, log: '', keys: [...tasks.keys()] };
    } else {
      const { specs, problems } = await this.deps.specs();
      // a value of this view that was refused (a pattern that can freeze the host, say) stops it here, with its line
      const mine = problemsOfView(this.state.spec, problems);
      if (mine.length) throw new Error(`The progress view '${this.state.spec}' has errors in .hpc-geo.yaml; fix them and refresh. ${mine.join(' ')}`);
      this.spec = buildSpec(this.state.spec, specs[this.state.spec], this.state.dir);
      entries = expandKeys(this.spec.keys).map((key) => ({ key, path: logPathFor(this.spec!, key) }));
    }
    this.paths = new Map(entries.map((e) => [e.key, e.path]));
    const reader = new ProgressReader(runner, this.spec, entries);
    this.reader = reader;
    // the reader reads for as long as the person keeps the cluster connected
    this.register(
      this.deps.clusters.whileConnected(this.state.cluster, {
        dispose: () => {
          if (this.reader !== reader || this.isDisposed) return;
          this.reader = undefined;
          clearTimeout(this.timer);
          this.post({ type: 'rows', rows: [], updated: Date.now(), bytesMoved: reader.bytesMoved, error: `Disconnected from ${this.state.cluster}: connect again, then Refresh.` });
        },
      }, 'progress page'),
    );
  }

  /** The tasks of the array this panel shows, as the Jobs view knows them (none for a pipeline). */
  private arrayTasks(): Map<string, JobRecord> {
    const data = this.deps.jobs.service.jobs(this.state.cluster);
    return this.state.arrayJobId && data ? arrayTasks(this.state.arrayJobId, data.current, data.history) : new Map();
  }

  private async refresh(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.reader || !this.spec || this.isDisposed) return;
    try {
      const raw = await this.reader.refresh();
      const slurm = this.arrayTasks();
      const rows: ProgressRow[] = raw.map((r) => {
        const row: ProgressRow = {
          key: r.key,
          cells: r.cells,
          ...(r.current >= 0 ? { currentStage: this.spec!.stages[r.current]!.name } : {}),
          ...(r.lastLine ? { lastLine: r.lastLine } : {}),
          ...(r.percent !== undefined ? { percent: r.percent } : {}),
          ...(r.firstTime && r.lastTime ? { elapsedSeconds: Math.round((r.lastTime - r.firstTime) / 1000) } : {}),
          ...(r.failedLine ? { failedLine: r.failedLine } : {}),
          missing: !r.exists,
        };
        const task = this.state.arrayJobId ? slurm.get(r.key) : undefined;
        if (task) {
          // an array task's state is Slurm's; its log gives the percentage and the last line
          const g = stateGroup(task.state);
          row.cells = [g === 'finished' ? 'done' : g];
          row.currentStage = task.state;
        }
        return row;
      });
      this.post({ type: 'rows', rows, updated: Date.now(), bytesMoved: this.reader.bytesMoved });
    } catch (e) {
      this.post({ type: 'rows', rows: [], updated: Date.now(), bytesMoved: this.reader.bytesMoved, error: e instanceof Error ? e.message : String(e) });
    }
    if (this.panel.visible) this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }
}
