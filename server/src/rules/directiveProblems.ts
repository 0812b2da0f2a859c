/**
 * The rules that report what getopt and sbatch's own parser refuse: one rule per problem code of
 * common/sbatch/directives, so each keeps its own id, docs and examples.
 */
import type { DirectiveProblem, DirectiveProblemCode } from '../../../common/sbatch/directives';
import { NOT_SBATCH_OPTIONS, REMOVED_OPTIONS, SBATCH_OPTIONS, SPANK_PLUGIN_OPTIONS } from '../../../common/sbatch/options';
import optionTable from '../../../common/sbatch/slurmOptionTable.json';
import { spanOffsets } from '../analysis/script';
import { compareVersions } from '../profiles/profiles';
import type { Rule, RuleContext } from './rule';
import { didYouMean, suggest } from './util';

export function problemsOf(ctx: RuleContext, code: DirectiveProblemCode) {
  return ctx.script.header.problems.filter((p) => p.code === code).map((p) => ({ problem: p, ...spanOffsets(ctx.script, p.span) }));
}

/** Options worth suggesting for a typo: not the ones that only print and exit, not deprecated spellings. */
const SUGGESTABLE = SBATCH_OPTIONS.filter((o) => !o.deprecated && !['help', 'usage', 'version'].includes(o.name)).map((o) => o.name);

/**
 * What an option sbatch does not know most likely is: a removed option, a typo of a real one
 * (close in spelling: one edit for a short name, about a third of a longer one), or, with
 * neither, an option of a SPANK plugin the site installed (Shifter's --image, pyxis's
 * --container-image), which joins sbatch's option table there.
 */
export function classifyUnknown(problem: DirectiveProblem): Unknown {
  let out = classified.get(problem);
  if (!out) classified.set(problem, (out = classify(problem)));
  return out;
}

type Unknown =
  | { kind: 'removed'; name: string; until: string; use: string }
  | { kind: 'typo'; suggestion: string }
  | { kind: 'plugin'; name: string; plugin?: string }
  | { kind: 'short' }
  | { kind: 'elsewhere'; tools: readonly string[] };

/** Both rules that read unknown options ask; the answer is computed once per problem. */
const classified = new WeakMap<DirectiveProblem, Unknown>();

function classify(problem: DirectiveProblem): Unknown {
  const elsewhere = NOT_SBATCH_OPTIONS.get(problem.text);
  if (elsewhere) return { kind: 'elsewhere', tools: elsewhere.tools };
  if (!problem.text.startsWith('--')) return { kind: 'short' };
  const name = problem.text.slice(2);
  const removed = REMOVED_OPTIONS.get(name);
  if (removed) return { kind: 'removed', name, ...removed };
  const plugin = SPANK_PLUGIN_OPTIONS.get(name);
  if (plugin) return { kind: 'plugin', name, plugin };
  const limit = name.length <= 5 ? 1 : Math.max(2, Math.floor(name.length / 3));
  const suggestion = didYouMean(name, SUGGESTABLE, limit);
  return suggestion ? { kind: 'typo', suggestion } : { kind: 'plugin', name };
}

/** En, em and figure dashes and the minus sign: what formatted pages show for `--`. */
const TYPOGRAPHIC_DASH = /^[\u2012-\u2015\u2212]$/;

