import * as vscode from 'vscode';
import type { TailPanelState } from '../../../common/logs/protocol';
import type { ClusterManager } from '../clusters/clusterManager';
import type { Config } from '../config';
import type { JobsController } from '../jobs/jobsController';
import { TARGETS } from '../../../common/slurm/targets';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { webviewOptions } from '../webviews/html';
import { LOG_TAIL_VIEW, LogTailPanel, type LogTailDeps } from './logTailPanel';

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

  /**
   * From a job (its row, or picked from the palette): its log, the panel then says when the job
   * ends; a state restored or handed over (a progress cell) as it is; otherwise a cluster and a
   * path the person types.
   */
  async tail(node?: unknown, reveal?: string): Promise<void> {
    let state: TailPanelState | undefined;
    if (isTailState(node)) state = node;
    else {
      let typed: TailPanelState | undefined;
      const other = { item: { label: '$(file) A file on a cluster…', description: 'type its path' }, button: 'Follow a File…', pick: async () => void (typed = await this.askPath()) };
      const t = await this.jobs.target(TARGETS.log, node, other);
      state = t ? await this.jobs.logs.pick(t) : typed;
    }
    if (state) this.register(LogTailPanel.create(this.context.extensionUri, state, this.deps(), reveal));
  }

  private async askPath(): Promise<TailPanelState | undefined> {
    const cluster = await this.clusters.connect();
    if (!cluster) return undefined;
    const path = await vscode.window.showInputBox({ title: `Follow a log on ${cluster.name}`, prompt: 'Path of the log on the cluster (absolute, or relative to your home)', ignoreFocusOut: true });
    return path ? { cluster: cluster.name, path } : undefined;
  }
}

/** A panel's state handed over whole (cluster and path). */
function isTailState(x: unknown): x is TailPanelState {
  return !!x && typeof x === 'object' && typeof (x as TailPanelState).cluster === 'string' && typeof (x as TailPanelState).path === 'string';
}
