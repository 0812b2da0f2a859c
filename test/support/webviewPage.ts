/**
 * The built webview pages (dist/webview) served over HTTP with a stand-in for VS Code's webview
 * API, for page tests and benches in Chromium: what the page posts is kept in `window.posted`,
 * `window.send(m)` delivers what the panel would post to it.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from './manifest';

export type PageName = 'logTail' | 'progress';
export type Theme = 'dark' | 'light';

/**
 * The variables VS Code gives a page (Dark Modern and Light Modern), those the pages and the
 * toolkit read, so that a page looks in the harness as it does in a panel; served as a stylesheet
 * because the pages' CSP refuses style attributes.
 */
const THEMES: Record<Theme, Record<string, string>> = {
  dark: {
    'editor-background': '#1f1f1f', foreground: '#cccccc', 'descriptionForeground': '#9d9d9d', 'disabledForeground': '#cccccc80', errorForeground: '#f85149',
    focusBorder: '#0078d4', 'panel-border': '#2b2b2b', 'panel-background': '#181818', 'button-background': '#0078d4', 'button-foreground': '#ffffff',
    'button-hoverBackground': '#026ec1', 'button-border': '#ffffff12', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
    'button-secondaryHoverBackground': '#3c3c3c', 'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'checkbox-foreground': '#cccccc',
    'input-background': '#313131', 'input-foreground': '#cccccc', 'input-placeholderForeground': '#989898', 'dropdown-background': '#313131',
    'dropdown-border': '#3c3c3c', 'dropdown-foreground': '#cccccc', 'badge-background': '#616161', 'badge-foreground': '#f8f8f8',
    'list-hoverBackground': '#2a2d2e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
    'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc', 'charts-green': '#89d185', 'charts-blue': '#3794ff', 'charts-purple': '#b180d7',
    'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100', 'editor-findMatchHighlightBackground': '#ea5c0055',
    'scrollbarSlider-background': '#79797966', 'terminal-ansiBlack': '#000000', 'terminal-ansiRed': '#cd3131', 'terminal-ansiGreen': '#0dbc79',
    'terminal-ansiYellow': '#e5e510', 'terminal-ansiBlue': '#2472c8', 'terminal-ansiMagenta': '#bc3fbc', 'terminal-ansiCyan': '#11a8cd', 'terminal-ansiWhite': '#e5e5e5',
  },
  light: {
    'editor-background': '#ffffff', foreground: '#3b3b3b', 'descriptionForeground': '#3b3b3b', 'disabledForeground': '#61616180', errorForeground: '#f85149',
    focusBorder: '#005fb8', 'panel-border': '#e5e5e5', 'panel-background': '#f8f8f8', 'button-background': '#005fb8', 'button-foreground': '#ffffff',
    'button-hoverBackground': '#0258a8', 'button-border': '#0000001a', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b',
    'button-secondaryHoverBackground': '#cccccc', 'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'checkbox-foreground': '#3b3b3b',
    'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-placeholderForeground': '#767676', 'dropdown-background': '#ffffff',
    'dropdown-border': '#cecece', 'dropdown-foreground': '#3b3b3b', 'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b',
    'list-hoverBackground': '#f2f2f2', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
    'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8', 'charts-green': '#388a34', 'charts-blue': '#1a85ff', 'charts-purple': '#652d90',
    'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100', 'editor-findMatchHighlightBackground': '#ea5c0055',
    'scrollbarSlider-background': '#64646466', 'terminal-ansiBlack': '#000000', 'terminal-ansiRed': '#cd3131', 'terminal-ansiGreen': '#107c10',
    'terminal-ansiYellow': '#949800', 'terminal-ansiBlue': '#0451a5', 'terminal-ansiMagenta': '#bc05bc', 'terminal-ansiCyan': '#0598bc', 'terminal-ansiWhite': '#555555',
  },
};

function themeCss(theme: Theme): string {
  const vars = Object.entries(THEMES[theme]).map(([k, v]) => `--vscode-${k}: ${v};`);
  vars.push(`--vscode-font-family: system-ui, "Ubuntu", "Droid Sans", sans-serif;`, '--vscode-font-size: 13px;', '--vscode-font-weight: normal;');
  vars.push(`--vscode-editor-font-family: "Droid Sans Mono", "monospace", monospace;`, '--vscode-editor-font-size: 14px;');
  // VS Code's own page defaults, before the page's stylesheet
  return `html { ${vars.join(' ')} } body { margin: 0; padding: 0 20px; font-size: var(--vscode-font-size); color: var(--vscode-foreground); font-family: var(--vscode-font-family); }`;
}

const PANEL_SOURCE: Record<PageName, string> = { logTail: 'extension/src/logs/logTailPanel.ts', progress: 'extension/src/progress/progressPanel.ts' };

/** The page body the panel writes (its BODY constant). */
function bodyOf(page: PageName): string {
  return /const BODY = `([\s\S]*?)`;/.exec(readFileSync(join(repoRoot, PANEL_SOURCE[page]), 'utf8'))![1]!;
}

export interface PageServer {
  open(browser: Browser, page: PageName, viewport?: { width: number; height: number }, theme?: Theme): Promise<{ page: Page; errors: string[] }>;
  close(): void;
}

export async function servePages(): Promise<PageServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const name = url.pathname.slice(1).replace(/\.html$/, '') as PageName;
    const theme = (url.searchParams.get('theme') ?? 'dark') as Theme;
    if (url.pathname === '/theme.css' && theme in THEMES) {
      res.setHeader('content-type', 'text/css');
      res.end(themeCss(theme));
      return;
    }
    if (url.pathname.endsWith('.html') && name in PANEL_SOURCE && theme in THEMES) {
      res.setHeader('content-type', 'text/html');
      // the CSP the panels give their pages (extension/src/webviews/html.ts), nonce aside
      res.setHeader('content-security-policy', "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; script-src 'self' 'unsafe-inline'");
      res.end(`<!DOCTYPE html><html><head><link rel="stylesheet" href="/theme.css?theme=${theme}"><link rel="stylesheet" href="/${name}.css"><script>
        window.posted = []; window.state = JSON.parse(sessionStorage.getItem('vscodeState') || 'null') ?? undefined;
        // as VS Code keeps a page's state across its reloads of the page
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => window.state, setState: (s) => { window.state = s; sessionStorage.setItem('vscodeState', JSON.stringify(s)); } });
        window.send = (m) => window.dispatchEvent(new MessageEvent('message', { data: m }));
      </script></head><body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}">${bodyOf(name)}<script type="module" src="/${name}.js"></script></body></html>`);
      return;
    }
    try {
      const file = readFileSync(join(repoRoot, 'dist', 'webview', url.pathname.slice(1)));
      res.setHeader('content-type', url.pathname.endsWith('.css') ? 'text/css' : 'text/javascript');
      res.end(file);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** Opens a page and waits until it has said it is ready. */
    async open(browser, page, viewport = { width: 1200, height: 700 }, theme = 'dark') {
      const p = await browser.newPage({ viewport });
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      await p.goto(`${base}/${page}.html?theme=${theme}`);
      await p.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
      return { page: p, errors };
    },
    close: () => server.close(),
  };
}
