import type * as vscode from 'vscode';
import type { SubmitRecord } from './jobActions';
import { submitsKey } from './jobNotifier';

/** How many submissions are remembered per cluster. */
const KEPT = 500;

/**
 * What HPC Geo submitted to each cluster, kept in the workspace's state (the notifier reads it to
 * tell the ends of these jobs; Open Log and Resubmit Failed read what was recorded at submit).
 */
export class Submits {
  constructor(private readonly state: vscode.Memento) {}

  all(cluster: string): SubmitRecord[] {
    const records = this.state.get<SubmitRecord[]>(submitsKey(cluster));
    return Array.isArray(records) ? records : [];
  }

  /** The record of a job or of the array a task belongs to (`45_3` → 45). */
  find(cluster: string, jobId: string): SubmitRecord | undefined {
    const id = jobId.split('_')[0];
    return this.all(cluster).find((r) => r.jobId === id);
  }

  async remember(cluster: string, record: SubmitRecord): Promise<void> {
    await this.state.update(submitsKey(cluster), [record, ...this.all(cluster)].slice(0, KEPT));
  }
}
