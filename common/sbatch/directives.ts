/**
 * `#SBATCH` directives read the way sbatch reads them (src/sbatch/opt.c):
 * - only lines that begin with `#SBATCH` in the leading block of comments and blank lines count;
 *   the first other line ends the block;
 * - each directive is split into arguments: white space separates them, `"` and `'` quote,
 *   `\` escapes the next character, an unquoted `#` ends the line; an unmatched quote is fatal;
 * - the arguments of all directives form one argv for getopt_long with sbatch's option string,
 *   which starts with `+`: the first argument that is not an option ends option processing.
 */
import { headerLines } from './header';
import { placeholderIn, TEMPLATE_LINE } from './values';
import { canonicalOption, matchLongOption, optionByShort, type SbatchOption } from './options';

export interface Span {
  line: number;
  start: number;
  end: number;
}

export interface DirectiveToken extends Span {
  /** The argument as getopt sees it: quotes and escapes removed. */
  value: string;
  /** The characters of the line it was read from. */
  raw: string;
}

export interface OptionUse {
  option: SbatchOption;
  /** As written: `--mem`, `-N`, `--part`. */
  written: string;
  value?: string;
  /** The whole option with its value. */
  span: Span;
  nameSpan: Span;
  valueSpan?: Span;
  /** Written as an unambiguous prefix of the long name. */
  abbreviated: boolean;
  /** The component of a heterogeneous job it belongs to (after the Nth `#SBATCH hetjob` line); absent for the first. */
  component?: number;
  /** The deprecated table entry it was read through (`tasks-per-node` for --ntasks-per-node). */
  alias?: SbatchOption;
  /**
   * The template placeholder its value holds (`{{ time }}`, `$jobname$`, `<ACCOUNT>`, `@NODES@`):
   * a driver fills it in before submitting, so `value` is left unset and nothing checks it.
   */
  placeholder?: string;
}

export type DirectiveProblemCode =
  | 'unknown-option'
  | 'ambiguous-option'
  | 'missing-option-value'
  | 'unexpected-option-value'
  | 'unmatched-quote'
  | 'stray-argument';

export interface DirectiveProblem {
  code: DirectiveProblemCode;
  span: Span;
  /** The option as written, or the stray argument. */
  text: string;
  candidates?: SbatchOption[];
  /** For unmatched-quote: the quote character. */
  quote?: string;
}

export interface Lookalike {
  span: Span;
  kind: 'slurm-prefix' | 'space-after-hash' | 'indented' | 'lowercase' | 'misspelled';
  /** The word after the # as written (`SBTACH`, `BATCH`). */
  word?: string;
}

export interface SbatchHeader {
  /** First line that is not part of the leading comment block (the line count when none). */
  headerEnd: number;
  /** Lines holding directives Slurm reads. */
  directiveLines: number[];
  options: OptionUse[];
  problems: DirectiveProblem[];
  /** `#SBATCH` lines after the header: Slurm ignores them. */
  lateDirectives: Span[];
  /** Lines that look like directives but are not. */
  lookalikes: Lookalike[];
  /** `#SBATCH` lines inside heredoc text: directives of a script this one writes, not its own. */
  generatedDirectives: number[];
  /** Template placeholders in the header (values, whole arguments, `{% if %}` lines). */
  placeholders: (Span & { text: string })[];
}

export interface HeaderOptions {
  /** Lines that are heredoc text, as sorted [first, end) line ranges (from the shell parse). */
  heredocLines?: readonly (readonly [number, number])[];
}

export const MAGIC = '#SBATCH';

