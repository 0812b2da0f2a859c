import * as vscode from 'vscode';
import type { TailFromPage, TailPanelState, TailToPage } from '../../../common/logs/protocol';
import type { ClusterManager } from '../clusters/clusterManager';
import type { Config } from '../config';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { pageHtml, webviewOptions } from '../webviews/html';
import { LineBatcher } from './lineBatcher';
import { LogTailer, type TailSource } from './tailer';

export const LOG_TAIL_VIEW = 'hpcGeo.logTail';

const BODY = `
<div class="bar">
  <span id="title"></span>
  <vscode-text-field id="search" placeholder="Search"></vscode-text-field>
  <vscode-checkbox id="regex">Regex</vscode-checkbox>
  <vscode-checkbox id="filter">Only matching</vscode-checkbox>
  <vscode-button id="next" appearance="secondary">Next error</vscode-button>
  <vscode-button id="pause" appearance="secondary">Pause</vscode-button>
  <vscode-button id="reopen" appearance="primary" hidden>Reopen</vscode-button>
  <span id="status"></span>
</div>
<div id="viewport"><div id="spacer"><div id="rows"></div></div></div>`;

/** A live tail of one log in a panel; restored after a window reload. */
export class LogTailPanel extends Disposable {
  private tailer: LogTailer | undefined;
  private readonly batcher = new LineBatcher((lines, open) => this.post({ type: 'lines', lines, ...(open ? { open } : {}) }));

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly state: TailPanelState,
    private readonly clusters: ClusterManager,
    private readonly config: Config,
    private readonly log: Log,
    extensionUri: vscode.Uri,
    private readonly reveal?: string,
  ) {
    super();
    this.register(panel);
    panel.title = `Log: ${state.path.split('/').pop()}`;
    panel.webview.html = pageHtml(panel.webview, extensionUri, 'logTail', BODY);
    this.register(panel.webview.onDidReceiveMessage((m: TailFromPage) => void this.onMessage(m)));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register({ dispose: () => this.tailer?.stop() });
    this.register(this.batcher);
  }

  static create(extensionUri: vscode.Uri, state: TailPanelState, deps: { clusters: ClusterManager; config: Config; log: Log }, reveal?: string): LogTailPanel {
    const panel = vscode.window.createWebviewPanel(LOG_TAIL_VIEW, `Log: ${state.path.split('/').pop()}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return new LogTailPanel(panel, state, deps.clusters, deps.config, deps.log, extensionUri, reveal);
  }

  private post(m: TailToPage): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: TailFromPage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post({ type: 'init', cluster: this.state.cluster, path: this.state.path, maxLines: this.config.get('logs.maxLines'), ...(this.reveal ? { reveal: this.reveal } : {}) });
        await this.start();
        break;
      case 'pause':
        this.tailer?.pause();
        break;
      case 'resume':
        this.tailer?.resume();
        break;
      case 'reopen':
        this.tailer?.stop();
        await this.start();
        break;
    }
  }

  private async start(): Promise<void> {
    if (this.isDisposed) return;
    try {
      const cluster = this.clusters.find(this.state.cluster);
      if (!cluster) throw new Error(`There is no cluster ${this.state.cluster} any more.`);
      const source = (await this.clusters.runner(cluster)) as unknown as TailSource;
      const tailer = new LogTailer(source, this.state.path, {
        lines: (lines, open) => this.batcher.push(lines, open),
        reset: (reason) => {
          this.batcher.flush();
          this.post({ type: 'reset', reason });
        },
        status: (status, detail) => {
          this.batcher.flush();
          this.post({ type: 'status', status, ...(detail ? { detail } : {}), bytesMoved: tailer.bytesMoved });
        },
      }, this.config.get('logs.initialLines'));
      this.tailer = tailer;
      await tailer.start();
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      this.log.warn(`log tail of ${this.state.path} on ${this.state.cluster}: ${detail}`);
      this.post({ type: 'status', status: 'error', detail, bytesMoved: this.tailer?.bytesMoved ?? 0 });
    }
  }
}
