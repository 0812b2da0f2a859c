/**
 * Log bytes to display lines: UTF-8 decoded across chunk boundaries, partial lines held until
 * their end arrives (shown meanwhile as the open last line), carriage-return progress bars (tqdm,
 * GDAL) collapsed to their latest state, ANSI colours kept as styles and every other escape
 * sequence dropped. Pure and incremental: feed chunks, read what changed.
 */

export interface Style {
  fg?: number;
  bg?: number;
  bold?: boolean;
}

/** [start, end) of the line's text in one style. */
export type Span = [number, number, Style];

export interface LogLine {
  text: string;
  spans?: Span[];
}

export interface StreamUpdate {
  /** Complete lines, in order. */
  lines: LogLine[];
  /** The unfinished last line as it stands now (undefined when there is none). */
  open?: LogLine;
}

/**
 * The longest line kept, in characters: a longer one (a line that never ends, a dump) keeps its
 * last MAX_LINE characters behind a marker that says how many were cut.
 */
export const MAX_LINE = 16 * 1024;

/** Sticky: tried only where the ESC is, so an ESC that starts no sequence costs one step. */
// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b(?:\[([0-9;?]*)([A-Za-z])|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[()][A-Za-z0-9]|[=>])/y;

/** What ESCAPE may still match once more input arrives (the end of a chunk holds the start of a sequence). */
// eslint-disable-next-line no-control-regex
const ESCAPE_START = /^\u001b(?:\[[0-9;?]*|\][^\u0007\u001b]*\u001b?|[()])?$/;

export class LogStream {
  private decoder = new TextDecoder('utf-8');
  /** The current line: text after the last \r, with its styles. */
  private text = '';
  private spans: Span[] = [];
  /** Characters cut from the start of the current line (see MAX_LINE). */
  private cut = 0;
  private style: Style = {};
  private pendingCR = false;
  /** The start of an escape sequence cut by a chunk boundary, for the next chunk. */
  private carry = '';
  /** Bytes fed so far. */
  bytes = 0;

  push(chunk: Uint8Array): StreamUpdate {
    this.bytes += chunk.length;
    return this.feed(this.takeCarry() + this.decoder.decode(chunk, { stream: true }));
  }

  /** The end of the input: flushes an incomplete UTF-8 sequence and the open line. */
  end(): StreamUpdate {
    const u = this.feed(this.takeCarry() + this.decoder.decode());
    if (this.text) {
      u.lines.push(this.take());
      delete u.open;
    }
    return u;
  }

  /** Starts over (the file was truncated or replaced). */
  reset(): void {
    this.decoder = new TextDecoder('utf-8');
    this.text = '';
    this.spans = [];
    this.cut = 0;
    this.style = {};
    this.pendingCR = false;
    this.carry = '';
    this.bytes = 0;
  }

  private takeCarry(): string {
    const c = this.carry;
    this.carry = '';
    return c;
  }

  private take(): LogLine {
    const line = this.line();
    this.clear();
    return line;
  }

  private clear(): void {
    this.text = '';
    this.spans = [];
    this.cut = 0;
  }

  /** The current line as shown: at most MAX_LINE characters of it, behind a marker when cut. */
  private line(): LogLine {
    const over = Math.max(0, this.text.length - MAX_LINE);
    if (!this.cut && !over) return this.spans.length ? { text: this.text, spans: this.spans.map((sp) => [sp[0], sp[1], { ...sp[2] }] as Span) } : { text: this.text };
    const marker = `[… ${(this.cut + over).toLocaleString('en-US')} characters cut …] `;
    const spans = shiftSpans(this.spans, over, marker.length);
    const text = marker + this.text.slice(over);
    return spans.length ? { text, spans } : { text };
  }

  /** Drops the start of a line grown past twice MAX_LINE (amortised: one cut per MAX_LINE characters). */
  private trim(): void {
    const n = this.text.length - MAX_LINE;
    this.text = this.text.slice(n);
    this.spans = shiftSpans(this.spans, n, 0);
    this.cut += n;
  }

  private append(s: string): void {
    if (!s) return;
    const start = this.text.length;
    this.text += s;
    if (this.style.fg !== undefined || this.style.bg !== undefined || this.style.bold) {
      const last = this.spans[this.spans.length - 1];
      if (last && last[1] === start && sameStyle(last[2], this.style)) last[1] = this.text.length;
      else this.spans.push([start, this.text.length, { ...this.style }]);
    }
    if (this.text.length > 2 * MAX_LINE) this.trim();
  }