export const unknownOption: Rule = {
  id: 'unknown-option',
  severity: 'error',
  title: 'Unknown #SBATCH option',
  kinds: ['sbatch'],
  docs: {
    problem: 'A `#SBATCH` line names an option sbatch does not have and that is a typo of one it has (`--cpu-per-task`, `--partion`), an option Slurm removed (`--workdir`, removed in 19.05: `--chdir`), or a hyphen and a typographic dash pasted from a formatted page (`-—mem=16G`).',
    why: 'sbatch refuses the whole script ("unrecognized option") and the job is never queued; in a pipeline that submits many jobs, the rest of the chain does not start either. An unknown name close to no option of sbatch\'s is reported by `site-plugin-option` instead (a warning: it may be a site plugin\'s).',
    fix: 'Use the option sbatch knows; the quick fix applies the closest one, or the replacement of a removed one.',
    source: 'sbatch(1), OPTIONS; Slurm src/common/slurm_opt.c (the option table); Slurm\'s git history ("Remove --workdir option from sbatch", 19.05).',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'unknown-option')) {
      const what = classifyUnknown(problem);
      if (what.kind === 'plugin') continue;
      if (what.kind === 'removed') {
        ctx.report({
          start,
          end,
          message: `--${what.name} was removed in Slurm ${what.until}; use --${what.use}. sbatch refuses a script with an unknown option.`,
          fix: { title: `Change to --${what.use}`, edits: [{ start, end, newText: `--${what.use}` }] },
        });
        continue;
      }
      if (what.kind === 'elsewhere') {
        ctx.report({ start, end, message: `${problem.text} is an option of ${what.tools.join(' and ')}, not of sbatch, which refuses a script with an unknown option.` });
        continue;
      }
      if (TYPOGRAPHIC_DASH.test(problem.text.slice(1, 2))) {
        // `-—mem=16G`, `-–time`: a hyphen and an en or em dash, pasted from formatted text
        ctx.report({ start, end, message: `${problem.text} is a hyphen and a typographic dash (${problem.text.slice(1, 2)}), as text pasted from a formatted page has it: sbatch refuses a script with an unknown option. Write two hyphens.`, fix: { title: 'Write --', edits: [{ start, end, newText: '--' }] } });
        continue;
      }
      const suggestion = what.kind === 'typo' ? `--${what.suggestion}` : undefined;
      ctx.report(suggest(start, end, `sbatch has no option ${problem.text} and refuses a script with an unknown option`, suggestion));
    }
  },
};

export const sitePluginOption: Rule = {
  id: 'site-plugin-option',
  severity: 'warning',
  title: 'An #SBATCH option that only a site plugin can provide',
  kinds: ['sbatch'],
  docs: {
    problem: 'A `#SBATCH` line names an option that is not sbatch\'s and not close to one of its options: most often an option of a SPANK plugin the site installed (Shifter\'s `--image`, `--volume`; pyxis\'s `--container-image`, `--container-mounts`).',
    why: 'SPANK plugins add their options to sbatch\'s own table where they are loaded (plugstack.conf), so the script works on that site and is refused ("unrecognized option") everywhere else. Without the site\'s plugin list the linter cannot tell which, so this is a warning, not an error.',
    fix: 'Nothing, on the site whose plugin provides it. To run elsewhere, drop the option and do what the plugin did another way (`apptainer exec` for a container image).',
    source: 'spank(8), "SPANK OPTIONS"; Slurm src/common/slurm_opt.c, slurm_option_table_create() (SPANK options join the table).',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'unknown-option')) {
      const what = classifyUnknown(problem);
      if (what.kind !== 'plugin') continue;
      const known = what.plugin ? `an option of the ${what.plugin} SPANK plugin` : 'not an option of sbatch itself; if a SPANK plugin of your site provides it, it works there';
      ctx.report({ start, end, message: `${problem.text} is ${known}: sbatch refuses it ("unrecognized option") on clusters without that plugin.` });
    }
  },
};

