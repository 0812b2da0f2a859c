/**
 * The progress page: keys × stages, each cell's state, the current stage, a percentage where the
 * log carries one, elapsed time and the last line. A failed cell opens the log at the failing line.
 */
import type { ProgressFromPage, ProgressPanelState, ProgressRow, ProgressToPage } from '../../../common/progress/protocol';
import { escapeHtml } from '../html';
import { framePainter, visibleRows } from '../rows';
import { registerToolkit } from '../toolkit';
import { vscodeApi } from '../vscodeApi';
import './progress.css';

registerToolkit();
const api = vscodeApi<ProgressPanelState>();
const post = (m: ProgressFromPage) => api.postMessage(m);
const grid = document.getElementById('grid')!;
const viewport = document.getElementById('viewport')!;
const status = document.getElementById('status')!;
let stages: string[] = [];

const SYMBOL: Record<string, string> = { pending: '·', running: '●', done: '✓', failed: '✗', skipped: '↷' };

function duration(s: number | undefined): string {
  if (s === undefined) return '';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

function rowHtml(r: ProgressRow): string {
  let col = 1;
  const cell = (content: string, cls = '', attrs = '') => `<vscode-data-grid-cell grid-column="${col++}" class="${cls}" ${attrs}>${content}</vscode-data-grid-cell>`;
  let html = `<vscode-data-grid-row>`;
  html += cell(`<a href="#" data-key="${escapeHtml(r.key)}">${escapeHtml(r.key)}</a>`, r.missing ? 'missing' : '', r.missing ? 'title="no log yet"' : '');
  r.cells.forEach((state, i) => {
    const failed = state === 'failed';
    html += cell(failed ? `<a href="#" data-key="${escapeHtml(r.key)}" data-line="${escapeHtml(r.failedLine ?? '')}">${SYMBOL[state]}</a>` : SYMBOL[state]!, `state ${state}`, `title="${escapeHtml(`${stages[i]}: ${state}${failed && r.failedLine ? ` — ${r.failedLine}` : ''}`)}"`);
  });
  for (let k = r.cells.length; k < stages.length; k++) html += cell('');
  html += cell(escapeHtml(r.currentStage ?? ''));
  html += cell(r.percent !== undefined ? `${Math.round(r.percent)}%` : '');
  html += cell(duration(r.elapsedSeconds));
  html += cell(escapeHtml(r.lastLine ?? ''), 'last', `title="${escapeHtml(r.lastLine ?? '')}"`);
  return `${html}</vscode-data-grid-row>`;
}

/**
 * Only the rows on screen are in the DOM (a toolkit row costs about a millisecond: a 1,000-task
 * array drawn whole froze the page for most of a second on every refresh). Fillers above and below
 * keep the scroll height; the header row stays on top.
 */
let rows: ProgressRow[] = [];
let header = '';
let rowHeight = 32;
let measured = false;
const OVERSCAN = 10;
/** The rows in the page, and whether new data came since they were drawn. */
let drawn = { first: -1, last: -1 };
let dirty = true;

const draw = framePainter(() => {
  const { first, last } = visibleRows(viewport, rowHeight, rows.length, OVERSCAN);
  // a scroll within the rows already drawn changes nothing
  if (!dirty && first === drawn.first && last === drawn.last) return;
  dirty = false;
  drawn = { first, last };
  grid.innerHTML = `${header}<div class="filler"></div>${rows.slice(first, last).map(rowHtml).join('')}<div class="filler"></div>`;
  // heights through the CSSOM: the page's CSP forbids style attributes in markup
  const [above, below] = grid.querySelectorAll<HTMLElement>('.filler');
  above!.style.height = `${first * rowHeight}px`;
  below!.style.height = `${(rows.length - last) * rowHeight}px`;
  if (!measured) {
    // the toolkit's row height, once, from the first row drawn (cells do not wrap, so rows are equal)
    const height = grid.querySelector('vscode-data-grid-row:not(.header)')?.getBoundingClientRect().height;
    if (!height) return;
    measured = true;
    if (Math.abs(height - rowHeight) > 0.5) {
      rowHeight = height;
      dirty = true;
      draw();
    }
  }
});

/** The columns and the header row: they change with the stages only. */
function setStages(names: string[]): void {
  stages = names;
  const columns = ['Key', ...stages, 'Current', '%', 'Elapsed', 'Last line'];
  grid.setAttribute('grid-template-columns', `90px ${stages.map(() => '1fr').join(' ')} 140px 60px 80px 3fr`);
  header = `<vscode-data-grid-row row-type="sticky-header" class="header">${columns.map((c, i) => `<vscode-data-grid-cell cell-type="columnheader" grid-column="${i + 1}">${escapeHtml(c)}</vscode-data-grid-cell>`).join('')}</vscode-data-grid-row>`;
  dirty = true;
}

window.addEventListener('message', (e: MessageEvent<ProgressToPage>) => {
  const m = e.data;
  if (m.type === 'init') {
    setStages(m.stages);
    document.getElementById('title')!.textContent = m.title;
  } else {
    if (!m.error) {
      rows = m.rows;
      dirty = true;
      draw();
    }
    status.textContent = m.error ? `Refresh failed: ${m.error}` : `Updated ${new Date(m.updated).toLocaleTimeString()} · ${(m.bytesMoved / 1024).toFixed(0)} KiB read`;
    status.classList.toggle('error', !!m.error);
  }
});

grid.addEventListener('click', (e) => {
  const a = (e.target as HTMLElement).closest('a');
  if (!a) return;
  e.preventDefault();
  post({ type: 'openLog', key: a.dataset.key!, ...(a.dataset.line ? { line: a.dataset.line } : {}) });
});
viewport.addEventListener('scroll', draw, { passive: true });
window.addEventListener('resize', draw);
document.getElementById('refresh')!.addEventListener('click', () => post({ type: 'refresh' }));
post({ type: 'ready' });
