import * as vscode from 'vscode';
import { usageMarkdown, type LiveUsageRow } from '../../../common/slurm/usage';
import { Disposable } from '../lifecycle';
import type { JobActions } from './jobActions';

const USAGE_SCHEME = 'hpcgeo-usage';

/**
 * "Show Resource Usage": a read-only page (Markdown preview of a virtual document, so closing it
 * asks nothing) with sacct's figures, and sstat's live ones for a running job.
 */
export class UsageView extends Disposable {
  /** A page already open is read again when shown again (VS Code keeps a virtual document while it is open). */
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  constructor(
    private readonly actionsFor: (cluster: string) => Promise<JobActions>,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(USAGE_SCHEME, { onDidChange: this.changed.event, provideTextDocumentContent: (uri) => this.content(uri) }));
  }

  /** The page's address: one per job and cluster; `running` asks sstat too. */
  static uri(cluster: string, jobId: string, running: boolean): vscode.Uri {
    return vscode.Uri.from({ scheme: USAGE_SCHEME, authority: encodeURIComponent(cluster), path: `/Job ${jobId} resource usage.md`, query: running ? 'running' : '' });
  }

  async show(cluster: string, jobId: string, running: boolean): Promise<void> {
    const uri = UsageView.uri(cluster, jobId, running);
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) this.changed.fire(uri);
    // read it now, so a failure is an error message here and not a page that says nothing
    // sacct (and sstat) take seconds on a busy cluster: say what is being read until the page opens
    const doc = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading the resource usage of job ${jobId} on ${cluster}…` }, () => Promise.resolve(vscode.workspace.openTextDocument(uri)));
    try {
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
    } catch {
      await vscode.window.showTextDocument(doc, { preview: true }); // no Markdown preview in this editor: the text, read-only
    }
  }

  private async content(uri: vscode.Uri): Promise<string> {
    const cluster = decodeURIComponent(uri.authority);
    const jobId = /^\/Job (.+) resource usage\.md$/.exec(uri.path)?.[1] ?? '';
    const running = uri.query === 'running';
    const actions = await this.actionsFor(cluster);
    const rows = await actions.usage(jobId);
    let live: LiveUsageRow[] | { error: string } | undefined;
    if (running) {
      try {
        live = await actions.liveUsage(jobId);
      } catch (e) {
        live = { error: e instanceof Error ? e.message : String(e) };
      }
    }
    return usageMarkdown({ jobId, cluster, running, rows, ...(live ? { live } : {}), readAt: new Date() });
  }
}
