import * as vscode from 'vscode';
import type { JobRecord, StateGroup } from '../../../common/slurm/jobs';
import { allCancelled, countsLabel, GROUP_ORDER, groupJobs, groupLabel, jobDescription, jobTooltipRows, treeGroup, type ArrayEntry, type Entry } from '../../../common/slurm/tree';
import { actionsThatApply } from '../../../common/slurm/targets';
import { Disposable } from '../lifecycle';
import type { ClusterJobs, JobService } from './jobService';
import { rowsToRedraw, type DrawnRow, type DrawnTree } from './treeRedraw';

export type JobsNode =
  | { type: 'cluster'; cluster: string }
  | { type: 'group'; cluster: string; group: StateGroup; entries: Entry[] }
  | { type: 'job'; cluster: string; job: JobRecord }
  | { type: 'array'; cluster: string; entry: ArrayEntry }
  | { type: 'message'; cluster: string; text: string; retry: boolean };

/** Whether a command's argument is a row of the Jobs view. */
export function isJobsNode(x: unknown): x is JobsNode {
  return !!x && typeof x === 'object' && typeof (x as { cluster?: unknown }).cluster === 'string' && ['cluster', 'group', 'job', 'array', 'message'].includes((x as { type?: string }).type ?? '');
}

const STATE_ICON: Record<StateGroup, [string, string]> = {
  running: ['sync~spin', 'charts.blue'],
  pending: ['clock', 'charts.yellow'],
  finished: ['pass', 'charts.green'],
  failed: ['error', 'charts.red'],
};

/** A cancelled job is listed with the finished ones, greyed: it did not fail and did not complete. */
const CANCELLED_ICON: [string, string] = ['circle-slash', 'disabledForeground'];

/** Text shown literally in a Markdown tooltip: job names may hold any character. */
function escapeMarkdown(s: string): string {
  return s.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
}

export function jobTooltip(job: JobRecord): vscode.MarkdownString {
  const md = new vscode.MarkdownString(`| | |\n|---|---|\n${jobTooltipRows(job).map(([k, v]) => `| ${k} | ${escapeMarkdown(v)} |`).join('\n')}`);
  md.supportHtml = false;
  return md;
}

/**
 * What a click on a row runs. It carries no arguments on purpose: VS Code keeps a command with
 * arguments in a cache entry that lives only as long as that rendering of the row, and a row
 * re-renders whenever it changes (a running job's at every poll), so a click landing during a refresh failed with "Actual command not
 * found". The handler reads the clicked row from the view's selection, which VS Code keeps by the
 * rows' stable ids.
 */
export const ROW_CLICK: vscode.Command = { title: 'Open', command: 'hpcGeo.openSelectedRow' };