  private feed(s: string): StreamUpdate {
    const lines: LogLine[] = [];
    let i = 0;
    while (i < s.length) {
      const ch = s[i]!;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (ch !== '\n') {
          // a lone \r: the line is redrawn from its start (a progress bar); keep only the latest
          this.clear();
        }
      }
      if (ch === '\n') {
        lines.push(this.take());
        i++;
        continue;
      }
      if (ch === '\r') {
        this.pendingCR = true;
        i++;
        continue;
      }
      if (ch === '\u001b') {
        ESCAPE.lastIndex = i;
        const m = ESCAPE.exec(s);
        if (m) {
          if (m[2] === 'm') this.sgr(m[1] ?? '');
          i += m[0].length;
          continue;
        }
        if (s.length - i < 16 && ESCAPE_START.test(s.slice(i))) {
          // an escape sequence cut by the chunk boundary: finish it with the next chunk
          this.carry = s.slice(i);
          break;
        }
        i++;
        continue;
      }
      let j = i;
      while (j < s.length && s[j] !== '\n' && s[j] !== '\r' && s[j] !== '\u001b') j++;
      this.append(s.slice(i, j).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f]/g, ''));
      i = j;
    }
    const open = this.text || this.pendingCR ? this.line() : undefined;
    return { lines, ...(open ? { open } : {}) };
  }

  private sgr(params: string): void {
    const codes = params === '' ? [0] : params.split(';').map((p) => Number(p) || 0);
    for (let k = 0; k < codes.length; k++) {
      const c = codes[k]!;
      if (c === 0) this.style = {};
      else if (c === 1) this.style.bold = true;
      else if (c === 22) delete this.style.bold;
      else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) this.style.fg = c;
      else if (c === 39) delete this.style.fg;
      else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) this.style.bg = c;
      else if (c === 49) delete this.style.bg;
      else if (c === 38 || c === 48) k += codes[k + 1] === 5 ? 2 : codes[k + 1] === 2 ? 4 : 0; // 256/true colour: skipped
    }
  }
}

/** The spans of a line whose first `drop` characters go and `add` characters come before the rest. */
function shiftSpans(spans: Span[], drop: number, add: number): Span[] {
  const out: Span[] = [];
  for (const [a, b, st] of spans) if (b > drop) out.push([Math.max(a, drop) - drop + add, b - drop + add, { ...st }]);
  return out;
}

function sameStyle(a: Style, b: Style): boolean {
  return a.fg === b.fg && a.bg === b.bg && !!a.bold === !!b.bold;
}

/** The most a log's opening reads backwards, whatever the number of lines asked for. */
export const MAX_OPEN_BYTES = 4 * 1024 * 1024;

/**
 * Where the last `lines` lines of a file of `size` bytes begin, found from chunks read backwards
 * from its end. A line ends at \n, \r\n or a lone \r (a progress bar's redraw, shown collapsed
 * anyway, so a log of tqdm bars opens as fast as any other); and no more than `maxBytes` are read,
 * however long the lines: `floor` is where reading stops.
 */
export class LineStartFinder {
  readonly floor: number;
  private ends = 0;
  /** The first byte of the chunk fed before (the byte after the current chunk). */
  private after: number | undefined;

  constructor(private readonly size: number, private readonly lines: number, maxBytes = MAX_OPEN_BYTES) {
    this.floor = Math.max(0, size - maxBytes);
  }

  /** Feeds the bytes [from, from + chunk.length), just before those fed so far; the start once known. */
  feed(from: number, chunk: Uint8Array): number | undefined {
    for (let i = chunk.length - 1; i >= 0; i--) {
      const b = chunk[i]!;
      const next = i + 1 < chunk.length ? chunk[i + 1] : this.after;
      const end = b === 0x0a || (b === 0x0d && next !== 0x0a);
      // the file's own last line end does not start a line
      if (end && from + i !== this.size - 1 && ++this.ends > this.lines) return from + i + 1;
    }
    this.after = chunk[0];
    return from <= this.floor ? this.floor : undefined;
  }
}
