import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launch } from '../support/browser';
import { repoRoot } from '../support/manifest';

/**
 * The built webview pages in a real browser, with a stand-in for VS Code's webview API: what the
 * page posts is recorded, what the host would send is posted to it.
 */
function bodyOf(panelSource: string): string {
  return /const BODY = `([\s\S]*?)`;/.exec(readFileSync(join(repoRoot, panelSource), 'utf8'))![1]!;
}

describe('webview pages in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: Server;
  let base: string;

  before(async function () {
    const missing = browserMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const page = url.pathname.slice(1).replace(/\.html$/, '');
      if (url.pathname.endsWith('.html')) {
        const body = bodyOf(page === 'logTail' ? 'extension/src/logs/logTailPanel.ts' : 'extension/src/progress/progressPanel.ts');
        res.setHeader('content-type', 'text/html');
        // the CSP the panels give their pages (extension/src/webviews/html.ts), nonce aside
        res.setHeader('content-security-policy', "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; script-src 'self' 'unsafe-inline'");
        res.end(`<!DOCTYPE html><html><head><link rel="stylesheet" href="/${page}.css"><script>
          window.posted = []; window.state = undefined;
          window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => window.state, setState: (s) => { window.state = s; } });
          window.send = (m) => window.dispatchEvent(new MessageEvent('message', { data: m }));
        </script></head><body style="height:600px">${body}<script type="module" src="/${page}.js"></script></body></html>`);
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
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function open(page: string): Promise<Page> {
    const p = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(`${base}/${page}.html`);
    await p.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
    assert.deepEqual(errors, []);
    return p;
  }

  it('log tail: says ready, renders only the visible rows of 50,000 lines, marks failures, searches and jumps to errors', async () => {
    const p = await open('logTail');
    assert.deepEqual(await p.evaluate(() => (window as unknown as { posted: unknown[] }).posted), [{ type: 'ready' }]);
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', cluster: 'betzy', path: '/cluster/work/logs/year_2014.log', maxLines: 40000 });
      const lines = Array.from({ length: 50000 }, (_, i) => ({ text: `2026-11-20 INFO tile ${i} written` }));
      lines[45000] = { text: 'Internal error: 745 shards not a power of 2' };
      w.send({ type: 'lines', lines, open: { text: 'progress 45%' } });
      w.send({ type: 'status', status: 'following', bytesMoved: 123456 });
    });
    await p.waitForSelector('.row');
    const rendered = await p.locator('.row').count();
    const tops = await p.locator('.row').evaluateAll((rs) => new Set(rs.map((r) => (r as HTMLElement).style.top)).size);
    assert.equal(tops, rendered, 'every row at its own position (CSP allows CSSOM, not style attributes)');
    assert.ok(rendered > 10 && rendered < 200, `${rendered} rows in the DOM for 40,000 lines; viewport ${await p.evaluate(() => { const v = document.getElementById('viewport')!; return `${v.clientHeight} ${v.scrollTop} ${v.scrollHeight}`; })}`);
    assert.match((await p.locator('#status').textContent())!, /Following · 121 KiB read · 10,000 older lines dropped · 40,000 lines/);
    assert.match((await p.locator('.row').last().textContent())!, /progress 45%/, 'scrolled to the end, the open line last');
    await p.locator('#next').click();
    await p.waitForSelector('.row.fail');
    assert.match((await p.locator('.row.fail').first().textContent())!, /shards not a power of 2/);
    await p.locator('#search input, #search').first().type('tile 3999');
    await p.locator('#filter').click();
    await p.waitForFunction(() => document.querySelectorAll('.row').length === 10 && document.querySelectorAll('.row .match').length === 10);
    assert.match((await p.locator('.row .match').first().textContent())!, /^tile 3999$/);
    assert.deepEqual(await p.evaluate(() => (window as unknown as { state: unknown }).state), { cluster: 'betzy', path: '/cluster/work/logs/year_2014.log' });
    await p.locator('#pause').click();
    assert.deepEqual((await p.evaluate(() => (window as unknown as { posted: unknown[] }).posted)).at(-1), { type: 'pause' });
  });

  it('progress: a grid of years × stages, failed cells link to the failing line', async () => {
    const p = await open('progress');
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', title: 'betzy: fields-pipeline', stages: ['Download CDL', 'Zonal stats', 'Tippecanoe'] });
      w.send({ type: 'rows', updated: Date.now(), bytesMoved: 2048, rows: [
        { key: '2012', cells: ['done', 'done', 'done'], currentStage: 'Tippecanoe', elapsedSeconds: 16000, lastLine: 'manifest updated', missing: false },
        { key: '2013', cells: ['skipped', 'skipped', 'running'], currentStage: 'Tippecanoe', percent: 67.3, lastLine: '67.3% 14/2987/6017', missing: false },
        { key: '2014', cells: ['done', 'done', 'failed'], currentStage: 'Tippecanoe', failedLine: 'Internal error: 745 shards not a power of 2', lastLine: 'Internal error: 745 shards not a power of 2', missing: false },
      ] });
    });
    await p.waitForSelector('.state.failed');
    assert.equal(await p.locator('vscode-data-grid-row').count(), 4);
    assert.equal(await p.locator('.state.done').count(), 5);
    assert.equal(await p.locator('.state.skipped').count(), 2);
    assert.match((await p.locator('vscode-data-grid-row').nth(2).textContent())!, /67%/);
    await p.locator('.state.failed a').click();
    assert.deepEqual((await p.evaluate(() => (window as unknown as { posted: unknown[] }).posted)).at(-1), { type: 'openLog', key: '2014', line: 'Internal error: 745 shards not a power of 2' });
  });
});
