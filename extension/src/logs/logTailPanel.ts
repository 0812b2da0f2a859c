import * as vscode from 'vscode';
import type { TailFromPage, TailPanelState, TailToPage } from '../../../common/logs/protocol';
import type { ClusterManager } from '../clusters/clusterManager';
import type { Config } from '../config';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { pageHtml, webviewOptions } from '../webviews/html';
import { JobEndWatch, type JobsFeed } from './jobEndWatch';
import { TailSession } from './tailSession';

export const LOG_TAIL_VIEW = 'hpcGeo.logTail';

const BODY = `
<div class="bar">
  <span id="title"></span>
  <vscode-text-field id="search" placeholder="Search"></vscode-text-field>
  <vscode-checkbox id="regex">Regex</vscode-checkbox>
  <span id="searchError" role="alert" hidden></span>
  <vscode-checkbox id="filter">Only matching</vscode-checkbox>
  <vscode-button id="next" appearance="secondary">Next error</vscode-button>
  <vscode-button id="pause" appearance="secondary">Pause</vscode-button>
  <vscode-button id="reopen" appearance="primary" hidden>Reopen</vscode-button>
  <span id="status"></span>
</div>
<div id="viewport"><div id="spacer"><div id="rows"></div></div></div>`;

export interface LogTailDeps {
  clusters: ClusterManager;
  config: Config;
  log: Log;
  /** The Jobs view's jobs: a log opened from a job says when that job has ended. */
  jobs: JobsFeed;
}

/** A live tail of one log in a panel; restored after a window reload. */
export class LogTailPanel extends Disposable {
  private readonly session: TailSession;
  private readonly jobEnd: JobEndWatch | undefined;
  private readonly config: Config;
  /** The current open's place in the cluster's connection scope. */
  private scopeEntry: { dispose(): unknown } | undefined;
  /** The current open's place in the cluster's connection scope (one per panel, not one per Reopen). */
  private scoped: vscode.Disposable | undefined;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly state: TailPanelState,
    { clusters, config, log, jobs }: LogTailDeps,
    extensionUri: vscode.Uri,
    private readonly reveal?: string,
  ) {
    super();
    this.config = config;
    this.session = new TailSession({
      path: state.path,
      initialLines: config.get('logs.initialLines'),
      source: async () => {
        const cluster = clusters.find(state.cluster);
        if (!cluster) throw new Error(`There is no cluster ${state.cluster} any more.`);
        const runner = await clusters.runner(cluster);
        // each open follows for as long as the person keeps the cluster connected
        const entry = { dispose: () => entry === this.scopeEntry && this.session.stop(`Disconnected from ${state.cluster}: connect again, then Reopen.`) };
        this.scopeEntry = entry;
        // the open before leaves the scope; its entry is no longer the current one, so this stops nothing
        this.scoped?.dispose();
        this.scoped = clusters.whileConnected(state.cluster, entry, 'log page');
        return runner;
      },
      post: (m) => this.post(m),
      warn: (message) => log.warn(`${message} (on ${state.cluster})`),
    });
    this.register(panel);
    this.register({ dispose: () => this.scoped?.dispose() });
    panel.title = `Log: ${state.path.split('/').pop()}`;
    panel.webview.html = pageHtml(panel.webview, extensionUri, 'logTail', BODY);
    this.register(panel.webview.onDidReceiveMessage((m: TailFromPage) => void this.onMessage(m)));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(this.session);
    // created after the page's html: what it posts before the page is ready, ready posts again
    this.jobEnd = state.jobId ? this.register(new JobEndWatch(jobs, state.cluster, state.jobId, (job) => this.post({ type: 'job', job }))) : undefined;
  }

  static create(extensionUri: vscode.Uri, state: TailPanelState, deps: LogTailDeps, reveal?: string): LogTailPanel {
    const panel = vscode.window.createWebviewPanel(LOG_TAIL_VIEW, `Log: ${state.path.split('/').pop()}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return new LogTailPanel(panel, state, deps, extensionUri, reveal);
  }

  private post(m: TailToPage): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: TailFromPage): Promise<void> {
    switch (m.type) {
      case 'ready':
        // a page loaded again (VS Code reloads a hidden page when it is shown) starts from init
        this.post({ type: 'init', cluster: this.state.cluster, path: this.state.path, ...(this.state.jobId ? { jobId: this.state.jobId } : {}), maxLines: this.config.get('logs.maxLines'), ...(this.reveal ? { reveal: this.reveal } : {}) });
        if (this.jobEnd?.current) this.post({ type: 'job', job: this.jobEnd.current });
        // loaded again after a disconnect: the lines it had and why it stopped; Reopen follows again
        if (this.session.isStopped) this.session.replay();
        else await this.session.open();
        break;
      case 'pause':
        this.session.pause();
        break;
      case 'resume':
        this.session.resume();
        break;
      case 'reopen':
        await this.session.open();
        break;
    }
  }
}