/** The Jobs view: clusters, then Running / Pending / Recently finished / Failed, then jobs. */
export class JobsProvider extends Disposable implements vscode.TreeDataProvider<JobsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<JobsNode | JobsNode[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  /** The row objects VS Code holds, by row id: a change updates them in place, so a row stays the same element across polls. */
  private readonly rows = new Map<string, JobsNode>();
  private drawn: DrawnTree | undefined;

  constructor(
    private readonly service: JobService,
    private readonly connectionState: (cluster: string) => string,
  ) {
    super();
    const onChange = () => this.refresh();
    service.on('change', onChange);
    this.register({ dispose: () => service.off('change', onChange) });
  }

  /** Redraws the rows that changed since the last redraw (see treeRedraw). */
  refresh(): void {
    const next = this.draw();
    const redraw = rowsToRedraw(this.drawn, next);
    this.drawn = next;
    if (redraw === 'all') this.changed.fire(undefined);
    else if (redraw.length) this.changed.fire(redraw.map((id) => this.rows.get(id)!));
  }

  /** The whole tree as it would be drawn now; rows no longer in it are forgotten. */
  private draw(): DrawnTree {
    const rows = new Map<string, DrawnRow>();
    const visit = (node: JobsNode): string => {
      const id = rowId(node);
      const children = this.getChildren(node).map(visit);
      rows.set(id, { key: drawnKey(this.getTreeItem(node)), children });
      return id;
    };
    const root = this.getChildren().map(visit);
    for (const id of this.rows.keys()) if (!rows.has(id)) this.rows.delete(id);
    return { root, rows };
  }

  getChildren(node?: JobsNode): JobsNode[] {
    return this.children(node).map((n) => {
      const id = rowId(n);
      const held = this.rows.get(id);
      if (!held) {
        this.rows.set(id, n);
        return n;
      }
      for (const k of Object.keys(held)) delete (held as unknown as Record<string, unknown>)[k];
      return Object.assign(held, n);
    });
  }

  private children(node?: JobsNode): JobsNode[] {
    if (!node) return this.service.clusters().map((c) => ({ type: 'cluster', cluster: c.cluster }));
    const data = this.service.jobs(node.cluster);
    if (!data) return [];
    switch (node.type) {
      case 'cluster': {
        const groups = groupJobs(data.current, data.history);
        const out: JobsNode[] = [];
        if (data.error) out.push({ type: 'message', cluster: node.cluster, text: data.error, retry: true });
        for (const g of GROUP_ORDER) if (groups[g].length) out.push({ type: 'group', cluster: node.cluster, group: g, entries: groups[g] });
        if (!out.length) out.push({ type: 'message', cluster: node.cluster, text: data.lastRefresh ? `No jobs running, waiting or ended in the last ${this.service.historyDays === 1 ? 'day' : `${this.service.historyDays} days`}` : 'Loading…', retry: false });
        return out;
      }
      case 'group':
        return node.entries.map((e) => (e.kind === 'job' ? { type: 'job', cluster: node.cluster, job: e.job } : { type: 'array', cluster: node.cluster, entry: e }));
      case 'array':
        return node.entry.tasks.map((t) => ({ type: 'job', cluster: node.cluster, job: t }));
      default:
        return [];
    }
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    const item = this.item(node);
    item.id = rowId(node);
    return item;
  }

  private item(node: JobsNode): vscode.TreeItem {
    switch (node.type) {
      case 'cluster': {
        const data = this.service.jobs(node.cluster) as ClusterJobs;
        const item = new vscode.TreeItem(node.cluster, vscode.TreeItemCollapsibleState.Expanded);
        const state = this.connectionState(node.cluster);
        // no time of the last poll: it would redraw the cluster's every row at every poll (see treeRedraw)
        item.description = data.error ? 'refresh failed' : data.refreshing ? 'refreshing…' : state;
        item.iconPath = new vscode.ThemeIcon(data.error ? 'warning' : 'server-environment', data.error ? new vscode.ThemeColor('charts.yellow') : undefined);
        item.contextValue = 'cluster';
        return item;
      }
      case 'group': {
        const { label, description } = groupLabel(node.group, node.entries);
        const item = new vscode.TreeItem(label, node.group === 'finished' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
        if (description) item.description = description;
        item.contextValue = 'group';
        return item;
      }
      case 'array': {
        const e = node.entry;
        const item = new vscode.TreeItem(`${e.arrayJobId} ${e.name}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = countsLabel(e.counts, e.held);
        const [icon, color] = allCancelled(e.counts) ? CANCELLED_ICON : STATE_ICON[e.group];
        item.iconPath = new vscode.ThemeIcon(icon === 'sync~spin' ? 'layers-active' : 'layers', new vscode.ThemeColor(color));
        item.tooltip = new vscode.MarkdownString(`**Array ${e.arrayJobId}** ${escapeMarkdown(e.name)}\n\n${countsLabel(e.counts, e.held)} (${e.taskCount === 1 ? '1 task' : `${e.taskCount} tasks`})`);
        item.contextValue = contextValue(`array.${e.group}`, node);
        return item;
      }
      case 'job': {
        const j = node.job;
        const g = treeGroup(j.state);
        const label = j.arrayTaskId ? `${j.arrayTaskId}` : `${j.jobId} ${j.name}`;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        // a task sits under its array, among tasks of every state: it names its state, COMPLETED too
        item.description = jobDescription(j, { nameCompleted: !!j.arrayTaskId });
        const [icon, color] = j.state === 'CANCELLED' ? CANCELLED_ICON : STATE_ICON[g];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        item.tooltip = jobTooltip(j);
        item.contextValue = contextValue(`job.${g}${j.arrayJobId ? '.task' : ''}`, node);
        item.command = ROW_CLICK;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.retry ? 'error' : 'info');
        item.tooltip = node.retry ? `${node.text}\n\nThe jobs shown are from the last successful refresh. Click to retry.` : node.text;
        if (node.retry) item.command = ROW_CLICK;
        item.contextValue = 'message';
        return item;
      }
    }
  }
}

/** A row's id, stable across polls: VS Code keeps a row's selection, expansion and element by it. */
function rowId(node: JobsNode): string {
  switch (node.type) {
    case 'cluster':
      return `cluster:${node.cluster}`;
    case 'group':
      return `group:${node.cluster}:${node.group}`;
    case 'array':
      return `array:${node.cluster}:${node.entry.arrayJobId}`;
    case 'job':
      return `job:${node.cluster}:${node.job.jobId}`;
    case 'message':
      return `message:${node.cluster}`;
  }
}

/** Everything of a drawn row that a person can see or use, as one string to compare. */
function drawnKey(item: vscode.TreeItem): string {
  const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined; // its id and colour, as JSON
  const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
  return JSON.stringify([item.label, item.description, icon, item.contextValue, tooltip, item.collapsibleState, item.command?.command]);
}

/** "job.running.task [cancel][requeue]…": the row's kind, then the actions that apply to it (the menus' `when` clauses read these). */
function contextValue(kind: string, node: Extract<JobsNode, { type: 'job' | 'array' }>): string {
  return `${kind} ${actionsThatApply(node).map((a) => `[${a}]`).join('')}`;
}
