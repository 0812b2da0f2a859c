import * as vscode from 'vscode';
import type { ClusterManager } from '../clusters/clusterManager';
import { expandHostnames } from '../clusters/hostnames';
import type { Log } from '../log';
import type { ClusterRunner } from '../ssh/types';
import { jobShellArgv, JobShellTerminal } from './jobShellTerminal';
import type { SingleJobTarget } from '../../../common/slurm/targets';
import { PICK_OPTIONS } from '../picks';

/** Opens shells in running jobs: over SSH in a terminal of ours; on this machine, srun in a plain terminal. */
export class JobShells {
  constructor(
    private readonly clusters: ClusterManager,
    private readonly log: Log,
  ) {}

  async open(t: SingleJobTarget): Promise<void> {
    const cluster = this.clusters.find(t.cluster);
    if (!cluster) throw new Error(`There is no cluster named ${t.cluster} any more.`);
    const runner: ClusterRunner = await this.clusters.runner(cluster, { user: true });
    const node = await this.pickNode(runner, t);
    if (node === null) return;
    const argv = jobShellArgv(t.job.jobId, node);
    const name = `${t.job.jobId} on ${node ?? t.job.nodeList ?? t.cluster}`;
    if (!runner.pty) {
      vscode.window.createTerminal({ name, shellPath: argv[0]!, shellArgs: argv.slice(1) }).show();
      return;
    }
    const pty = runner.pty.bind(runner);
    const shell = new JobShellTerminal((size) => pty(argv, size), `job ${t.job.jobId}`);
    const terminal = vscode.window.createTerminal({ name, pty: shell });
    const scope = this.clusters.whileConnected(t.cluster, { dispose: () => shell.end(`Disconnected from ${t.cluster}.`) }, 'job shell');
    const closed = vscode.window.onDidCloseTerminal((x) => {
      if (x !== terminal) return;
      closed.dispose();
      scope.dispose();
    });
    this.log.info(`${t.cluster}: shell in job ${t.job.jobId}${node ? ` on ${node}` : ''}`);
    terminal.show();
  }

  /** The node of a job on several nodes (asked); undefined for a one-node job; null when the person cancelled. */
  private async pickNode(runner: ClusterRunner, t: SingleJobTarget): Promise<string | undefined | null> {
    const list = t.job.nodeList;
    if (!list || !/[,[]/.test(list)) return list || undefined;
    const nodes = await expandHostnames(runner, list, (m) => this.log.warn(m));
    if (nodes.length < 2) return nodes[0];
    const picked = await vscode.window.showQuickPick(nodes, { ...PICK_OPTIONS, placeHolder: `Job ${t.job.jobId} runs on ${nodes.length} nodes: open the shell on which?` });
    return picked ?? null;
  }
}
