import * as vscode from 'vscode';
import type { TailPanelState } from '../../../common/logs/protocol';
import type { ClusterManager } from '../clusters/clusterManager';
import type { Config } from '../config';
import type { JobsController } from '../jobs/jobsController';
import type { JobsNode } from '../jobs/jobsProvider';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { webviewOptions } from '../webviews/html';
import { LOG_TAIL_VIEW, LogTailPanel, type LogTailDeps } from './logTailPanel';

/** A row of the Jobs view that is one job (or one array task). */
function jobNode(node: unknown): Extract<JobsNode, { type: 'job' }> | undefined {
  const n = node as Partial<JobsNode> | undefined;
  return typeof n === 'object' && n?.type === 'job' && 'job' in n ? (n as Extract<JobsNode, { type: 'job' }>) : undefined;
}

/** Opens live log tails (from a job, or a path typed in) and restores them after a reload. */
export class LogsController extends Disposable {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly clusters: ClusterManager,
    private readonly jobs: JobsController,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    super();
    this.register(
      vscode.window.registerWebviewPanelSerializer(LOG_TAIL_VIEW, {
        deserializeWebviewPanel: async (panel, state: TailPanelState | undefined) => {
          if (!state?.cluster || !state.path) return panel.dispose();
          panel.webview.options = webviewOptions(context.extensionUri);
          this.register(new LogTailPanel(panel, state, this.deps(), context.extensionUri));
        },
      }),
    );
  }

  private deps(): LogTailDeps {
    return { clusters: this.clusters, config: this.config, log: this.log, jobs: this.jobs.service };
  }

  /** From a job node: its log (the panel then says when the job ends); otherwise a cluster and a path the user types. */
  async tail(node?: unknown, reveal?: string): Promise<void> {
    const picked = await this.jobs.pickLogPath(node);
    const job = jobNode(node);
    let state: TailPanelState | undefined = picked && job ? { ...picked, jobId: job.job.jobId } : picked;
    if (!state && typeof node === 'object' && node && 'cluster' in node && 'path' in node) state = node as TailPanelState;
    if (!state) {
      const cluster = await this.clusters.connect();
      if (!cluster) return;
      const path = await vscode.window.showInputBox({ title: `Follow a log on ${cluster.name}`, prompt: 'Path of the log on the cluster (absolute, or relative to your home)', ignoreFocusOut: true });
      if (!path) return;
      state = { cluster: cluster.name, path };
    }
    this.register(LogTailPanel.create(this.context.extensionUri, state, this.deps(), reveal));
  }
}
