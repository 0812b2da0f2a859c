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
  html += cell(`<a href="#" data-key="${escapeHtml(r.key)}">${escapeHtml(r.key)}</a>`, r.missing ? 'missing' : '', `title="${escapeHtml(r.missing ? `${r.key}: no log yet` : r.key)}"`);
  r.cells.forEach((state, i) => {
    const failed = state === 'failed';
    html += cell(failed ? `<a href="#" data-key="${escapeHtml(r.key)}" data-line="${escapeHtml(r.failedLine ?? '')}">${SYMBOL[state]}</a>` : SYMBOL[state]!, `state ${state}`, `title="${escapeHtml(`${stages[i]}: ${state}${failed && r.failedLine ? ` — ${r.failedLine}` : ''}`)}"`);
  });
  for (let k = r.cells.length; k < stages.length; k++) html += cell('');
  html += cell(escapeHtml(r.currentStage ?? ''), '', `title="${escapeHtml(r.currentStage ?? '')}"`);
  html += cell(r.percent !== undefined ? `${Math.round(r.percent)}%` : '', 'number percent');
  html += cell(duration(r.elapsedSeconds), 'number');
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

/**
 * Column widths. The toolkit's rows are grids of their own, so the columns cannot size themselves
 * to their content (max-content would differ row by row): they are measured here instead, from the
 * texts they must show whole. A stage column is at least as wide as the longest word of its name,
 * so a name wraps only between words; when the stages do not fit so, their names are turned to read
 * upwards and the columns need only a line's width. The full name is each header's tooltip.
 */
const CELL_INSET = 2 * 3 * 4 + 2 + 2; // the toolkit cell's padding (3 design units a side), its border, and a pixel to spare each side
const ROTATED_STAGE = 28;
const LAST_LINE_MIN = 120;
const probe = document.createElement('span');
probe.className = 'probe';
probe.setAttribute('aria-hidden', 'true');
document.body.appendChild(probe);

function textWidth(text: string, bold = false): number {
  probe.classList.toggle('bold', bold);
  probe.textContent = text;
  return Math.ceil(probe.getBoundingClientRect().width);
}

const widest = (texts: Iterable<string>): string => {
  let w = '';
  for (const t of texts) if (t.length > w.length) w = t;
  return w;
};

/** What the widths were computed from; a new layout only when one of these changes. */
let laidOut = '';

function layout(): void {
  const longKey = widest(rows.map((r) => r.key));
  const longCurrent = widest([...stages, ...rows.map((r) => r.currentStage ?? '')]);
  const width = viewport.clientWidth;
  const facts = JSON.stringify([stages, longKey, longCurrent, width]);
  if (facts === laidOut) return;
  laidOut = facts;
  const key = Math.min(200, Math.max(textWidth('Key', true), textWidth(longKey)) + CELL_INSET);
  const current = Math.min(220, Math.max(textWidth('Current', true), textWidth(longCurrent)) + CELL_INSET);
  const percent = Math.max(textWidth('100%'), textWidth('%', true)) + CELL_INSET;
  const elapsed = Math.max(textWidth('Elapsed', true), textWidth('99h 59m')) + CELL_INSET;
  const words = stages.map((s) => Math.max(...s.split(/\s+/).map((w) => textWidth(w, true))) + CELL_INSET);
  const fixed = key + current + percent + elapsed + LAST_LINE_MIN;
  const upright = fixed + words.reduce((a, b) => a + b, 0) <= width;
  const stageColumns = upright ? words.map((w) => `minmax(${w}px, 1fr)`) : stages.map(() => `minmax(${ROTATED_STAGE}px, ${ROTATED_STAGE + 8}px)`);
  grid.classList.toggle('rotated', !upright);
  grid.setAttribute('grid-template-columns', `${key}px ${stageColumns.join(' ')} ${current}px ${percent}px ${elapsed}px minmax(${LAST_LINE_MIN}px, 3fr)`);
  // the header's height changes with the names' direction; the rows' height does not
}

/** The columns and the header row: they change with the stages only. */
function setStages(names: string[]): void {
  stages = names;
  const head = (text: string, col: number, cls = '', inner = escapeHtml(text)) => `<vscode-data-grid-cell cell-type="columnheader" grid-column="${col}" class="${cls}" title="${escapeHtml(text)}">${inner}</vscode-data-grid-cell>`;
  let col = 1;
  let cells = head('Key', col++);
  for (const s of stages) cells += head(s, col++, 'stage', `<span class="name">${escapeHtml(s)}</span>`);
  cells += head('Current', col++) + head('%', col++, 'number') + head('Elapsed', col++, 'number') + head('Last line', col++);
  header = `<vscode-data-grid-row row-type="sticky-header" class="header">${cells}</vscode-data-grid-row>`;
  laidOut = '';
  layout();
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
      layout();
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
window.addEventListener('resize', () => {
  layout();
  dirty = true;
  draw();
});
document.getElementById('refresh')!.addEventListener('click', () => post({ type: 'refresh' }));
post({ type: 'ready' });
