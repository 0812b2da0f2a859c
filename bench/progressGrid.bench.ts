/**
 * The progress page with a 1,000-task array (Slurm's default MaxArraySize is 1001): the time from
 * a refresh's rows arriving to the frame after they are drawn, with only the rows on screen in the
 * page, beside the same toolkit rows all put in the page (how the grid was drawn before).
 */
import { launch, browserMissing } from '../test/support/browser';
import { servePages } from '../test/support/webviewPage';
import { median, type Bench } from './types';

const TASKS = 1000;
const RUNS = 9;

const bench: Bench = {
  name: 'progress grid',
  async run() {
    const missing = browserMissing();
    if (missing) return [{ metric: 'progress grid', value: NaN, unit: '', note: missing }];
    const pages = await servePages();
    const browser = await launch();
    try {
      const { page } = await pages.open(browser, 'progress', { width: 1400, height: 800 });
      const stages = ['Download CDL', 'Zonal stats', 'GeoJSON streaming', 'Tippecanoe', 'PMTiles', 'Upload', 'Manifest'];
      const rows = (run: number) =>
        Array.from({ length: TASKS }, (_, i) => ({ key: String(i), cells: stages.map((_, j) => (j < (i + run) % 8 ? 'done' : 'pending')), currentStage: 'Tippecanoe', percent: (i + run) % 100, elapsedSeconds: 60 + run, lastLine: `task ${i}: ${run} tiles written`, missing: false }));
      await page.evaluate((m) => (window as unknown as { send(m: unknown): void }).send(m), { type: 'init', title: 'lab: array', stages });
      // functions are written inline in the page scripts: the bench's compiler would name them with a helper the page lacks
      const ours: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const message = { type: 'rows', updated: Date.now(), bytesMoved: 0, rows: rows(run) };
        ours.push(await page.evaluate(async (m) => {
          const t0 = performance.now();
          (window as unknown as { send(m: unknown): void }).send(m);
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return performance.now() - t0;
        }, message));
      }
      const inPage = await page.locator('vscode-data-grid-row:not(.header)').count();
      const whole: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        whole.push(await page.evaluate(async ([tasks, run]) => {
          const grid = document.getElementById('grid')!;
          const drawn = [...grid.querySelectorAll('vscode-data-grid-row:not(.header)')].map((r) => r.outerHTML);
          const header = grid.querySelector('vscode-data-grid-row.header')!.outerHTML;
          const html = header + Array.from({ length: tasks }, (_, i) => drawn[(i + run) % drawn.length]).join('');
          const t0 = performance.now();
          grid.innerHTML = html;
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return performance.now() - t0;
        }, [TASKS, run] as const));
      }
      const times = { ours, whole, inPage };
      return [
        {
          metric: `refresh of a ${TASKS.toLocaleString('en-US')}-task array, rows arrive → drawn`,
          value: median(times.ours),
          unit: 'ms',
          alternative: { name: 'every row in the page', value: median(times.whole) },
          note: `median of ${RUNS}; ${times.inPage} rows in the page at 1400×800`,
        },
      ];
    } finally {
      await browser.close();
      pages.close();
    }
  },
};

export default bench;
