import * as vscode from 'vscode';
import { HEADER_WINDOW_LINES, hasSbatchDirectives } from '../../common/sbatch/header';
import type { Config } from './config';
import { Disposable } from './lifecycle';

/**
 * Shell scripts whose header carries `#SBATCH` become `sbatch` documents (highlighting, linting).
 * Works on the text VS Code already holds: no disk access.
 */
export class SbatchDetector extends Disposable {
  constructor(private readonly config: Config) {
    super();
    this.register(vscode.workspace.onDidOpenTextDocument((doc) => void this.check(doc)));
    for (const doc of vscode.workspace.textDocuments) void this.check(doc);
  }

  private async check(doc: vscode.TextDocument): Promise<void> {
    if (doc.languageId !== 'shellscript' || !this.config.get('sbatch.detectFromContent')) return;
    const end = Math.min(doc.lineCount, HEADER_WINDOW_LINES);
    const head = doc.getText(new vscode.Range(0, 0, end, 0));
    if (!hasSbatchDirectives(head)) return;
    try {
      await vscode.languages.setTextDocumentLanguage(doc, 'sbatch');
    } catch {
      // the document was closed in the meantime; nothing to do
    }
  }
}
