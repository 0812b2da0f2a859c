import type * as vscode from 'vscode';

/**
 * The extension's heavier parts are bundles of their own in dist/, loaded the first time they
 * are needed, so that activation stays small: ssh.js (ssh2), languageClient.js
 * (vscode-languageclient), workspaceConfig.js (yaml).
 */
export function loadBundle<T>(context: vscode.ExtensionContext, name: 'ssh' | 'languageClient' | 'workspaceConfig'): T {
  return require(context.asAbsolutePath(`dist/${name}.js`)) as T;
}
