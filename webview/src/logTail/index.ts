/**
 * The log tail page: a ring buffer of lines (the newest `maxLines`), rendering only the rows on
 * screen, so a log that chatters for hours costs the same as one that does not. Search (plain or
 * regex) highlights or filters; a regex that could backtrack super-linearly is refused with the
 * reason (common/regexSafety), and a regex is run on each line cut to USER_REGEX_MAX_INPUT
 * characters. Failure lines are marked and "Next error" jumps between them.
 */
import { failureOf } from '../../../common/logs/failures';
import { jobEndWords, type TailFromPage, type TailJob, type TailPanelState, type TailStatus, type TailToPage } from '../../../common/logs/protocol';
import type { LogLine } from '../../../common/logs/stream';
import { checkUserRegex, USER_REGEX_MAX_INPUT } from '../../../common/regexSafety';
import { escapeHtml } from '../html';
import { framePainter, visibleRows } from '../rows';
import { registerToolkit, type ToolkitCheckbox, type ToolkitInput } from '../toolkit';
import { vscodeApi } from '../vscodeApi';
import './logTail.css';

registerToolkit();
const api = vscodeApi<TailPanelState>();
const post = (m: TailFromPage) => api.postMessage(m);

const ROW = 18;
const OVERSCAN = 30;

interface Row extends LogLine {
  failure: boolean;
}

const lines: Row[] = [];
let open: Row | undefined;
let maxLines = 100_000;
let dropped = 0;
let paused = false;
let query: RegExp | undefined;
/** How much of a line the query is run on: all of it for plain text, USER_REGEX_MAX_INPUT for a regex. */
let queryReach = Infinity;
let filtering = false;
let visible: number[] | undefined; // indexes shown when filtering

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const viewport = $('viewport');
const spacer = $('spacer');
const rows = $('rows');
const status = $('status');
const search = $<ToolkitInput>('search');
const regex = $<ToolkitCheckbox>('regex');
const filter = $<ToolkitCheckbox>('filter');
const pauseButton = $('pause');
const searchError = $('searchError');

/** The part of a line the query runs on. */
const searched = (text: string) => (text.length > queryReach ? text.slice(0, queryReach) : text);

function toRow(l: LogLine): Row {
  return { ...l, failure: failureOf(l.text) !== undefined };
}

function count(): number {
  return (visible ? visible.length : lines.length) + (open && !visible ? 1 : 0);
}

function rowAt(i: number): Row | undefined {
  if (visible) return lines[visible[i]!];
  return i < lines.length ? lines[i] : open;
}

/** The line as HTML: ANSI styles as classes, search matches marked. */
function render(r: Row): string {
  const text = r.text;
  const marks: [number, number][] = [];
  if (query) {
    const hay = searched(text);
    query.lastIndex = 0;
    for (let m = query.exec(hay); m; m = query.exec(hay)) {
      if (m[0].length === 0) {
        query.lastIndex++;
        continue;
      }
      marks.push([m.index, m.index + m[0].length]);
    }
  }
  let html = '';
  const cuts = new Set<number>([0, text.length]);
  for (const [s, e] of marks) cuts.add(s).add(e);
  for (const [s, e] of r.spans ?? []) cuts.add(s).add(e);
  const points = [...cuts].sort((a, b) => a - b);
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k]!;
    const b = points[k + 1]!;
    const span = r.spans?.find(([s, e]) => s <= a && b <= e)?.[2];
    const marked = marks.some(([s, e]) => s <= a && b <= e);
    const cls = [span?.fg !== undefined ? `fg${span.fg}` : '', span?.bg !== undefined ? `bg${span.bg}` : '', span?.bold ? 'bold' : '', marked ? 'match' : ''].filter(Boolean).join(' ');
    const piece = escapeHtml(text.slice(a, b));
    html += cls ? `<span class="${cls}">${piece}</span>` : piece;
  }
  return html || '&nbsp;';
}

const draw = framePainter(() => {
  const n = count();
  spacer.style.height = `${n * ROW}px`;
  const { first, last } = visibleRows(viewport, ROW, n, OVERSCAN);
  // positions through the CSSOM: the page's CSP forbids style attributes in markup
  const fragment = document.createDocumentFragment();
  for (let i = first; i < last; i++) {
    const r = rowAt(i)!;
    const div = document.createElement('div');
    div.className = `row${r.failure ? ' fail' : ''}${r === open ? ' open' : ''}`;
    div.style.top = `${i * ROW}px`;
    div.innerHTML = render(r);
    fragment.appendChild(div);
  }
  rows.replaceChildren(fragment);
});

function atBottom(): boolean {
  return viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - ROW * 2;
}

function follow(stick: boolean): void {
  draw();
  if (stick) requestAnimationFrame(() => (viewport.scrollTop = viewport.scrollHeight));
}

function rebuildFilter(): void {
  visible = filtering && query ? lines.map((_, i) => i).filter((i) => (query!.lastIndex = 0, query!.test(searched(lines[i]!.text)))) : undefined;
}

function append(batch: LogLine[], newOpen: LogLine | undefined): void {
  const stick = atBottom();
  for (const l of batch) lines.push(toRow(l));
  open = newOpen ? toRow(newOpen) : undefined;
  const over = lines.length - maxLines;
  if (over > 0) {
    lines.splice(0, over);
    dropped += over;
  }
  if (filtering) rebuildFilter();
  updateStatus();
  follow(stick);
}