export const deprecatedOption: Rule = {
  id: 'deprecated-option',
  severity: 'info',
  title: 'A deprecated spelling of an #SBATCH option',
  kinds: ['sbatch'],
  docs: {
    problem: 'A directive uses an old spelling that sbatch still reads: `--tasks-per-node` (for `--ntasks-per-node`), `--cluster` (for `--clusters`).',
    why: 'It works (Slurm 22.05 to 25.x keep these entries in the option table), but it is not in the man page, so readers look for it in vain, and Slurm may drop it.',
    fix: 'Write the current name; the quick fix does.',
    source: 'Slurm src/common/slurm_opt.c ("Deprecated form of --ntasks-per-node"; the `cluster` entry).',
  },
  check(ctx) {
    for (const use of ctx.script.header.options) {
      const entry = use.alias ?? use.option;
      if (!entry.deprecated || use.abbreviated) continue;
      const preferred = entry.aliasOf ?? entry.preferred;
      if (!preferred) continue;
      const { start, end } = spanOffsets(ctx.script, use.nameSpan);
      ctx.report({ start, end, message: `--${entry.name} is a deprecated spelling of --${preferred}; sbatch still reads it, but write --${preferred}.`, fix: { title: `Change to --${preferred}`, edits: [{ start, end, newText: `--${preferred}` }] } });
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
    problem: 'A directive holds a word that is neither an option nor an option\'s value (`#SBATCH --nodes 4 nodes`, `#SBATCH time=1:00:00`, an em dash pasted for two hyphens: `#SBATCH —mem=16G`).',
    why: 'sbatch reads directives with getopt_long in "+" mode: the first non-option ends option processing, so this word and every directive after it are silently ignored; the job runs with default resources.',
    fix: 'Remove the word, or write it as an option (`--time=1:00:00`).',
    source: 'Slurm src/sbatch/opt.c (option string starts with "+"); getopt(3).',
  },
  check(ctx) {
    for (const { problem, start, end } of problemsOf(ctx, 'stray-argument')) {
      const dash = /^[\u2012-\u2015\u2212]{1,2}(?=[a-z])/.exec(problem.text);
      if (dash) {
        // `—mem=16G`: an em dash where two hyphens belong, pasted from formatted text
        const written = `--${problem.text.slice(dash[0].length)}`;
        ctx.report({ start, end, message: `'${problem.text}' starts with a typographic dash (${dash[0]}), not two hyphens, as text pasted from a formatted page has it: sbatch takes it for a word, stops reading directives here, and ignores it and every later #SBATCH line. Write ${written}.`, fix: { title: `Change to ${written}`, edits: [{ start, end: start + dash[0].length, newText: '--' }] } });
        continue;
      }
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
      const entry = use.alias ?? use.option;
      const through = use.alias ? `, a deprecated spelling of --${use.option.name}` : '';
      ctx.report({ start, end, message: `${use.written} is short for --${entry.name}${through}; write --${use.option.name} in full.`, fix: { title: `Expand to --${use.option.name}`, edits: [{ start, end, newText: `--${use.option.name}` }] } });
    }
  },
};

/** When each option came and went, as scripts/sbatchOptionTable.ts read it from Slurm's source. */
const OPTION_RELEASES = new Map(optionTable.options.map((o) => [o.name, o as { since: string; until?: string }]));
const RELEASES = optionTable.releases.map((r) => r.release);
const FIRST_RELEASE = RELEASES[0]!;
const LAST_RELEASE = RELEASES.at(-1)!;

/** The release after `until` in the table: the first that no longer has the option. */
function removedIn(until: string): string {
  return RELEASES[RELEASES.indexOf(until) + 1] ?? `after ${until}`;
}

export const optionOutsideSlurmVersion: Rule = {
  id: 'option-outside-slurm-version',
  severity: 'error',
  title: 'An #SBATCH option the cluster\'s Slurm release does not have',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script uses an option that is newer than the Slurm release of the cluster profile (`--oom-kill-step`, new in 24.11, on a 23.02 cluster), or one that release no longer has (`--power`, gone in 24.05). Applies when the profile says which release the cluster runs (`slurmVersion`); the generic profile does not, and this rule is then silent.',
    why: 'sbatch knows only the options of its own release: it refuses the script with "unrecognized option" and nothing is queued. A script written on a newer cluster, or from the current man page, fails on an older one.',
    fix: 'Leave the option out on this cluster, or use what the release has (`sbatch --help` on a login node lists them). If the profile\'s release is wrong, set `slurmVersion` in .hpc-geo.yaml.',
    source: 'Slurm\'s option table (src/common/slurm_opt.c) at the tags of 22.05, 23.02, 23.11, 24.05 and 24.11, read by scripts/sbatchOptionTable.ts into common/sbatch/slurmOptionTable.json.',
  },
  check(ctx) {
    const version = ctx.profile.slurmVersion;
    if (!version) return;
    for (const use of ctx.script.header.options) {
      const r = OPTION_RELEASES.get(use.alias?.name ?? use.option.name);
      if (!r) continue;
      const tooNew = r.since !== FIRST_RELEASE && compareVersions(version, r.since) < 0;
      const gone = r.until !== undefined && r.until !== LAST_RELEASE && compareVersions(version, removedIn(r.until)) >= 0;
      if (!tooNew && !gone) continue;
      const { start, end } = spanOffsets(ctx.script, use.nameSpan);
      const what = tooNew ? `is new in Slurm ${r.since}` : `was removed in Slurm ${removedIn(r.until!)}`;
      ctx.report({ start, end, message: `${use.written} ${what}, and ${ctx.profile.name} runs ${version} (its profile's slurmVersion): sbatch there refuses the script as an unrecognized option.` });
    }
  },
};
