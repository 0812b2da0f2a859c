import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { BINARY_LANGUAGE, CLUSTER_FACTS_NOTIFICATION, isScriptFileName, type ClusterFacts } from '../../../common/lint/protocol';
import type { createLanguageClient } from './languageClientMain';
import { loadBundle } from '../bundles';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { PICK_OPTIONS } from '../picks';

const LINTED_LANGUAGES = ['sbatch', 'apptainer', 'shellscript'];

/**
 * The client of the HPC Geo language server (dist/server.js, over Node IPC). It starts the first
 * time a document it lints is open, not at activation: opening the Jobs view costs nothing here.
 */
export class LintClient extends Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  /** The newest facts per cluster: sent again when the server (re)starts. */
  private readonly facts = new Map<string, ClusterFacts>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {
    super();
    this.register(vscode.workspace.onDidOpenTextDocument((doc) => this.startFor(doc)));
    for (const doc of vscode.workspace.textDocuments) this.startFor(doc);
  }

  private startFor(doc: vscode.TextDocument): void {
    if (LINTED_LANGUAGES.includes(doc.languageId) || (doc.languageId === BINARY_LANGUAGE && isScriptFileName(doc.uri.path))) void this.start();
  }

  start(): Promise<void> {
    this.starting ??= this.launch().catch((error: unknown) => {
      this.starting = undefined;
      void this.log.showError('The HPC Geo language server did not start', error);
    });
    return this.starting;
  }

  private async launch(): Promise<void> {
    const { createLanguageClient: create } = loadBundle<{ createLanguageClient: typeof createLanguageClient }>(this.context, 'languageClient');
    const watcher = this.register(vscode.workspace.createFileSystemWatcher('**/.hpc-geo.yaml'));
    this.client = create(this.context.asAbsolutePath('dist/server.js'), watcher, LINTED_LANGUAGES);
    this.register({ dispose: () => void this.client?.stop() });
    await this.client.start();
    this.log.info('language server started');
    for (const f of this.facts.values()) await this.notifyFacts(f);
  }

  /**
   * Tells the language server what a cluster has (its partitions from `sinfo`, the accounts when
   * known), so that completion offers them: call on connect and whenever they change, and with
   * `connected: false` on disconnect. Kept and sent once the server runs if it does not yet.
   */
  sendClusterFacts(facts: ClusterFacts): void {
    this.facts.set(facts.cluster, facts);
    if (this.client?.isRunning()) void this.notifyFacts(facts);
  }

  private async notifyFacts(facts: ClusterFacts): Promise<void> {
    try {
      await this.client?.sendNotification(CLUSTER_FACTS_NOTIFICATION, facts);
    } catch (error) {
      this.log.warn(`could not tell the language server about ${facts.cluster}'s partitions: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Opens a rule's documentation page (shipped in docs/rules/) in the Markdown preview. */
export async function showRuleDocumentation(context: vscode.ExtensionContext, id?: unknown): Promise<void> {
  const dir = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules');
  let rule = typeof id === 'string' ? id : undefined;
  if (!rule) {
    const entries = await vscode.workspace.fs.readDirectory(dir);
    const ids = entries.map(([name]) => name).filter((n) => n.endsWith('.md') && n !== 'README.md').map((n) => n.slice(0, -3)).sort();
    rule = await vscode.window.showQuickPick(ids, { ...PICK_OPTIONS, title: 'HPC Geo: rule documentation', placeHolder: 'Rule id' });
    if (!rule) return;
  }
  if (!/^[a-z0-9-]+$/.test(rule)) throw new Error(`'${rule}' is not a rule id`);
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(dir, `${rule}.md`));
}
