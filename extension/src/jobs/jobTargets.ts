/**
 * What a job command acts on. From the Jobs view a command gets the row it was run on (and the
 * rows selected with it); from the Command Palette, a keybinding or a notification it may get
 * nothing, and then asks which job, among those the action applies to. Never a silent no-op.
 */
import * as vscode from 'vscode';
import { stateGroup } from '../../../common/slurm/jobs';
import { candidates, isJobTarget, type ClusterJobList, type JobTarget, type TargetKind } from '../../../common/slurm/targets';
import { countsLabel, jobDescription } from '../../../common/slurm/tree';
import { PICK_OPTIONS } from '../picks';

function pickItem(t: JobTarget, clusters: number): vscode.QuickPickItem & { target: JobTarget } {
  const where = clusters > 1 ? `${t.cluster} · ` : '';
  if (t.type === 'array') return { label: `$(layers) ${t.entry.arrayJobId} ${t.entry.name}`, description: `${where}array · ${countsLabel(t.entry.counts, t.entry.held)}`, target: t };
  const j = t.job;
  // jobDescription names the state of an ended job that did not complete, not the others'
  const g = stateGroup(j.state);
  const lead = g === 'running' || g === 'pending' || j.state === 'COMPLETED' ? j.state : '';
  const parts = [lead, jobDescription(j)].filter(Boolean);
  return { label: `${j.jobId} ${j.name}`, description: `${where}${parts.join(' · ')}`, target: t };
}

/** Where the pick's jobs come from: the watched clusters' jobs, and how to connect when none is. */
export interface TargetSource {
  clusters(): readonly (ClusterJobList & { lastRefresh?: number })[];
  connect(): PromiseLike<unknown>;
}

/** A last item of the pick that is not a job ("A file on the cluster…"), and what it does. */
export interface OtherChoice {
  item: vscode.QuickPickItem;
  /** The same as a button of the message shown when no cluster is connected ("Follow a File…"). */
  button: string;
  pick(): PromiseLike<void>;
}

/** The clusters' jobs once the first of them has loaded (a cluster just connected), or as they are after `timeoutMs`. */
async function loadedClusters(source: TargetSource, timeoutMs = 20_000): Promise<ReturnType<TargetSource['clusters']>> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Loading your jobs' }, async () => {
    for (let waited = 0; waited < timeoutMs && !source.clusters().some((c) => c.lastRefresh); waited += 100) await new Promise((r) => setTimeout(r, 100));
    return source.clusters();
  });
}

/**
 * The targets of a command: the clicked row, or the selection when the row is in it; with no row,
 * a quick pick of the jobs the action applies to on the connected clusters (one job offered is
 * still asked for, so nothing runs unseen). Says why when there is nothing to pick.
 */
export async function resolveTargets(kind: TargetKind, source: TargetSource, node: unknown, selected?: unknown, other?: OtherChoice): Promise<JobTarget[]> {
  if (isJobTarget(node)) {
    const all = Array.isArray(selected) && selected.some((s) => s === node) ? selected.filter(isJobTarget) : [node];
    const fitting = all.filter((t) => kind.applies(t));
    if (!fitting.length) void vscode.window.showInformationMessage(`This applies only to ${kind.fits} jobs.`);
    return kind.many ? fitting : fitting.slice(0, 1);
  }
  let clusters = source.clusters();
  if (!clusters.length) {
    // every job command says the same; Connect goes on to the pick once the jobs have loaded
    const go = await vscode.window.showInformationMessage('No cluster is connected, so there are no jobs to pick.', 'Connect', ...(other ? [other.button] : []));
    if (other && go === other.button) {
      await other.pick();
      return [];
    }
    if (go !== 'Connect' || !(await source.connect())) return [];
    clusters = await loadedClusters(source);
    if (!clusters.length) return [];
  }
  if (other && !clusters.some((c) => candidates(c, kind).length)) {
    await other.pick();
    return [];
  }
  const offered = clusters.flatMap((c) => candidates(c, kind));
  if (!offered.length) {
    const names = clusters.map((c) => c.cluster).join(', ');
    const loading = clusters.some((c) => !c.lastRefresh);
    void vscode.window.showInformationMessage(loading ? `The jobs on ${names} are still loading; try again in a moment.` : `None of your jobs on ${names} is ${kind.fits}.`);
    return [];
  }
  const items: (vscode.QuickPickItem & { target?: JobTarget })[] = offered.map((t) => pickItem(t, clusters.length));
  if (other) items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, other.item);
  if (kind.many) {
    const picked = await pickSeveral(items, `${kind.question} (Space to pick several)`);
    return picked.flatMap((p) => (p.target ? [p.target] : []));
  }
  const picked = await vscode.window.showQuickPick(items, { ...PICK_OPTIONS, placeHolder: kind.question, matchOnDescription: true });
  if (picked && !picked.target) await other?.pick();
  return picked?.target ? [picked.target] : [];
}

/**
 * A pick of several items where Enter with none ticked takes the highlighted one, as a person
 * means it (VS Code's canPickMany pick returns nothing then, and the action did nothing, silently).
 */
function pickSeveral<T extends vscode.QuickPickItem>(items: T[], placeholder: string): Promise<readonly T[]> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<T>();
    qp.items = items;
    qp.canSelectMany = true;
    qp.matchOnDescription = true;
    qp.ignoreFocusOut = PICK_OPTIONS.ignoreFocusOut;
    qp.placeholder = placeholder;
    let result: readonly T[] = [];
    qp.onDidAccept(() => {
      result = qp.selectedItems.length ? qp.selectedItems : qp.activeItems.slice(0, 1);
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      resolve(result);
    });
    qp.show();
  });
}