/** Splits one directive line after `#SBATCH` into arguments. */
export function tokenizeDirective(lineText: string, line: number, from = MAGIC.length): { tokens: DirectiveToken[]; unmatched?: { quote: string; span: Span } } {
  const tokens: DirectiveToken[] = [];
  const noCloser: Record<string, number> = {};
  let i = from;
  const n = lineText.length;
  for (;;) {
    while (i < n && /\s/.test(lineText[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let value = '';
    let quote = '';
    let escape = false;
    let comment = false;
    while (i < n && (quote || !/\s/.test(lineText[i]!))) {
      const ch = lineText[i]!;
      if (escape) {
        escape = false;
      } else if (ch === '\\') {
        escape = true;
        i++;
        continue;
      } else if (quote) {
        if (ch === quote) {
          quote = '';
          i++;
          continue;
        }
      } else if (ch === '"' || ch === "'") {
        quote = ch;
        i++;
        continue;
      } else if (ch === '{' && (lineText[i + 1] === '{' || lineText[i + 1] === '%')) {
        // a template tag (`{{ time }}`, `{% if %}`) is one argument, spaces and all
        // (searched within 300 characters, and not again where a search found none: linear on a line of braces)
        const closer = lineText[i + 1] === '{' ? '}}' : '%}';
        const limit = Math.min(n, i + 300);
        const from = Math.max(i + 2, (noCloser[closer] ?? 0) - 1);
        const near = from < limit ? lineText.slice(from, limit).indexOf(closer) : -1;
        const close = near < 0 ? -1 : from + near;
        if (close < 0) noCloser[closer] = limit;
        if (close > 0) {
          value += lineText.slice(i, close + 2);
          i = close + 2;
          continue;
        }
      } else if (ch === '#') {
        comment = true;
        break;
      }
      value += ch;
      i++;
    }
    if (quote) return { tokens, unmatched: { quote, span: { line, start, end: n } } };
    if (i > start && (value !== '' || !comment)) tokens.push({ line, start, end: i, value, raw: lineText.slice(start, i) });
    if (comment) break;
  }
  return { tokens };
}

// `#SLURM`, `# SBATCH`, `#sbatch` and an indented `#SBATCH`; a comment that mentions the
// sbatch command (`# sbatch --dependency=... next.sh`) is not one.
const LOOKALIKE = /^(\s*)#(\s*)(SBATCH|SLURM|sbatch)\b/;

/** A word after `#` one edit from SBATCH (a letter missing, added, changed or two swapped; any case): `#BATCH`, `#SBTACH`. */
const WORD_AFTER_HASH = /^(\s*)#(\s*)([A-Za-z]{5,7})(?![A-Za-z0-9_])/;
function misspelled(text: string): RegExpExecArray | null {
  const m = WORD_AFTER_HASH.exec(text);
  return m && m[3] !== 'SBATCH' && oneEditFrom(m[3]!.toUpperCase(), 'SBATCH') ? m : null;
}

/** Damerau distance at most 1 (an adjacent swap counts as one edit). */
function oneEditFrom(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // one letter changed
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // two swapped
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Reads the directives of a batch script. `lines` are the script's lines without line ends. */
export function parseSbatchHeader(lines: readonly string[], options: HeaderOptions = {}): SbatchHeader {
  const header: SbatchHeader = { headerEnd: lines.length, directiveLines: [], options: [], problems: [], lateDirectives: [], lookalikes: [], generatedDirectives: [], placeholders: [] };
  const argv: DirectiveToken[] = [];
  let inHeader = true;
  const heredocs = options.heredocLines ?? [];
  let next = 0;
  for (let line = 0; line < lines.length; line++) {
    const text = lines[line]!;
    while (next < heredocs.length && heredocs[next]![1] <= line) next++;
    // heredoc text can only follow a command, so the header has ended before it
    if (!inHeader && next < heredocs.length && heredocs[next]![0] <= line) {
      if (text.trimStart().startsWith(MAGIC)) header.generatedDirectives.push(line);
      continue;
    }
    const trimmed = text.trimStart();
    if (inHeader && trimmed !== '' && !trimmed.startsWith('#')) {
      if (TEMPLATE_LINE.test(trimmed)) {
        // `{% if gpus %}` / `{{ extra }}` alone on a line: the template renders it to directives or nothing
        header.placeholders.push({ line, start: text.length - trimmed.length, end: text.length, text: trimmed });
        continue;
      }
      inHeader = false;
      header.headerEnd = line;
    }
    if (text.startsWith(MAGIC)) {
      if (!inHeader) {
        header.lateDirectives.push({ line, start: 0, end: text.length });
        continue;
      }
      header.directiveLines.push(line);
      const { tokens, unmatched } = tokenizeDirective(text, line);
      if (unmatched) {
        header.problems.push({ code: 'unmatched-quote', span: unmatched.span, text: text.slice(unmatched.span.start), quote: unmatched.quote });
        continue;
      }
      pushTokens(argv, tokens, text, line);
      continue;
    }
    const m = LOOKALIKE.exec(text) ?? misspelled(text);
    if (m && m[3] !== 'SBATCH' && m[3] !== 'SLURM' && m[3] !== 'sbatch') {
      const [, indent, space, word] = m;
      // `# batch -n 4 files`: prose in lower case after a space is a comment, not a typo
      if (!(space && word === word!.toLowerCase()) && /\s-{1,2}[A-Za-z]/.test(text)) header.lookalikes.push({ span: { line, start: indent!.length, end: text.length }, kind: 'misspelled', word: word! });
    } else if (m && trimmed.startsWith('#')) {
      const [, indent, space, word] = m;
      if (space && word === 'sbatch') continue;
      const kind: Lookalike['kind'] = word === 'SLURM'
        ? 'slurm-prefix'
        : indent
          ? 'indented'
          : word === 'sbatch'
            ? 'lowercase'
            : 'space-after-hash';
      // `# SBATCH` is a common way to switch a directive off on purpose; only a line that also
      // carries an option is reported.
      if (/\s-{1,2}[A-Za-z]/.test(text)) header.lookalikes.push({ span: { line, start: indent!.length, end: text.length }, kind });
    }
  }
  getopt(argv, header);
  return header;
}

/**
 * Adds a directive line's tokens to getopt's argv. A template placeholder with spaces in it
 * (`-A <your project>`, `-A <---- Account String ---->`) is one argument to the template, though
 * the line splits it into several: its tokens become one, so that it is read as a placeholder and
 * not as a value followed by stray words.
 */
function pushTokens(argv: DirectiveToken[], tokens: DirectiveToken[], text: string, line: number): void {
  const tag = placeholderIn(text.slice(MAGIC.length));
  const at = tag === undefined || !/\s/.test(tag) ? -1 : text.indexOf(tag, MAGIC.length);
  if (at < 0) {
    for (const t of tokens) argv.push(t);
    return;
  }
  const end = at + tag!.length;
  // within one token (a quoted `"<a b>"`) it is already one argument
  if (tokens.filter((t) => t.end > at && t.start < end).length < 2) {
    for (const t of tokens) argv.push(t);
    return;
  }
  let merged = false;
  for (const t of tokens) {
    if (t.end <= at || t.start >= end) argv.push(t);
    else if (!merged) {
      // `-A<your project>`: the option letter before the placeholder stays with it
      merged = true;
      const prefix = t.start < at ? text.slice(t.start, at) : '';
      argv.push({ line, start: Math.min(t.start, at), end, value: prefix + tag!, raw: text.slice(Math.min(t.start, at), end) });
    }
  }
}

function getopt(argv: DirectiveToken[], header: SbatchHeader): void {
  let component = 0;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    const v = tok.value;
    if (v === '--') return;
    // heterogeneous job separator: the options after it are the next component's
    if (/^(hetjob|packjob)$/i.test(v)) {
      component++;
      continue;
    }
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const name = eq < 0 ? v.slice(2) : v.slice(2, eq);
      const written = `--${name}`;
      const nameSpan = { line: tok.line, start: tok.start, end: Math.min(tok.end, tok.start + tok.raw.indexOf(name) + name.length) };
      const { exact, candidates } = matchLongOption(name);
      const entry = exact ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (!entry) {
        header.problems.push({ code: candidates.length > 1 ? 'ambiguous-option' : 'unknown-option', span: nameSpan, text: written, candidates });
        if (eq < 0 && argv[i + 1] && !argv[i + 1]!.value.startsWith('-')) i++; // its likely value
        continue;
      }
      const option = canonicalOption(entry);
      const use: OptionUse = { option, written, span: { ...nameSpan, end: tok.end }, nameSpan, abbreviated: !exact, ...(option !== entry ? { alias: entry } : {}), ...(component ? { component } : {}) };
      if (eq >= 0) {
        if (option.arg === 'none') {
          header.problems.push({ code: 'unexpected-option-value', span: { line: tok.line, start: tok.start, end: tok.end }, text: written });
          continue;
        }
        use.value = v.slice(eq + 1);
        const rawEq = tok.raw.indexOf('=');
        use.valueSpan = { line: tok.line, start: tok.start + rawEq + 1, end: tok.end };
      } else if (option.arg === 'required') {
        const next = argv[i + 1];
        if (!next) {
          header.problems.push({ code: 'missing-option-value', span: use.span, text: written });
          continue;
        }
        i++;
        use.value = next.value;
        use.valueSpan = { line: next.line, start: next.start, end: next.end };
        if (next.line === tok.line) use.span = { line: tok.line, start: tok.start, end: next.end };
      }
      markPlaceholder(use, header);
      header.options.push(use);
      continue;
    }
    if (v.startsWith('-') && v.length > 1) {
      for (let k = 1; k < v.length; k++) {
        const letter = v[k]!;
        const at = Math.min(tok.start + k, tok.end - 1);
        const nameSpan = { line: tok.line, start: k === 1 ? tok.start : at, end: at + 1 };
        const option = optionByShort(letter);
        if (!option) {
          header.problems.push({ code: 'unknown-option', span: nameSpan, text: `-${letter}`, candidates: [] });
          break;
        }
        const use: OptionUse = { option, written: `-${letter}`, span: { ...nameSpan, end: tok.end }, nameSpan, abbreviated: false };
        const rest = v.slice(k + 1);
        if (option.arg === 'none') {
          use.span = nameSpan;
          header.options.push(use);
          continue;
        }
        if (rest !== '') {
          use.value = rest;
          use.valueSpan = { line: tok.line, start: at + 1, end: tok.end };
        } else if (option.arg === 'required') {
          const next = argv[i + 1];
          if (!next) {
            header.problems.push({ code: 'missing-option-value', span: nameSpan, text: use.written });
            break;
          }
          i++;
          use.value = next.value;
          use.valueSpan = { line: next.line, start: next.start, end: next.end };
          if (next.line === tok.line) use.span = { line: tok.line, start: nameSpan.start, end: next.end };
        }
        markPlaceholder(use, header);
        header.options.push(use);
        break;
      }
      continue;
    }
    const tag = placeholderIn(v);
    if (tag !== undefined) {
      // a whole argument a template fills in (`#SBATCH {{ extra_args }}`)
      header.placeholders.push({ line: tok.line, start: tok.start, end: tok.end, text: tag });
      continue;
    }
    // sbatch's option string starts with '+': the first non-option ends option processing.
    header.problems.push({ code: 'stray-argument', span: { line: tok.line, start: tok.start, end: tok.end }, text: v });
    return;
  }
}

function markPlaceholder(use: OptionUse, header: SbatchHeader): void {
  if (use.value === undefined) return;
  const tag = placeholderIn(use.value);
  if (tag === undefined) return;
  use.placeholder = tag;
  delete use.value;
  header.placeholders.push({ ...(use.valueSpan ?? use.span), text: tag });
}

/** The last use of an option wins, as with getopt. */
export function lastOption(header: SbatchHeader, name: string): OptionUse | undefined {
  for (let i = header.options.length - 1; i >= 0; i--) if (header.options[i]!.option.name === name) return header.options[i];
  return undefined;
}

/** Lines of a script without their line ends (`\n`, `\r\n`). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

export { headerLines };
