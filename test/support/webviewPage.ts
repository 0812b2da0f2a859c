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

const PANEL_SOURCE: Record<PageName, string> = { logTail: 'extension/src/logs/logTailPanel.ts', progress: 'extension/src/progress/progressPanel.ts' };

/** The page body the panel writes (its BODY constant). */
function bodyOf(page: PageName): string {
  return /const BODY = `([\s\S]*?)`;/.exec(readFileSync(join(repoRoot, PANEL_SOURCE[page]), 'utf8'))![1]!;
}

export interface PageServer {
  open(browser: Browser, page: PageName, viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }>;
  close(): void;
}

export async function servePages(): Promise<PageServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const name = url.pathname.slice(1).replace(/\.html$/, '') as PageName;
    if (url.pathname.endsWith('.html') && name in PANEL_SOURCE) {
      res.setHeader('content-type', 'text/html');
      // the CSP the panels give their pages (extension/src/webviews/html.ts), nonce aside
      res.setHeader('content-security-policy', "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; script-src 'self' 'unsafe-inline'");
      res.end(`<!DOCTYPE html><html><head><link rel="stylesheet" href="/${name}.css"><script>
        window.posted = []; window.state = undefined;
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => window.state, setState: (s) => { window.state = s; } });
        window.send = (m) => window.dispatchEvent(new MessageEvent('message', { data: m }));
      </script></head><body>${bodyOf(name)}<script type="module" src="/${name}.js"></script></body></html>`);
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
    async open(browser, page, viewport = { width: 1200, height: 700 }) {
      const p = await browser.newPage({ viewport });
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      await p.goto(`${base}/${page}.html`);
      await p.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
      return { page: p, errors };
    },
    close: () => server.close(),
  };
}
