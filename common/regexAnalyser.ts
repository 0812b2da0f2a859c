/**
 * The regex analyser behind `checkUserRegex` (common/regexSafety), loaded on first use and bundled
 * apart from the extension host, the server and hpc-lint (esbuild.mjs): scslre and the refa and
 * regexp-ast-analysis it is built on are most of a megabyte.
 *
 * scslre finds backtracking whose attack string repeats one character through a quantifier that
 * can take the same characters in two places. Two shapes it does not look at, both found here on
 * the regexpp AST, with refa for the languages and regexp-ast-analysis for lengths and characters:
 * - a repeated group whose alternatives can match the same text, one alone or followed by more
 *   repetitions: `(a|a)*`, `(\w|\d)+`, `(a|aa)+`, `(.|\s)*`. A line repeating that text has
 *   exponentially many ways through the repeat, all tried when the rest of the pattern fails.
 * - a counted repeat of something that can match nothing or something: `(a?){25}`. The characters
 *   can be shared out among the repetitions in exponentially many ways.
 * - a counted repeat of something whose text two or more repetitions can match too:
 *   `(\d{1,9}){1,40}` (scslre looks at unbounded repeats only).
 * Each looks at one repeat and the alternatives of the group it repeats, not at an alternation
 * nested deeper in it (`(x(a|a))+`); the cut line length is the bound for what is missed.
 */
import { RegExpParser, visitRegExpAST, type AST } from '@eslint-community/regexpp';
import { JS, NFA, TooManyNodesError, Words, getIntersectionWordSets, isDisjointWith, type CharSet } from 'refa';
import { getFirstCharAfter, getFirstConsumedChar, getLengthRange } from 'regexp-ast-analysis';

export { analyse } from 'scslre';

/** Positions are in the regex source. */
export type Span = { start: number; end: number };

export type RepeatFinding =
  /** Alternatives `a` and `b` of the group repeated by `quant` can match `text`, `a` and `b` each followed by repetitions. */
  | { type: 'Overlap'; quant: Span; a: Span; b: Span; text: string; next?: string }
  /** `quant` (a counted repeat, at most `max`) repeats `element`, which can match nothing or `char`; `instead` is the same repeat written without the ambiguity, when it is a simple one (`a{0,25}` for `(a?){25}`). */
  | { type: 'EmptyOrNot'; quant: Span; element: Span; max: number; char: string; instead?: string }
  /** `element`, repeated by `quant`, can match `text` alone or as two or more repetitions. */
  | { type: 'Split'; quant: Span; element: Span; text: string };

/** NFA states refa may build for one check; beyond this the regex is refused as too complex to check. */
const MAX_NODES = 20_000;

/** A character of `set` to show, in lower case when the set has it (a case-insensitive regex's sets have both). */
export function readable(set: CharSet): string {
  const c = Words.pickMostReadableCharacter(set);
  if (c === undefined) return '';
  const lower = String.fromCodePoint(c).toLowerCase();
  return [...lower].length === 1 && set.has(lower.codePointAt(0)!) ? lower : String.fromCodePoint(c);
}

/** `(a?){25}` as `a{0,25}`: a counted repeat of a group holding only an optional single character. */
function simpler(q: AST.Quantifier): { instead?: string } {
  let e: AST.Node = q.element;
  while ((e.type === 'Group' || e.type === 'CapturingGroup') && e.alternatives.length === 1 && e.alternatives[0].elements.length === 1) e = e.alternatives[0].elements[0];
  if (e.type !== 'Quantifier' || e.min !== 0 || e.max === Infinity || !e.greedy) return {};
  const c = e.element;
  if (c.type !== 'Character' && c.type !== 'CharacterClass' && c.type !== 'CharacterSet') return {};
  return { instead: `${c.raw}{0,${q.max * e.max}}` };
}

/**
 * The first repeat of the regex that backtracks exponentially in one of the two shapes above, if any.
 * Throws an Error saying so when the regex is too large to analyse (a high repeat count of a large part).
 */
export function findRepeatAmbiguity(source: string, flags: string): RepeatFinding | undefined {
  try {
    return findIn(source, flags);
  } catch (e) {
    if (e instanceof TooManyNodesError) throw new Error(`it is too large to analyse (more than ${MAX_NODES.toLocaleString('en-US')} states; a repeat count too high?)`);
    throw e;
  }
}

