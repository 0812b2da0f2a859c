import { strict as assert } from 'node:assert';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launch } from '../support/browser';
import { servePages, type PageName, type PageServer } from '../support/webviewPage';

/**
 * The built webview pages in a real browser, with a stand-in for VS Code's webview API: what the
 * page posts is recorded, what the host would send is posted to it.
 */
describe('webview pages in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let pages: PageServer;

  before(async function () {
    const missing = browserMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    pages = await servePages();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    pages?.close();
  });

  async function open(name: PageName, viewport?: { width: number; height: number }): Promise<Page> {
    const { page, errors } = await pages.open(browser, name, viewport);
    assert.deepEqual(errors, []);
    return page;
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
    const search = { text: 'tile 3999', regex: false, onlyMatching: true };
    assert.deepEqual(await p.evaluate(() => (window as unknown as { state: unknown }).state), { cluster: 'betzy', path: '/cluster/work/logs/year_2014.log', search });
    await p.locator('#pause').click();
    assert.deepEqual((await p.evaluate(() => (window as unknown as { posted: unknown[] }).posted)).at(-1), { type: 'pause' });
    // VS Code reloads a hidden page when its tab is shown again: the search and "Only matching" stay (a newcomer's try, issue 15)
    await p.reload();
    await p.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
    assert.equal(await p.locator('#search').evaluate((e) => (e as HTMLInputElement).value), 'tile 3999');
    assert.equal(await p.locator('#filter').evaluate((e) => (e as HTMLInputElement).checked), true);
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', cluster: 'betzy', path: '/cluster/work/logs/year_2014.log', maxLines: 40000 });
      w.send({ type: 'lines', lines: Array.from({ length: 5000 }, (_, i) => ({ text: `2026-11-20 INFO tile ${i} written` })) });
    });
    await p.waitForFunction(() => document.querySelectorAll('.row').length === 1 && document.querySelectorAll('.row .match').length === 1);
    assert.deepEqual((await p.evaluate(() => (window as unknown as { state: { search: unknown } }).state)).search, search);
  });

  it('log tail: refuses a regex search that can backtrack, saying why, and matches a safe one on long lines in bounded time', async () => {
    const p = await open('logTail');
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', cluster: 'lab', path: 'hostile.log', maxLines: 1000 });
      // what (a+)+$ takes exponential time on, and a long line with a match at its start
      w.send({ type: 'lines', lines: [{ text: `${'a'.repeat(40)}!` }, { text: `needle ${'b'.repeat(16000)}` }, { text: 'plain line' }] });
    });
    await p.waitForSelector('.row');
    await p.locator('#regex').click();
    const t0 = Date.now();
    await p.locator('#search input, #search').first().type('(a+)+$');
    await p.waitForFunction(() => !document.getElementById('searchError')!.hidden);
    assert.ok(Date.now() - t0 < 20_000, 'the page stayed responsive');
    assert.match((await p.locator('#searchError').textContent())!, /exponential|polynomial|quadratic/);
    assert.equal(await p.locator('.row .match').count(), 0, 'a refused regex marks nothing');
    // the message makes the bar taller: the first line is still shown below it, not behind it
    const [barBottom, firstTop] = await p.evaluate(() => [document.querySelector('.bar')!.getBoundingClientRect().bottom, document.querySelector('.row')!.getBoundingClientRect().top]);
    assert.ok(firstTop! >= barBottom!, `the first line (top ${firstTop}) is below the bar (bottom ${barBottom})`);
    for (let k = 0; k < '(a+)+$'.length; k++) await p.keyboard.press('Backspace');
    await p.keyboard.type('needle b+');
    await p.waitForFunction(() => document.getElementById('searchError')!.hidden && document.querySelectorAll('.row .match').length === 1);
    assert.ok(Date.now() - t0 < 20_000, 'within a wide budget');
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

  it('progress: a 1,000-task array puts only the rows on screen in the page, and scrolls to every task', async () => {
    const p = await open('progress');
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', title: 'lab: array 4242', stages: ['Task'] });
      const rows = Array.from({ length: 1000 }, (_, i) => ({ key: String(i), cells: [i === 998 ? 'failed' : 'done'], currentStage: 'Task', lastLine: `task ${i} done`, missing: false, ...(i === 998 ? { failedLine: 'CUDA error: out of memory' } : {}) }));
      w.send({ type: 'rows', updated: Date.now(), bytesMoved: 4096, rows });
    });
    const keys = () => p.locator('vscode-data-grid-row:not(.header) a[data-key]').evaluateAll((as) => as.map((a) => (a as HTMLElement).dataset['key']));
    await p.waitForSelector('vscode-data-grid-row:not(.header)');
    const first = await keys();
    assert.equal(first[0], '0');
    assert.ok(first.length > 10 && first.length < 100, `${first.length} rows in the page for 1,000 tasks`);
    const viewport = p.locator('#viewport');
    const { scrollHeight, rowHeight } = await viewport.evaluate((v) => ({ scrollHeight: v.scrollHeight, rowHeight: v.querySelector('vscode-data-grid-row:not(.header)')!.getBoundingClientRect().height }));
    assert.ok(scrollHeight >= 1000 * rowHeight, `scroll height ${scrollHeight} holds 1,000 rows of ${rowHeight} px`);
    await viewport.evaluate((v) => (v.scrollTop = v.scrollHeight));
    await p.waitForFunction(() => [...document.querySelectorAll('vscode-data-grid-row a[data-key]')].some((a) => (a as HTMLElement).dataset['key'] === '999'));
    const last = await keys();
    assert.ok(last.length < 100 && !last.includes('0'), 'the rows on screen replace the ones scrolled away');
    assert.equal(await p.locator('vscode-data-grid-row.header').isVisible(), true, 'the header stays on top');
    await p.locator('.state.failed a').click();
    assert.deepEqual((await p.evaluate(() => (window as unknown as { posted: unknown[] }).posted)).at(-1), { type: 'openLog', key: '998', line: 'CUDA error: out of memory' });
  });

  // an editor of about 800 px, as on a laptop with the sidebar open
  const NARROW = { width: 800, height: 600 };

  it('log tail at 800 px: the bar wraps above the rows, never over them, and "Only matching" lets the first match be scrolled to', async () => {
    const p = await open('logTail', NARROW);
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', cluster: 'lab', path: '/home/hpcgeo/hpc-geo-jobs/fields-2014_42.out', maxLines: 10000 });
      const lines = Array.from({ length: 5000 }, (_, i) => ({ text: `2026-11-20 INFO tile ${i} written` }));
      lines[0] = { text: 'ERROR the first match, on the first line' };
      lines[4000] = { text: 'ERROR the last match' };
      w.send({ type: 'lines', lines });
      w.send({ type: 'status', status: 'following', bytesMoved: 123456 });
    });
    await p.waitForSelector('.row');
    const geometry = () => p.evaluate(() => {
      const bar = document.querySelector('.bar')!.getBoundingClientRect();
      const view = document.getElementById('viewport')!.getBoundingClientRect();
      const first = [...document.querySelectorAll('.row')].map((r) => r.getBoundingClientRect()).sort((a, b) => a.top - b.top).find((r) => r.bottom > view.top);
      return { barBottom: bar.bottom, barHeight: bar.height, viewTop: view.top, firstTop: first?.top ?? NaN };
    });
    const g = await geometry();
    assert.ok(g.barHeight > 40, `the bar wraps at 800 px (height ${g.barHeight}), which is what this test is about`);
    assert.ok(g.viewTop >= g.barBottom, `the rows' area (top ${g.viewTop}) starts below the bar (bottom ${g.barBottom})`);
    await p.locator('#search input, #search').first().type('ERROR');
    await p.locator('#filter').click();
    await p.waitForFunction(() => document.querySelectorAll('.row').length === 2);
    await p.locator('#viewport').evaluate((v) => (v.scrollTop = 0));
    await p.waitForFunction(() => document.querySelector('.row')?.textContent?.includes('the first match'));
    const shown = await p.evaluate(() => {
      const bar = document.querySelector('.bar')!.getBoundingClientRect();
      const view = document.getElementById('viewport')!.getBoundingClientRect();
      const row = [...document.querySelectorAll('.row')].find((r) => r.textContent!.includes('the first match'))!;
      const r = row.getBoundingClientRect();
      // what is drawn at the row's middle is the row itself, not the bar
      const hit = document.elementFromPoint(r.left + 40, (r.top + r.bottom) / 2);
      return { top: r.top, bottom: r.bottom, barBottom: bar.bottom, viewBottom: view.bottom, hit: !!hit && row.contains(hit) };
    });
    assert.ok(shown.top >= shown.barBottom && shown.bottom <= shown.viewBottom, `the first match (${shown.top}–${shown.bottom}) is in view below the bar (${shown.barBottom})`);
    assert.ok(shown.hit, 'the first match is what is drawn where it stands');
  });

  it('log tail: says the job ended, and how, in place of "Following"; a requeued job is followed again', async () => {
    const p = await open('logTail', NARROW);
    const status = () => p.locator('#status').textContent();
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', cluster: 'lab', path: 'fields-42.out', jobId: '42', maxLines: 1000 });
      w.send({ type: 'lines', lines: [{ text: 'manifest updated' }] });
      w.send({ type: 'status', status: 'following', bytesMoved: 2048 });
      w.send({ type: 'job', job: { jobId: '42', ended: false } });
    });
    await p.waitForSelector('.row');
    assert.match((await status())!, /^Following · 2 KiB read · 1 lines$/);
    assert.deepEqual(await p.evaluate(() => (window as unknown as { state: unknown }).state), { cluster: 'lab', path: 'fields-42.out', jobId: '42' }, 'a restored panel knows its job');
    await p.evaluate(() => (window as unknown as { send(m: unknown): void }).send({ type: 'job', job: { jobId: '42', ended: true } }));
    assert.match((await status())!, /^Job 42 left the queue — showing the file · 2 KiB read/);
    await p.evaluate(() => (window as unknown as { send(m: unknown): void }).send({ type: 'job', job: { jobId: '42', ended: true, state: 'COMPLETED', exitCode: '0:0' } }));
    assert.match((await status())!, /^Job 42 ended \(COMPLETED\) — showing the file · 2 KiB read · 1 lines$/);
    await p.evaluate(() => (window as unknown as { send(m: unknown): void }).send({ type: 'job', job: { jobId: '42', ended: true, state: 'FAILED', exitCode: '3:0' } }));
    assert.match((await status())!, /^Job 42 ended \(FAILED, exit code 3\) — showing the file/);
    await p.evaluate(() => (window as unknown as { send(m: unknown): void }).send({ type: 'status', status: 'paused', bytesMoved: 2048 }));
    assert.match((await status())!, /^Paused · Job 42 ended \(FAILED, exit code 3\) · 2 KiB read/);
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'status', status: 'following', bytesMoved: 4096 });
      w.send({ type: 'job', job: { jobId: '42', ended: false } });
    });
    assert.match((await status())!, /^Following · 4 KiB read/);
  });

  it('log tail: a job that ended before writing its log says so instead of waiting', async () => {
    const p = await open('logTail', NARROW);
    await p.evaluate(() => {
      const w = window as unknown as { send(m: unknown): void };
      w.send({ type: 'init', cluster: 'lab', path: 'never-43.out', jobId: '43', maxLines: 1000 });
      w.send({ type: 'status', status: 'waiting', detail: 'never-43.out is not there yet', bytesMoved: 0 });
    });
    assert.match((await p.locator('#status').textContent())!, /^Waiting for the file: never-43.out is not there yet/);
    await p.evaluate(() => (window as unknown as { send(m: unknown): void }).send({ type: 'job', job: { jobId: '43', ended: true, state: 'CANCELLED' } }));
    assert.match((await p.locator('#status').textContent())!, /^Job 43 ended \(CANCELLED\) without writing this log · 0 KiB read/);
    // a stopped page follows nothing: Reopen in place of Pause (issue 10)
    assert.ok(await p.locator('#pause').isVisible(), 'Pause while it waits');
    await p.evaluate(() => (window as unknown as { send(m: unknown): void }).send({ type: 'status', status: 'stopped', detail: 'tail ended', bytesMoved: 0 }));
    assert.ok(await p.locator('#reopen').isVisible());
    assert.ok(!(await p.locator('#pause').isVisible()), 'no Pause on a stopped page');
  });

  const PIPELINE = ['Download CDL', 'Zonal stats', 'GeoJSON streaming', 'Tippecanoe', 'PMTiles', 'Upload', 'Manifest'];

  for (const viewport of [NARROW, { width: 1920, height: 1000 }]) {
    it(`progress at ${viewport.width} px: no header breaks a word, every name is there whole, and % shows 100% in full`, async () => {
      const p = await open('progress', viewport);
      await p.evaluate((stages) => {
        const w = window as unknown as { send(m: unknown): void };
        w.send({ type: 'init', title: 'lab: fields-pipeline', stages });
        const rows = Array.from({ length: 14 }, (_, i) => ({ key: String(2008 + i), cells: stages.map((_, j) => (j < i % 8 ? 'done' : 'pending')), currentStage: stages[i % 7], percent: i === 0 ? 100 : i * 7, elapsedSeconds: 3600 * 13 + 59 * 60, lastLine: `tile ${i} written`, missing: false }));
        w.send({ type: 'rows', updated: Date.now(), bytesMoved: 4096, rows });
      }, PIPELINE);
      await p.waitForSelector('vscode-data-grid-row:not(.header)');
      const headers = await p.evaluate(() => [...document.querySelectorAll('vscode-data-grid-row.header vscode-data-grid-cell')].map((cell) => {
        const box = cell.getBoundingClientRect();
        const words: { word: string; pieces: number; inside: boolean }[] = [];
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
          for (const m of t.data.matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(t, m.index!);
            range.setEnd(t, m.index! + m[0].length);
            const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
            // a word broken over lines has a box on each line
            words.push({ word: m[0], pieces: rects.length, inside: rects.every((r) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1) });
          }
        }
        return { text: cell.textContent!.trim(), title: cell.getAttribute('title'), words };
      }));
      assert.deepEqual(headers.map((h) => h.text), ['Key', ...PIPELINE, 'Current', '%', 'Elapsed', 'Last line']);
      for (const h of headers) {
        assert.equal(h.title, h.text, `the header "${h.text}" has its full name as its tooltip`);
        for (const w of h.words) {
          assert.equal(w.pieces, 1, `"${w.word}" of the header "${h.text}" is in one piece (${w.pieces})`);
          assert.ok(w.inside, `"${w.word}" of the header "${h.text}" is inside its cell`);
        }
      }
      const cells = await p.locator('vscode-data-grid-row:not(.header) .percent, vscode-data-grid-row:not(.header) .number').evaluateAll((cs) => cs.map((c) => ({ text: c.textContent, scroll: c.scrollWidth, client: c.clientWidth })));
      assert.ok(cells.some((c) => c.text === '100%'), 'a row at 100%');
      assert.ok(cells.some((c) => c.text === '13h 59m'), 'a row at 13h 59m');
      for (const c of cells) assert.ok(c.scroll <= c.client, `"${c.text}" is shown whole (${c.scroll} px of text in ${c.client} px)`);
      const overflow = await p.locator('#viewport').evaluate((v) => v.scrollWidth - v.clientWidth);
      assert.ok(overflow <= 0, `the grid fits the page's width (${overflow} px over)`);
    });
  }
});
