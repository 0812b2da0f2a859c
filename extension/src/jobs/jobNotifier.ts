import * as vscode from 'vscode';
import { endingMessage, type JobEnding } from '../../../common/slurm/endings';
import { isFailure } from '../../../common/slurm/tree';
import { JOB_NOTIFICATIONS, type JobNotifications } from '../../../common/settings';
import type { JobRecord } from '../../../common/slurm/jobs';
import type { Config } from '../config';
import { Disposable } from '../lifecycle';
import type { SubmitRecord } from './jobActions';
import type { JobsNode } from './jobsProvider';
import type { JobService } from './jobService';

/** A button of a notification: the command it runs, with the tree node the command takes. */
export interface NotificationAction {
  title: 'Open Log' | 'Resource Usage' | 'Resubmit Failed';
  command: 'hpcGeo.tailLog' | 'hpcGeo.showJobUsage' | 'hpcGeo.resubmitFailed';
  node: JobsNode;
}

export interface JobNotification {
  severity: 'information' | 'warning';
  message: string;
  actions: NotificationAction[];
}

/** How notifications reach the person: VS Code's, or a test's. */
export interface NotifierUi {
  show(severity: JobNotification['severity'], message: string, buttons: string[]): PromiseLike<string | undefined>;
  execute(command: string, node: JobsNode): PromiseLike<unknown>;
}

const vscodeUi: NotifierUi = {
  show: (severity, message, buttons) => (severity === 'warning' ? vscode.window.showWarningMessage(message, ...buttons) : vscode.window.showInformationMessage(message, ...buttons)),
  execute: (command, node) => vscode.commands.executeCommand(command, node),
};

/** Where HPC Geo keeps what it submitted to a cluster (the Jobs controller writes it). */
export function submitsKey(cluster: string): string {
  return `hpcGeo.submits.${cluster}`;
}

/**
 * Says when a job or a whole array ends (JobService's 'ended'), how, with buttons for what comes
 * next: the log, the resource usage, resubmitting an array's failed tasks. Settings
 * `hpcGeo.jobs.notifications` (all, failures, off) and `hpcGeo.jobs.notifyAllJobs` (or only the
 * jobs submitted from VS Code) are read at each end, so a change applies at once.
 */
export class JobNotifier extends Disposable {
  constructor(
    service: JobService,
    private readonly config: Pick<Config, 'get'>,
    private readonly submits: Pick<vscode.Memento, 'get'>,
    private readonly ui: NotifierUi = vscodeUi,
  ) {
    super();
    service.setSubmittedJobs((cluster) => this.submitted(cluster));
    this.register(service.onDidEnd((e) => void this.notify(e)));
  }

  private submitted(cluster: string): SubmitRecord[] {
    const records = this.submits.get<SubmitRecord[]>(submitsKey(cluster));
    return Array.isArray(records) ? records : [];
  }

  /** What to show for an end, or nothing when the settings say so. */
  notification(e: JobEnding): JobNotification | undefined {
    const raw: string = this.config.get('jobs.notifications');
    const when: JobNotifications = (JOB_NOTIFICATIONS as readonly string[]).includes(raw) ? (raw as JobNotifications) : 'all';
    if (when === 'off' || (when === 'failures' && !e.failed)) return undefined;
    if (!this.config.get('jobs.notifyAllJobs') && !this.submitted(e.cluster).some((r) => r.jobId === e.jobId)) return undefined;
    return { severity: e.failed ? 'warning' : 'information', message: endingMessage(e), actions: actionsFor(e) };
  }

  async notify(e: JobEnding): Promise<void> {
    const n = this.notification(e);
    if (!n) return;
    const picked = await this.ui.show(n.severity, n.message, n.actions.map((a) => a.title));
    const action = n.actions.find((a) => a.title === picked);
    if (action) await this.ui.execute(action.command, action.node);
  }
}

/** A job that never started (cancelled while pending) has no log and no usage to show. */
const started = (j: JobRecord) => !!j.start;

function actionsFor(e: JobEnding): NotificationAction[] {
  const jobNode = (job: JobRecord): JobsNode => ({ type: 'job', cluster: e.cluster, job });
  if (e.kind === 'job') {
    const job = e.records[0]!;
    if (!started(job)) return [];
    return [
      { title: 'Open Log', command: 'hpcGeo.tailLog', node: jobNode(job) },
      { title: 'Resource Usage', command: 'hpcGeo.showJobUsage', node: jobNode(job) },
    ];
  }
  // the log worth reading first: the first task that failed, else the first that ran
  const tasks = e.records.filter((t) => started(t) && /^\d+$/.test(t.arrayTaskId ?? ''));
  const first = tasks.find((t) => isFailure(t.state)) ?? tasks[0];
  const arrayNode: JobsNode | undefined = e.entry ? { type: 'array', cluster: e.cluster, entry: e.entry } : undefined;
  const actions: NotificationAction[] = [];
  if (first) actions.push({ title: 'Open Log', command: 'hpcGeo.tailLog', node: jobNode(first) });
  if (arrayNode && tasks.length) actions.push({ title: 'Resource Usage', command: 'hpcGeo.showJobUsage', node: arrayNode });
  if (arrayNode && e.failed) actions.push({ title: 'Resubmit Failed', command: 'hpcGeo.resubmitFailed', node: arrayNode });
  return actions;
}
