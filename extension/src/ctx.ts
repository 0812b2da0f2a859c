import * as vscode from 'vscode';
import { ClusterManager } from './clusters/clusterManager';
import { Forwards } from './clusters/forwards';
import { PartitionsView } from './clusters/partitionsView';
import { commandTable } from './commands';
import { lostRow, rowMenuCommands, type Menus } from './commands/rows';
import { Config } from './config';
import { JobNotifier } from './jobs/jobNotifier';
import { JobsController } from './jobs/jobsController';
import { LogsController } from './logs/logsController';
import { ProgressController } from './progress/progressController';
import { ClusterFactsFeed } from './lint/clusterFacts';
import { LintClient } from './lint/lintClient';
import { Disposable } from './lifecycle';
import { Log } from './log';
import { SbatchDetector } from './sbatchDetector';

/**
 * Owns everything the extension creates for its lifetime. Building it reads settings and
 * registers providers; it opens no connection and touches no file.
 */
export class Ctx extends Disposable {
  readonly log = this.register(new Log());
  readonly config = new Config();
  readonly clusters: ClusterManager;
  readonly forwards: Forwards;
  readonly partitions: PartitionsView;
  readonly jobs: JobsController;
  readonly logs: LogsController;
  readonly progress: ProgressController;

  constructor(readonly extension: vscode.ExtensionContext) {
    super();
    this.clusters = this.register(new ClusterManager(extension, this.config, this.log));
    this.jobs = this.register(new JobsController(extension, this.clusters, this.config, this.log));
    this.partitions = this.register(
      new PartitionsView(this.clusters, this.log, (listener) => {
        this.jobs.service.on('change', listener);
        return { dispose: () => this.jobs.service.off('change', listener) };
      }),
    );
    this.forwards = this.register(new Forwards(this.clusters, (c) => this.jobs.service.jobs(c)?.current ?? [], this.log));
    this.register(new JobNotifier(this.jobs.service, this.config, extension.workspaceState));
    this.logs = this.register(new LogsController(extension, this.clusters, this.jobs, this.config, this.log));
    this.progress = this.register(new ProgressController(extension, this.clusters, this.jobs, this.logs, this.log));
    const rowCommands = rowMenuCommands((extension.extension.packageJSON as { contributes?: { menus?: Menus } } | undefined)?.contributes?.menus ?? {});
    for (const [id, handler] of Object.entries(commandTable)) {
      const onRows = rowCommands.has(id);
      this.register(vscode.commands.registerCommand(id, (...args: unknown[]) => this.run(id, () => (onRows && lostRow(args) ? tellLostRow() : handler(this, ...args)))));
    }
    this.register(new SbatchDetector(this.config));
    const lint = this.register(new LintClient(extension, this.log));
    this.register(new ClusterFactsFeed(this.clusters, lint, this.log));
  }

  /** Runs a command handler through the one error path: logged with its cause, shown with "Show Log". */
  async run(id: string, handler: () => unknown): Promise<unknown> {
    try {
      return await handler();
    } catch (error) {
      await this.log.showError(id, error);
      return undefined;
    }
  }
}

function tellLostRow(): void {
  void vscode.window.showInformationMessage('The row you chose that on changed while its menu was open (the job started, ended or moved), so nothing was done. Choose it again where the Jobs view shows it now.');
}
