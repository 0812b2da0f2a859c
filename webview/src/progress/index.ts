/**
 * The progress page: keys × stages, each cell's state, the current stage, a percentage where the
 * log carries one, elapsed time and the last line. A failed cell opens the log at the failing line.
 */
import type { ProgressFromPage, ProgressPanelState, ProgressRow, ProgressToPage } from '../../../common/progress/protocol';
import { escapeHtml } from '../html';
import { registerToolkit } from '../toolkit';
import { vscodeApi } from '../vscodeApi';
import './progress.css';

registerToolkit();
const api = vscodeApi<ProgressPanelState>();
const post = (m: ProgressFromPage) => api.postMessage(m);
const grid = document.getElementById('grid')!;
const status = document.getElementById('status')!;
let stages: string[] = [];

const SYMBOL: Record<string, string> = { pending: '·', running: '●', done: '✓', failed: '✗', skipped: '↷' };

function duration(s: number | undefined): string {
  if (s === undefined) return '';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

function render(rows: ProgressRow[]): void {
  const columns = ['Key', ...stages, 'Current', '%', 'Elapsed', 'Last line'];
  grid.setAttribute('grid-template-columns', `90px ${stages.map(() => '1fr').join(' ')} 140px 60px 80px 3fr`);
  let html = `<vscode-data-grid-row row-type="header">${columns.map((c, i) => `<vscode-data-grid-cell cell-type="columnheader" grid-column="${i + 1}">${escapeHtml(c)}</vscode-data-grid-cell>`).join('')}</vscode-data-grid-row>`;
  for (const r of rows) {
    let col = 1;
    const cell = (content: string, cls = '', attrs = '') => `<vscode-data-grid-cell grid-column="${col++}" class="${cls}" ${attrs}>${content}</vscode-data-grid-cell>`;
    html += `<vscode-data-grid-row>`;
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
    html += `</vscode-data-grid-row>`;
  }
  grid.innerHTML = html;
}

window.addEventListener('message', (e: MessageEvent<ProgressToPage>) => {
  const m = e.data;
  if (m.type === 'init') {
    stages = m.stages;
    document.getElementById('title')!.textContent = m.title;
  } else {
    if (!m.error) render(m.rows);
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
document.getElementById('refresh')!.addEventListener('click', () => post({ type: 'refresh' }));
post({ type: 'ready' });