const WORDS: Record<TailStatus, string> = { opening: 'Opening…', waiting: 'Waiting for the file', following: 'Following', paused: 'Paused', stopped: 'Stopped', error: 'Error' };
let tail: { status: TailStatus; detail?: string; bytesMoved: number } | undefined;
let job: TailJob | undefined;

/** What the tail does, and once the job has ended, that it has: a log is not "Following" a job that is gone. */
function tailWords(): string {
  if (!tail) return job?.ended ? jobEndWords(job) : '';
  const own = `${WORDS[tail.status]}${tail.detail ? `: ${tail.detail}` : ''}`;
  if (!job?.ended) return own;
  const ended = jobEndWords(job);
  if (tail.status === 'following' || tail.status === 'opening') return `${ended} — showing the file`;
  if (tail.status === 'waiting') return `${ended} without writing this log`;
  return `${own} · ${ended}`;
}

function updateStatus(): void {
  const words = tailWords();
  const read = tail ? `${(tail.bytesMoved / 1024).toFixed(0)} KiB read` : '';
  const parts = [words, read, dropped ? `${dropped.toLocaleString()} older lines dropped` : '', `${lines.length.toLocaleString()} lines`];
  status.textContent = parts.filter(Boolean).join(' · ');
  status.classList.toggle('ended', !!job?.ended);
}

function setQuery(): void {
  const v = search.value;
  // kept in the page's state: VS Code reloads a hidden page when it is shown again
  const state = api.getState();
  if (state) api.setState({ ...state, search: { text: v, regex: regex.checked, onlyMatching: filter.checked } });
  query = undefined;
  let refused: string | undefined;
  if (v) {
    if (regex.checked) {
      const checked = checkUserRegex(v, 'gi');
      if (checked.ok) query = checked.regex;
      else refused = `Not searched: ${checked.reason}.`;
      queryReach = USER_REGEX_MAX_INPUT;
    } else {
      // plain text: a literal, linear on any line
      query = new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
      queryReach = Infinity;
    }
  }
  search.classList.toggle('invalid', refused !== undefined);
  searchError.textContent = refused ?? '';
  searchError.hidden = refused === undefined;
  rebuildFilter();
  draw();
}

function nextError(): void {
  const from = Math.floor(viewport.scrollTop / ROW) + 1;
  const n = count();
  for (let k = 0; k < n; k++) {
    const i = (from + k) % n;
    if (rowAt(i)?.failure) {
      viewport.scrollTop = Math.max(0, i * ROW - viewport.clientHeight / 3);
      draw();
      return;
    }
  }
}

function reveal(text: string): void {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.text.includes(text)) {
      viewport.scrollTop = Math.max(0, i * ROW - viewport.clientHeight / 3);
      draw();
      return;
    }
  }
}

let pendingReveal: string | undefined;

window.addEventListener('message', (e: MessageEvent<TailToPage>) => {
  const m = e.data;
  switch (m.type) {
    case 'init':
      maxLines = m.maxLines;
      api.setState({ ...api.getState(), cluster: m.cluster, path: m.path, ...(m.jobId ? { jobId: m.jobId } : {}) });
      $('title').textContent = `${m.cluster}: ${m.path}`;
      pendingReveal = m.reveal;
      break;
    case 'lines':
      append(m.lines, m.open);
      if (pendingReveal) {
        reveal(pendingReveal);
        pendingReveal = undefined;
      }
      break;
    case 'reset':
      append([{ text: `——— ${m.reason} ———` }], undefined);
      break;
    case 'status': {
      tail = { status: m.status, ...(m.detail ? { detail: m.detail } : {}), bytesMoved: m.bytesMoved };
      updateStatus();
      paused = m.status === 'paused';
      pauseButton.textContent = paused ? 'Resume' : 'Pause';
      // nothing follows a stopped page: Reopen takes Pause's place
      const ended = m.status === 'error' || m.status === 'stopped';
      $('reopen').hidden = !ended;
      pauseButton.hidden = ended;
      break;
    }
    case 'job':
      job = m.job;
      updateStatus();
      break;
  }
});

viewport.addEventListener('scroll', draw, { passive: true });
window.addEventListener('resize', draw);
// a bar that grows (a search's message) or a smaller panel shrinks the rows: one that showed the
// newest line keeps showing it
let pinned = true;
viewport.addEventListener('scroll', () => (pinned = atBottom()), { passive: true });
new ResizeObserver(() => {
  if (pinned) viewport.scrollTop = viewport.scrollHeight;
  draw();
}).observe(viewport);
search.addEventListener('input', setQuery);
regex.addEventListener('change', setQuery);
filter.addEventListener('change', () => {
  filtering = filter.checked;
  setQuery();
});
pauseButton.addEventListener('click', () => post({ type: paused ? 'resume' : 'pause' }));
$('next').addEventListener('click', nextError);
$('reopen').addEventListener('click', () => post({ type: 'reopen' }));
// the search the page had before VS Code reloaded it (switching tabs away and back)
const kept = api.getState()?.search;
if (kept) {
  search.value = kept.text;
  regex.checked = kept.regex;
  filter.checked = filtering = kept.onlyMatching;
  setQuery();
}
post({ type: 'ready' });
