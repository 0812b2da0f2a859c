import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Only the built pages may load into a panel. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

/**
 * A page's HTML: its script and stylesheet from dist/webview, a strict Content-Security-Policy
 * (nothing but those files, scripts only with this page's nonce).
 */
export function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: string, body: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (ext: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${page}.${ext}`));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('css')}">
</head>
<body>
${body}
<script type="module" nonce="${nonce}" src="${asset('js')}"></script>
</body>
</html>`;
}
