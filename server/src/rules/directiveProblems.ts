/**
 * The rules that report what getopt and sbatch's own parser refuse: one rule per problem code of
 * common/sbatch/directives, so each keeps its own id, docs and examples.
 */
import type { DirectiveProblemCode } from '../../../common/sbatch/directives';
import { spanOffsets } from '../analysis/script';
import type { Rule, RuleContext } from './rule';
import { didYouMean, LONG_OPTION_NAMES, suggest } from './util';

export function problemsOf(ctx: RuleContext, code: DirectiveProblemCode) {
  return ctx.script.header.problems.filter((p) => p.code === code).map((p) => ({ problem: p, ...spanOffsets(ctx.script, p.span) }));
}

export const unknownOption: Rule = {
  id: 'unknown-option',
  severity: 'error',
  title: 'Unknown #SBATCH option',
  kinds: ['sbatch'],
  docs: {
    problem: 'A `#SBATCH` line names an option sbatch does not have, usually a typo (`--cpu-per-task`, `--partion`).',
    why: 'sbatch refuses the whole script ("unrecognized option") and the job is never queued; in a pipeline that submits many jobs, the rest of the chain does not start either.',
    fix: 'Use the option sbatch knows; the quick fix applies the closest one.',
    source: 'sbatch(1), OPTIONS.',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'unknown-option')) {
      const suggestion = problem.text.startsWith('--') ? didYouMean(problem.text.slice(2), LONG_OPTION_NAMES) : undefined;
      ctx.report(suggest(start, end, `sbatch has no option ${problem.text} and refuses a script with an unknown option`, suggestion && `--${suggestion}`));
    }
  },
};

export const ambiguousOption: Rule = {
  id: 'ambiguous-option',
  severity: 'error',
  title: 'Ambiguous abbreviation of an #SBATCH option',
  kinds: ['sbatch'],
  docs: {
    problem: 'A long option is written as a prefix that fits several options (`--mem-per` fits `--mem-per-cpu` and `--mem-per-gpu`).',
    why: 'getopt_long accepts unambiguous prefixes only; an ambiguous one makes sbatch refuse the script.',
    fix: 'Write the option in full.',
    source: 'getopt_long(3); sbatch(1).',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'ambiguous-option')) {
      const names = (problem.candidates ?? []).map((c) => `--${c.name}`);
      ctx.report({ start, end, message: `${problem.text} is ambiguous: it could be ${names.join(', ')}. Write the option in full.` });
    }
  },
};

export const missingOptionValue: Rule = {
  id: 'missing-option-value',
  severity: 'error',
  title: 'An #SBATCH option without its value',
  kinds: ['sbatch'],
  docs: {
    problem: 'An option that needs a value (`--time`, `--partition`, ...) has none.',
    why: 'sbatch stops with "option requires an argument" and the job is not submitted.',
    fix: 'Give the value: `--time=02:00:00`.',
    source: 'sbatch(1).',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'missing-option-value')) {
      ctx.report({ start, end, message: `${problem.text} needs a value (${problem.text}=<value>); sbatch refuses the script without it.` });
    }
  },
};

export const unexpectedOptionValue: Rule = {
  id: 'unexpected-option-value',
  severity: 'error',
  title: 'A value given to an #SBATCH option that takes none',
  kinds: ['sbatch'],
  docs: {
    problem: 'A flag such as `--hold` or `--requeue` is written with `=value`.',
    why: 'getopt refuses it ("option doesn\'t allow an argument") and the job is not submitted.',
    fix: 'Drop the value.',
    source: 'sbatch(1).',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'unexpected-option-value')) {
      const keep = start + ctx.script.text.slice(start, end).indexOf('=');
      ctx.report({
        start,
        end,
        message: `${problem.text} takes no value; sbatch refuses the script.`,
        fix: { title: `Remove the value of ${problem.text}`, edits: [{ start: keep, end, newText: '' }] },
      });
    }
  },
};

export const unmatchedQuote: Rule = {
  id: 'unmatched-quote',
  severity: 'error',
  title: 'Unmatched quote in an #SBATCH line',
  kinds: ['sbatch'],
  docs: {
    problem: 'A `"` or `\'` in a directive is never closed.',
    why: 'sbatch stops with "Unmatched `\\"`" before submitting anything.',
    fix: 'Close the quote on the same line; directives cannot continue on the next line.',
    source: 'Slurm src/sbatch/opt.c, _get_argument().',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'unmatched-quote')) {
      ctx.report({ start, end, message: `This directive opens a ${problem.quote} quote that is never closed; sbatch refuses the script.` });
    }
  },
};

export const strayArgument: Rule = {
  id: 'stray-argument',
  severity: 'error',
  title: 'A word that is not an option stops sbatch reading directives',
  kinds: ['sbatch'],
  docs: {
    problem: 'A directive holds a word that is neither an option nor an option\'s value (`#SBATCH --nodes 4 nodes`, `#SBATCH time=1:00:00`).',
    why: 'sbatch reads directives with getopt_long in "+" mode: the first non-option ends option processing, so this word and every directive after it are silently ignored; the job runs with default resources.',
    fix: 'Remove the word, or write it as an option (`--time=1:00:00`).',
    source: 'Slurm src/sbatch/opt.c (option string starts with "+"); getopt(3).',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'stray-argument')) {
      const asOption = /^[a-z][a-z-]*=/.test(problem.text) ? ` (did you mean --${problem.text}?)` : '';
      ctx.report({
        start,
        end,
        message: `'${problem.text}' is not an option${asOption}: sbatch stops reading directives here, so it and every later #SBATCH line are ignored.`,
        ...(asOption ? { fix: { title: `Change to --${problem.text}`, edits: [{ start, end, newText: `--${problem.text}` }] } } : {}),
      });
    }
  },
};

export const abbreviatedOption: Rule = {
  id: 'abbreviated-option',
  severity: 'info',
  title: 'Abbreviated #SBATCH option',
  kinds: ['sbatch'],
  docs: {
    problem: 'A long option is written as a prefix (`--part=normal` for `--partition`).',
    why: 'getopt_long accepts it today, but a Slurm release that adds an option with the same prefix turns it into an error; readers also have to guess.',
    fix: 'Write the option in full; the quick fix does.',
    source: 'getopt_long(3).',
  },
  check(ctx) {
    for (const use of ctx.script.header.options) {
      if (!use.abbreviated) continue;
      const { start, end } = spanOffsets(ctx.script, use.nameSpan);
      ctx.report({ start, end, message: `${use.written} is short for --${use.option.name}; write it in full.`, fix: { title: `Expand to --${use.option.name}`, edits: [{ start, end, newText: `--${use.option.name}` }] } });
    }
  },
};
