import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';

/**
 * The `hpcGeo.jobs` tree. It lists nothing until a cluster is connected; while it is empty,
 * VS Code shows the view's welcome content (package.json `viewsWelcome`).
 */
export class JobsProvider extends Disposable implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.TreeItem | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }

  getChildren(): vscode.TreeItem[] {
    return [];
  }

  refresh(): void {
    this.changed.fire(undefined);
  }
}
