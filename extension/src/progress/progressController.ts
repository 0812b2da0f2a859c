import * as vscode from 'vscode';
import type { ProgressPanelState } from '../../../common/progress/protocol';
import type { ProgressConfig } from '../../../common/workspaceConfig/schema';
import { loadBundle } from '../bundles';
import type { ClusterManager } from '../clusters/clusterManager';
import type { JobsController } from '../jobs/jobsController';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import type { LogsController } from '../logs/logsController';
import { webviewOptions } from '../webviews/html';
import { PICK_OPTIONS } from '../picks';
import { PROGRESS_VIEW, ProgressPanel, problemsOfView, type ProgressDeps } from './progressPanel';

type ConfigModule = typeof import('./workspaceConfigMain');

/** Opens progress views (from an array job, a spec in .hpc-geo.yaml, or a preset) and restores them. */
export class ProgressController extends Disposable {
  private readonly deps: ProgressDeps;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly clusters: ClusterManager,
    jobs: JobsController,
    logs: LogsController,
    private readonly log: Log,
  ) {
    super();
    this.deps = { clusters, jobs, logs, log, specs: () => this.read() };
    this.register(
      vscode.window.registerWebviewPanelSerializer(PROGRESS_VIEW, {
        deserializeWebviewPanel: async (panel, state: ProgressPanelState | undefined) => {
          if (!state?.cluster) return panel.dispose();
          panel.webview.options = webviewOptions(context.extensionUri);
          this.register(new ProgressPanel(panel, state, this.deps, context.extensionUri));
        },
      }),
    );
  }

  /** The specs, and the file's problems as `file:line:col: message` (each also logged), and the file. */
  private async read(): Promise<{ specs: Record<string, ProgressConfig>; problems: string[]; file?: vscode.Uri }> {
    // the file the linter uses for the active editor's document (the shared resolver), else the first folder's
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return { specs: {}, problems: [] };
    const { resolveWorkspaceConfig, WORKSPACE_CONFIG_FILE } = loadBundle<ConfigModule>(this.context, 'workspaceConfig');
    const anchor = active && vscode.workspace.getWorkspaceFolder(active) === folder ? active : vscode.Uri.joinPath(folder.uri, WORKSPACE_CONFIG_FILE);
    const found = await resolveWorkspaceConfig(anchor.path, [folder.uri.path], {
      openText: (path) => vscode.workspace.textDocuments.find((d) => d.uri.scheme === folder.uri.scheme && d.uri.path === path)?.getText(),
      readFile: (path) => vscode.workspace.fs.readFile(folder.uri.with({ path })).then((b) => new TextDecoder().decode(b), () => undefined),
    });
    if (!found) return { specs: {}, problems: [] };
    const { config, problems } = found;
    const file = folder.uri.with({ path: found.file });
    const shown = vscode.workspace.asRelativePath(file);
    const lines = problems.map((p) => `${shown}:${p.line + 1}:${p.character + 1}: ${p.message}`);
    for (const l of lines) this.log.warn(l);
    return { specs: config.progress, problems: lines, file };
  }

  async show(node?: unknown): Promise<void> {
    let state: ProgressPanelState | undefined;
    const n = node as { type?: string; cluster?: string; entry?: { arrayJobId: string } } | undefined;
    if (n?.type === 'array' && n.cluster && n.entry) {
      state = { cluster: n.cluster, spec: 'array', arrayJobId: n.entry.arrayJobId };
    } else {
      const { specs, problems, file } = await this.read();
      const broken = (name: string) => problemsOfView(name, problems);
      const names = [
        ...Object.keys(specs).map((k) => ({ label: k, description: broken(k).length ? '$(error) has errors in .hpc-geo.yaml' : specs[k]!.preset ? `preset ${specs[k]!.preset}` : '.hpc-geo.yaml' })),
        ...(specs['fields-pipeline'] ? [] : [{ label: 'fields-pipeline', description: 'preset: one log per year, logs/year_{key}.log' }]),
      ];
      const picked = await vscode.window.showQuickPick(names, { ...PICK_OPTIONS, placeHolder: 'Which pipeline? (define your own under progress: in .hpc-geo.yaml)' });
      if (!picked) return;
      // a view with errors is said at once, before a cluster is asked for
      const errors = broken(picked.label);
      if (errors.length) {
        const open = await vscode.window.showErrorMessage(`The progress view '${picked.label}' has errors in .hpc-geo.yaml: ${errors.join(' ')}`, 'Open .hpc-geo.yaml');
        if (open && file) await vscode.window.showTextDocument(file);
        return;
      }
      // the connected cluster when there is one, as a person means it; else ask which
      const connected = this.clusters.connected();
      const cluster = await this.clusters.connect(connected.length === 1 ? connected[0]!.name : undefined);
      if (!cluster) return;
      let dir = specs[picked.label]?.dir ?? cluster.workDir;
      if (!dir) {
        dir = await vscode.window.showInputBox({ title: `${picked.label} on ${cluster.name}`, prompt: 'Folder the log paths are relative to (absolute, or relative to your home)', ignoreFocusOut: true });
        if (dir === undefined) return;
      }
      state = { cluster: cluster.name, spec: picked.label, ...(dir ? { dir } : {}) };
    }
    const panel = vscode.window.createWebviewPanel(PROGRESS_VIEW, 'Progress', vscode.ViewColumn.Active, webviewOptions(this.context.extensionUri));
    this.register(new ProgressPanel(panel, state, this.deps, this.context.extensionUri));
  }
}
