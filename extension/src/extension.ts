import * as vscode from 'vscode';
import { Ctx } from './ctx';
import { describeError } from './log';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  try {
    ctx = new Ctx(context);
    context.subscriptions.push(ctx);
  } catch (error) {
    ctx?.dispose();
    ctx = undefined;
    void vscode.window.showErrorMessage(`HPC Geo could not start: ${describeError(error)}`);
  }
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
