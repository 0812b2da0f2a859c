/**
 * Users' regular expressions (progress stages in .hpc-geo.yaml, the log page's Regex search) run
 * in the extension host on every log line, where one catastrophic backtrack freezes everything.
 * Every such regex goes through `checkUserRegex` before it is used, and is run only on text cut to
 * `USER_REGEX_MAX_INPUT` characters. Pure (no vscode).
 *
 * The analysis is scslre's (the library behind eslint-plugin-regexp's no-super-linear-backtracking
 * and no-super-linear-move, which the product's own regexes pass): a regex is refused when some
 * input made of one repeated character makes it backtrack exponentially or polynomially. A
 * quadratic move of the match start (`\d+ tiles` retried from every digit of a long number) is
 * accepted: ordinary progress patterns are written that way, and on a line cut to
 * `USER_REGEX_MAX_INPUT` characters it costs at most a few milliseconds. scslre only finds attack
 * strings that repeat a single character; the cut line length bounds the rest.
 */
import type { Report } from 'scslre';

// common/ has no Node types (the log page is built from it too); bundlers and Node both provide require
declare const require: (id: 'scslre') => typeof import('scslre');

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
  try {
    // loaded on first use: the analyser is most of this module's weight, and activation needs none of it
    const { analyse } = require('scslre');
    reports = analyse({ source: regex.source, flags: regex.flags }, { maxReports: 1, reportTypes: { Move: false } }).reports;
  } catch (e) {
    return { ok: false, reason: `the regular expression could not be checked for slow matching: ${(e as Error).message}` };
  }
  const r = reports[0];
  if (!r) return { ok: true, regex };
  return { ok: false, reason: explain(r, regex.source) };
}

function explain(r: Report, source: string): string {
  const ch = JSON.stringify(r.character.pick);
  const where = (q: { start: number; end: number }) => `'${source.slice(q.start, q.end)}'`;
  // scslre's own rewrite (r.fix()) is not offered: it can be as slow as the original ((x+x+)+y → (x{2,})+y)
  switch (r.type) {
    case 'Self':
      return `the regular expression can take ${r.exponential ? 'exponential' : 'polynomial'} time on a line of repeated ${ch}: ${where(r.quant)} repeats inside ${where(r.parentQuant)}; let each repetition match in one way only`;
    case 'Trade':
      return `the regular expression can take ${r.exponential ? 'exponential' : 'polynomial'} time on a line of repeated ${ch}: ${where(r.startQuant)} and ${where(r.endQuant)} can match the same characters; make them match different characters`;
    case 'Move':
      return `the regular expression can take time quadratic in the line length on a line of repeated ${ch}: ${where(r.quant)} is tried again from every position; anchor it (^) or put a lookbehind before it, e.g. (?<!\\d)\\d+ instead of \\d+`;
  }
}
