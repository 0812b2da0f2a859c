import * as vscode from 'vscode';
import type { ClusterManager } from '../clusters/clusterManager';
import { Disposable } from '../lifecycle';
import type { JobActions } from './jobActions';
import type { SingleJobTarget } from '../../../common/slurm/targets';
import type { Submits } from './submits';
import { PICK_OPTIONS } from '../picks';

const LOG_SCHEME = 'hpcgeo-log';
/** How much of a log "Open Log" shows: the end of it (the live tail comes with the log panel). */
const LOG_BYTES = 2 * 1024 * 1024;

/** A job's log picked: the cluster, the path, and the job it belongs to. */
export interface PickedLog {
  cluster: string;
  path: string;
  jobId: string;
}

/**
 * A job's logs: where they are (what Slurm recorded, see JobActions.logPaths), and "Open Log", a
 * read-only editor of the log's last 2 MB (the live tail is the log panel's).
 */
export class JobLogs extends Disposable {
  constructor(
    private readonly clusters: ClusterManager,
    private readonly actionsFor: (cluster: string) => Promise<JobActions>,
    private readonly submits: Submits,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, { provideTextDocumentContent: (uri) => this.content(uri) }));
  }

  /** The log of a job (asking which when stdout and stderr differ); undefined when the person cancelled. */
  async pick(t: SingleJobTarget): Promise<PickedLog | undefined> {
    const actions = await this.actionsFor(t.cluster);
    const paths = await actions.logPaths(t.job, this.submits.find(t.cluster, t.job.arrayJobId ?? t.job.jobId));
    const choice = paths.stderr
      ? (await vscode.window.showQuickPick([
          { label: 'Output', description: paths.stdout, path: paths.stdout },
          { label: 'Errors', description: paths.stderr, path: paths.stderr },
        ], { ...PICK_OPTIONS, placeHolder: `Job ${t.job.jobId} writes two logs: which one?` }))?.path
      : paths.stdout;
    return choice ? { cluster: t.cluster, path: choice, jobId: t.job.jobId } : undefined;
  }

  async open(t: SingleJobTarget): Promise<void> {
    const picked = await this.pick(t);
    if (!picked) return;
    const uri = vscode.Uri.from({ scheme: LOG_SCHEME, authority: encodeURIComponent(picked.cluster), path: picked.path.startsWith('/') ? picked.path : `/${picked.path}` });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  private async content(uri: vscode.Uri): Promise<string> {
    const cluster = decodeURIComponent(uri.authority);
    const path = uri.path;
    try {
      const c = this.clusters.find(cluster);
      if (!c) throw new Error(`there is no cluster named ${cluster} any more`);
      const runner = await this.clusters.runner(c);
      const { size } = await runner.stat(path);
      const start = Math.max(0, size - LOG_BYTES);
      const text = (await runner.readRange(path, start, size - start)).toString('utf8');
      return start > 0 ? `[… the first ${Math.round(start / 1048576)} MB are not shown; Follow Log reads the whole file …]\n${text.slice(text.indexOf('\n') + 1)}` : text;
    } catch (e) {
      return `The log ${path} on ${cluster} cannot be read: ${e instanceof Error ? e.message : String(e)}\n\nA pending job has not created it yet; a finished job's log may have been moved or deleted.`;
    }
  }
}
