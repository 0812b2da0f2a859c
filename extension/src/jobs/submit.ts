import { homedir } from 'node:os';
import { basename, posix } from 'node:path';
import * as vscode from 'vscode';
import { clusterComment } from '../../../common/sbatch/clusterComment';
import type { ClusterManager } from '../clusters/clusterManager';
import type { Cluster } from '../clusters/clusters';
import type { Log } from '../log';
import { PICK_OPTIONS } from '../picks';
import type { JobActions } from './jobActions';
import type { JobService } from './jobService';
import type { Submits } from './submits';

type Dependency = { type: 'afterok' | 'afterany' | 'afternotok'; jobIds: string[] };

export interface SubmitDeps {
  clusters: ClusterManager;
  service: JobService;
  submits: Submits;
  log: Log;
  actionsFor(cluster: string): Promise<JobActions>;
  /** Shows the cluster's jobs in the Jobs view (the submitted one among them). */
  watch(cluster: string): void;
}

/**
 * "Submit Job": the active (or given) sbatch script to the cluster its `# hpc-geo: cluster=`
 * comment names, else the one connected cluster, else the one picked; uploaded to the cluster's
 * work folder unless it is on this machine already, submitted with sbatch, remembered.
 */
export class Submitter {
  constructor(private readonly deps: SubmitDeps) {}

  async submit(arg?: unknown): Promise<void> {
    const doc = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
    if (!doc) return void vscode.window.showInformationMessage('Open an sbatch script to submit it.');
    const errors = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'hpc-lint' && d.severity === vscode.DiagnosticSeverity.Error);
    if (errors.length) {
      const go = await vscode.window.showWarningMessage(`${basename(doc.fileName)} has ${errors.length === 1 ? 'an error' : `${errors.length} errors`} from hpc-lint, e.g. "${errors[0]!.message}". Submit anyway?`, { modal: true }, 'Submit Anyway');
      if (go !== 'Submit Anyway') return;
    }
    const cluster = await this.clusterFor(doc);
    if (!cluster) return;
    const { clusters, service, submits, log } = this.deps;
    // a person asked: this may log in (and ask for a code)
    await clusters.runner(cluster, { user: true });
    const dependency = await this.askDependency(cluster.name);
    if (dependency === null) return;
    const actions = await this.deps.actionsFor(cluster.name);
    let script: string;
    if (!cluster.target && doc.uri.scheme === 'file' && !doc.isDirty) {
      script = doc.uri.fsPath; // on this machine already: submitted where it is
    } else {
      const dir = cluster.workDir ?? (cluster.target ? 'hpc-geo-jobs' : posix.join(homedir(), 'hpc-geo-jobs'));
      script = await actions.upload(dir, basename(doc.fileName), doc.getText());
    }
    const record = await actions.submit(script, { chdir: posix.dirname(script), ...(dependency ? { dependency } : {}) });
    await submits.remember(cluster.name, record);
    log.info(`${cluster.name}: submitted ${script} as job ${record.jobId}`);
    this.deps.watch(cluster.name);
    void vscode.window
      .showInformationMessage(`Submitted ${basename(doc.fileName)} to ${cluster.name} as job ${record.jobId}.`, 'Copy Job ID')
      .then((c) => c && vscode.env.clipboard.writeText(record.jobId));
    await service.refresh(cluster.name);
  }

  /** The comment's cluster (said when unknown), else the only connected one, else asked. */
  private async clusterFor(doc: vscode.TextDocument): Promise<Cluster | undefined> {
    const { clusters } = this.deps;
    const named = clusterComment(doc.getText());
    if (named) {
      const c = clusters.find(named.name);
      if (c) return c;
      const pick = await vscode.window.showWarningMessage(
        `${basename(doc.fileName)} names the cluster "${named.name}" (# hpc-geo: cluster=${named.name}), which is not one of your clusters (~/.ssh/config, the setting hpcGeo.clusters).`,
        'Pick Another Cluster',
      );
      return pick ? clusters.resolve(undefined, `Submit ${basename(doc.fileName)} to which cluster?`) : undefined;
    }
    const connected = clusters.connected();
    if (connected.length === 1) return connected[0];
    return clusters.resolve(undefined, `Submit ${basename(doc.fileName)} to which cluster?`, connected.length ? (c) => connected.includes(c) : undefined);
  }

  /** Start after another job? undefined: no; null: the person cancelled. */
  private async askDependency(cluster: string): Promise<Dependency | undefined | null> {
    const depType = await vscode.window.showQuickPick(
      [
        { label: 'Start now', description: 'no dependency', type: undefined },
        { label: 'After a job succeeds', description: 'afterok', type: 'afterok' as const },
        { label: 'After a job ends', description: 'afterany', type: 'afterany' as const },
        { label: 'After a job fails', description: 'afternotok', type: 'afternotok' as const },
      ],
      { ...PICK_OPTIONS, placeHolder: `Submit to ${cluster}: start after another job?`, matchOnDescription: true },
    );
    if (!depType) return null;
    if (!depType.type) return undefined;
    const jobs = this.deps.service.jobs(cluster)?.current ?? [];
    if (!jobs.length) {
      void vscode.window.showInformationMessage(`You have no job in the queue on ${cluster} to wait for.`);
      return null;
    }
    const dep = await vscode.window.showQuickPick(jobs.map((j) => ({ label: j.jobId, description: `${j.name} · ${j.rawState.toLowerCase()}` })), { ...PICK_OPTIONS, placeHolder: `${depType.description}: which job?` });
    if (!dep) return null;
    return { type: depType.type, jobIds: [dep.label] };
  }
}