function findIn(source: string, flags: string): RepeatFinding | undefined {
  const parser = new RegExpParser();
  const f = parser.parseFlags(flags);
  const pattern = parser.parsePattern(source, undefined, undefined, f);
  const refa = JS.Parser.fromAst({ pattern, flags: f });
  // assertions are taken as matching anywhere and backreferences as matching nothing: the languages are those of the rest
  const nfa = (e: AST.Alternative | AST.Element) => {
    const { expression, maxCharacter } = refa.parseElement(e, { assertions: 'ignore', backreferences: 'disable', maxNodes: MAX_NODES });
    return NFA.fromRegex(expression, { maxCharacter }, { assertions: 'ignore' }, new NFA.LimitedNodeFactory(MAX_NODES));
  };
  const span = (n: AST.Node): Span => ({ start: n.start, end: n.end });
  let found: RepeatFinding | undefined;
  visitRegExpAST(pattern, {
    onQuantifierLeave(q) {
      if (found || q.max < 2) return;
      const lengths = getLengthRange(q.element, f);
      if (q.max !== Infinity && lengths.min === 0 && lengths.max > 0) {
        found = { type: 'EmptyOrNot', quant: span(q), element: span(q.element), max: q.max, char: readable(getFirstConsumedChar(q.element, 'ltr', f).char), ...simpler(q) };
        return;
      }
      let group: AST.Node = q.element;
      while ((group.type === 'Group' || group.type === 'CapturingGroup') && group.alternatives.length === 1 && group.alternatives[0].elements.length === 1) {
        group = group.alternatives[0].elements[0];
      }
      if ((group.type === 'Group' || group.type === 'CapturingGroup') && group.alternatives.length > 1) overlap(q, group.alternatives);
      // what one repetition matches, two or more can too: (\d{1,9}){1,20}; scslre looks at unbounded repeats only
      if (!found && lengths.min > 0 && lengths.max >= 2 * lengths.min) {
        const one = nfa(q.element);
        const more = nfa(q.element);
        more.quantify(2, Infinity, new NFA.LimitedNodeFactory(MAX_NODES));
        const ws = isDisjointWith(one, more, MAX_NODES) ? undefined : first(getIntersectionWordSets(one, more, MAX_NODES));
        if (ws) found = { type: 'Split', quant: span(q), element: span(q.element), text: ws.map(readable).join('') };
      }
    },
  });
  return found;

  function overlap(q: AST.Quantifier, alternatives: AST.Alternative[]): void {
    // alternative i followed by any number of repetitions, built when two alternatives can start alike
    const firsts = alternatives.map((alt) => getFirstConsumedChar(alt, 'ltr', f));
    const tails: NFA[] = [];
    const tail = (i: number) => {
      if (!tails[i]) {
        const rest = nfa(q.element);
        rest.quantify(0, Infinity, new NFA.LimitedNodeFactory(MAX_NODES)); // a bounded repeat taken as unbounded: smaller, and as ambiguous
        const a = nfa(alternatives[i]);
        a.append(rest, new NFA.LimitedNodeFactory(MAX_NODES));
        tails[i] = a;
      }
      return tails[i];
    };
    for (let i = 0; i < firsts.length && !found; i++) {
      for (let j = i + 1; j < firsts.length && !found; j++) {
        if (!firsts[i].empty && !firsts[j].empty && firsts[i].char.isDisjointWith(firsts[j].char)) continue;
        if (tail(i).isEmpty || tail(j).isEmpty || isDisjointWith(tail(i), tail(j), MAX_NODES)) continue;
        const ws = first(getIntersectionWordSets(tail(i), tail(j), MAX_NODES)); // both may match nothing: the shortest text they share after that
        if (!ws) continue;
        const text = ws.map(readable).join('');
        const after = getFirstCharAfter(q, 'ltr', f);
        const next = !after.edge && !after.char.isEmpty ? readable(after.char) : undefined;
        found = { type: 'Overlap', quant: span(q), a: span(alternatives[i]), b: span(alternatives[j]), text, ...(next !== undefined ? { next } : {}) };
      }
    }
  }
}

/** The first non-empty word set, shortest first. */
function first(wordSets: Iterable<CharSet[]>): CharSet[] | undefined {
  for (const ws of wordSets) if (ws.length > 0) return ws;
  return undefined;
}
