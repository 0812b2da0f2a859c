/**
 * Users' regular expressions (progress stages in .hpc-geo.yaml, the log page's Regex search) run
 * in the extension host on every log line, where one catastrophic backtrack freezes everything.
 * Every such regex goes through `checkUserRegex` before it is used, and is run only on text cut to
 * `USER_REGEX_MAX_INPUT` characters. Pure (no vscode).
 *
 * The analysis is scslre's (the library behind eslint-plugin-regexp's no-super-linear-backtracking
 * and no-super-linear-move, which the product's own regexes pass): a regex is refused when some
 * input made of one repeated character makes it backtrack exponentially or polynomially. It is run
 * with `assumeRejectingSuffix`: its heuristic for whether the rest of a pattern can fail misses
 * a repeat that fails for want of its last repetition (`(.*a){20}` on a line with 19 'a'). A
 * quadratic move of the match start (`\d+ tiles` retried from every digit of a long number) is
 * accepted: ordinary progress patterns are written that way, and on a line cut to
 * `USER_REGEX_MAX_INPUT` characters it costs at most a few milliseconds. scslre only finds attack
 * strings that repeat a single character through quantifiers; common/regexAnalyser adds the
 * repeats it does not look at (alternatives that can match the same text inside a repeat,
 * `(a|aa)+`, and a counted repeat of something that can match nothing, `(a?){25}`). The cut line
 * length bounds the rest.
 */
import type { Report } from 'scslre';
import type { RepeatFinding } from './regexAnalyser';

// common/ has no Node types (the log page is built from it too); bundlers and Node both provide require
declare const require: (id: './regexAnalyser') => typeof import('./regexAnalyser');

/** The longest text a user's regex is run on; a longer line is cut to this before matching. */
export const USER_REGEX_MAX_INPUT = 4096;

/** The longest regex source accepted (the analysis itself must stay quick). */
export const USER_REGEX_MAX_SOURCE = 1000;

export type UserRegexCheck = { ok: true; regex: RegExp } | { ok: false; reason: string };

/**
 * Compiles `source` with `flags` and refuses it if it does not compile or can take super-linear
 * time. `reason` is a sentence for the user, meant to follow the value's name or location.
 */
export function checkUserRegex(source: string, flags: string): UserRegexCheck {
  if (source.length > USER_REGEX_MAX_SOURCE) return { ok: false, reason: `the regular expression is longer than ${USER_REGEX_MAX_SOURCE} characters` };
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    return { ok: false, reason: `not a regular expression: ${(e as Error).message}` };
  }
  let reports: Report[];
  let repeat: RepeatFinding | undefined;
  let show: (set: Report['character']['set']) => string;
  try {
    // loaded on first use: the analyser is most of this module's weight, and activation needs none of it
    const { analyse, findRepeatAmbiguity, readable } = require('./regexAnalyser');
    show = readable;
    reports = analyse({ source: regex.source, flags: regex.flags }, { maxReports: 1, reportTypes: { Move: false }, assumeRejectingSuffix: true }).reports;
    repeat = reports.length ? undefined : findRepeatAmbiguity(regex.source, regex.flags);
  } catch (e) {
    return { ok: false, reason: `the regular expression could not be checked for slow matching: ${(e as Error).message}` };
  }
  const r = reports[0];
  if (r) return { ok: false, reason: explain(r, regex.source, JSON.stringify(show(r.character.set))) };
  if (repeat) return { ok: false, reason: explainRepeat(repeat, regex.source) };
  return { ok: true, regex };
}

const quote = (s: string) => `'${s}'`;
const many = (text: string) => (text.length === 1 ? `many ${quote(text)}` : `${quote(text)} many times over`);

function explainRepeat(r: RepeatFinding, source: string): string {
  const raw = (q: { start: number; end: number }) => source.slice(q.start, q.end);
  switch (r.type) {
    case 'Overlap': {
      const then = r.next !== undefined && !r.text.includes(r.next) ? `not followed by ${quote(r.next)}` : 'on which the rest of the pattern then fails';
      return `the regular expression can take exponential time: the alternatives ${raw(r.a)} and ${raw(r.b)} in ${quote(raw(r.quant))} can match the same text inside a repeat, so a line of ${many(r.text)} ${then} is tried in every way of splitting it between them; make the alternatives match different text`;
    }
    case 'EmptyOrNot': {
      const element = raw(r.element);
      const instead = r.instead ? `, e.g. ${r.instead} instead of ${raw(r.quant)}` : '';
      return `the regular expression can take exponential time: ${quote(element)} can match nothing or ${quote(r.char)}, and ${quote(raw(r.quant))} repeats it up to ${r.max} times, so a line of ${many(r.char)} on which the rest of the pattern fails is tried in every way of sharing the characters out among the repetitions; make each repetition match at least one character${instead}`;
    }
    case 'Split':
      return `the regular expression can take exponential time: text such as ${quote(r.text)} can be matched by one repetition of ${quote(raw(r.element))} or by several, in ${quote(raw(r.quant))}, so a long line of such text on which the rest of the pattern fails is tried in every way of splitting it among the repetitions; let each repetition match in one way only`;
  }
}

function explain(r: Report, source: string, ch: string): string {
  const where = (q: { start: number; end: number }) => `'${source.slice(q.start, q.end)}'`;
  // scslre's own rewrite (r.fix()) is not offered: it can be as slow as the original ((x+x+)+y → (x{2,})+y)
  switch (r.type) {
    case 'Self':
      if (r.parentQuant.max !== Infinity && !r.exponential) {
        // `.*a` in the repeat: `[^a]*a` takes each 'a' in one repetition only
        const elements = r.quant.parent.type === 'Alternative' ? r.quant.parent.elements : [];
        const next = elements[elements.indexOf(r.quant) + 1];
        const e = r.quant.element;
        const hint = e.type === 'CharacterSet' && e.kind === 'any' && next?.type === 'Character' && !next.raw.startsWith('\\') && r.quant.max === Infinity
          ? ` (e.g. [^${next.raw}]${source.slice(e.end, r.quant.end)}${next.raw} in place of ${source.slice(r.quant.start, next.end)})` : '';
        return `the regular expression can take polynomial time (of degree up to ${r.parentQuant.max}) on a line of repeated ${ch}: ${where(r.quant)} can take the same characters in any of the ${r.parentQuant.max} repetitions of ${where(r.parentQuant)}, and a line on which the pattern fails is tried in every way of sharing them out; let ${where(r.quant)} stop where the next repetition starts${hint}`;
      }
      return `the regular expression can take ${r.exponential ? 'exponential' : 'polynomial'} time on a line of repeated ${ch}: ${where(r.quant)} repeats inside ${where(r.parentQuant)}; let each repetition match in one way only`;
    case 'Trade':
      return `the regular expression can take ${r.exponential ? 'exponential' : 'polynomial'} time on a line of repeated ${ch}: ${where(r.startQuant)} and ${where(r.endQuant)} can match the same characters; make them match different characters`;
    case 'Move':
      return `the regular expression can take time quadratic in the line length on a line of repeated ${ch}: ${where(r.quant)} is tried again from every position; anchor it (^) or put a lookbehind before it, e.g. (?<!\\d)\\d+ instead of \\d+`;
  }
}
