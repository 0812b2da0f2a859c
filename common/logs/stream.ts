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

// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b(?:\[([0-9;?]*)([A-Za-z])|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[()][A-Za-z0-9]|[=>])/g;

export class LogStream {
  private decoder = new TextDecoder('utf-8');
  /** The current line: text after the last \r, with its styles. */
  private text = '';
  private spans: Span[] = [];
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
    const line: LogLine = this.spans.length ? { text: this.text, spans: this.spans } : { text: this.text };
    this.text = '';
    this.spans = [];
    return line;
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
          this.text = '';
          this.spans = [];
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
        if (m && m.index === i) {
          if (m[2] === 'm') this.sgr(m[1] ?? '');
          i += m[0].length;
          continue;
        }
        if (s.length - i < 16 && !/[A-Za-z\u0007]/.test(s.slice(i + 2))) {
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
    const open = this.text || this.pendingCR ? (this.spans.length ? { text: this.text, spans: this.spans.map((sp) => [sp[0], sp[1], { ...sp[2] }] as Span) } : { text: this.text }) : undefined;
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

function sameStyle(a: Style, b: Style): boolean {
  return a.fg === b.fg && a.bg === b.bg && !!a.bold === !!b.bold;
}
