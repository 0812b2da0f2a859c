/** Values of #SBATCH options that Slurm refuses or reads differently from what was meant. */
import type { OptionUse } from '../../../common/sbatch/directives';
import { formatTime, parseArray, parseCount, parseDependency, parseMemoryMB, parseNodes, parseTime } from '../../../common/sbatch/values';
import { option, type Script } from '../analysis/script';
import type { Rule } from './rule';
import { deleteLine, didYouMean, listItems, setValueFix, suggest, useOffsets } from './util';

function valueOffsets(script: Script, use: OptionUse): { start: number; end: number } {
  const o = useOffsets(script, use);
  return { start: o.valueStart, end: o.valueEnd };
}

function uses(script: Script, kinds: readonly string[]): OptionUse[] {
  return script.header.options.filter((u) => kinds.includes(u.option.kind) && u.value !== undefined);
}

function hasVariable(value: string): boolean {
  return /\$|`/.test(value);
}

export const invalidTime: Rule = {
  id: 'invalid-time',
  severity: 'error',
  title: 'Invalid time limit',
  kinds: ['sbatch'],
  docs: {
    problem: '`--time` (or `--time-min`) is not in one of the forms Slurm reads.',
    why: 'sbatch refuses the job ("Invalid time limit specification").',
    fix: 'Use `minutes`, `minutes:seconds`, `hours:minutes:seconds`, `days-hours`, `days-hours:minutes` or `days-hours:minutes:seconds`, e.g. `--time=4-00:00:00`.',
    source: 'sbatch(1), --time.',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['time'])) {
      if (hasVariable(use.value!) || parseTime(use.value!) !== undefined) continue;
      const o = useOffsets(ctx.script, use);
      const hours = /^(\d+)\s*h$/i.exec(use.value!);
      ctx.report({
        start: o.valueStart,
        end: o.valueEnd,
        message: `'${use.value}' is not a Slurm time; sbatch refuses the job. Write days-hours:minutes:seconds, e.g. 1-12:00:00.`,
        ...(hours ? { fix: setValueFix(ctx.script, use, formatTime(Number(hours[1]) * 3600)) } : {}),
      });
    }
  },
};

export const ambiguousTime: Rule = {
  id: 'ambiguous-time',
  severity: 'warning',
  title: 'A time limit that reads as hours:minutes but means minutes:seconds',
  kinds: ['sbatch'],
  docs: {
    problem: '`--time=2:00` looks like two hours but Slurm reads `A:B` as minutes:seconds: two minutes.',
    why: 'The job is killed at the limit ("DUE TO TIME LIMIT"), minutes into a run meant to take hours.',
    fix: 'Write hours in full: `--time=02:00:00`; the quick fix does. If minutes were meant, write `--time=2`.',
    source: 'sbatch(1), --time: "minutes:seconds".',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['time'])) {
      const m = /^(\d{1,2}):(\d{2})$/.exec(use.value!.trim());
      if (!m || Number(m[1]) > 12) continue;
      const o = useOffsets(ctx.script, use);
      const asHours = `${m[1]!.padStart(2, '0')}:${m[2]}:00`;
      ctx.report({
        start: o.valueStart,
        end: o.valueEnd,
        message: `--time=${use.value} is ${Number(m[1])} minute(s) ${Number(m[2])} second(s), not ${Number(m[1])} hour(s): Slurm reads A:B as minutes:seconds. Write ${asHours} for hours.`,
        fix: setValueFix(ctx.script, use, asHours, `Change to ${asHours} (hours:minutes:seconds)`),
      });
    }
  },
};

export const invalidMemory: Rule = {
  id: 'invalid-memory',
  severity: 'error',
  title: 'Invalid memory size',
  kinds: ['sbatch'],
  docs: {
    problem: 'A memory value (`--mem`, `--mem-per-cpu`, `--mem-per-gpu`, `--tmp`) is not a whole number with an optional K, M, G or T suffix (a `B` may follow it, in any case: `64G`, `64GB` and `64gb` are the same): `1.5G`, `64 G`, `64GiB`.',
    why: 'sbatch refuses the job ("invalid memory constraint").',
    fix: 'Write a whole number and one suffix letter: `64G`, `1536M`.',
    source: 'sbatch(1), --mem; Slurm src/common/proc_args.c, str_to_mbytes() (22.05 to 25.x).',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['memory'])) {
      if (hasVariable(use.value!) || parseMemoryMB(use.value!) !== undefined) continue;
      const o = useOffsets(ctx.script, use);
      const gb = /^(\d+)\s*([KMGT])(?:i?B)?$/i.exec(use.value!.trim());
      const dec = /^(\d+)\.(\d+)\s*G$/i.exec(use.value!.trim());
      const better = gb ? `${gb[1]}${gb[2]!.toUpperCase()}` : dec ? `${Math.round(Number(`${dec[1]}.${dec[2]}`) * 1024)}M` : undefined;
      ctx.report({
        start: o.valueStart,
        end: o.valueEnd,
        message: `'${use.value}' is not a size Slurm reads (a whole number with K, M, G or T)${better ? `; write ${better}` : ''}. sbatch refuses the job.`,
        ...(better ? { fix: setValueFix(ctx.script, use, better) } : {}),
      });
    }
  },
};

/** A bare number at most this is taken for gigabytes written without their G. */
const SMALL_BARE_MEMORY_MB = 64;

export const memoryWithoutUnit: Rule = {
  id: 'memory-without-unit',
  severity: 'warning',
  title: 'A memory size without a unit, so small it must mean gigabytes',
  kinds: ['sbatch'],
  docs: {
    problem: `\`--mem\`, \`--mem-per-cpu\` or \`--mem-per-gpu\` is a bare number from 1 to ${SMALL_BARE_MEMORY_MB} with no unit: \`--mem=10\`, \`--mem-per-cpu=4\`. A comment on the line that says MB (\`# in MB\`) is taken as meaning it.`,
    why: 'Without a unit Slurm reads megabytes: `--mem=10` asks for 10 MB. The job starts, and is killed at once by the out-of-memory handler ("oom-kill event", or "Exceeded job memory limit") when the program loads; the log seldom says why in words a user connects with the missing G.',
    fix: 'Write the unit: `--mem=10G`. The quick fix adds G; if megabytes were really meant, write M (`--mem=10M`).',
    source: 'sbatch(1), --mem ("Default units are megabytes"); Slurm src/common/proc_args.c, str_to_mbytes().',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['memory'])) {
      if (!['mem', 'mem-per-cpu', 'mem-per-gpu'].includes(use.option.name)) continue;
      const bare = /^\d+$/.exec(use.value!.trim());
      const mb = bare ? Number(bare[0]) : 0;
      if (mb < 1 || mb > SMALL_BARE_MEMORY_MB) continue;
      const line = ctx.script.lines[use.span.line] ?? '';
      const comment = line.indexOf('#', use.span.end);
      if (comment >= 0 && /\b(?:MB|MiB|megabytes?)\b/i.test(line.slice(comment))) continue;
      const o = useOffsets(ctx.script, use);
      ctx.report({
        start: o.valueStart,
        end: o.valueEnd,
        message: `--${use.option.name}=${use.value} is ${mb} MB: without a unit Slurm reads megabytes, and the job is killed for memory as soon as it runs. Write ${mb}G (or ${mb}M if megabytes are meant).`,
        fix: setValueFix(ctx.script, use, `${mb}G`),
      });
    }
  },
};

export const memoryFlagsExclusive: Rule = {
  id: 'memory-flags-exclusive',
  severity: 'error',
  title: '--mem, --mem-per-cpu and --mem-per-gpu together',
  kinds: ['sbatch'],
  docs: {
    problem: 'More than one of `--mem`, `--mem-per-cpu`, `--mem-per-gpu` is given.',
    why: 'They are mutually exclusive; sbatch refuses the job ("--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive").',
    fix: 'Keep one: `--mem` for memory per node, `--mem-per-cpu` when the CPU count drives memory.',
    source: 'sbatch(1), --mem.',
  },
  check(ctx) {
    const set = ['mem', 'mem-per-cpu', 'mem-per-gpu'].map((n) => option(ctx.script, n)).filter((u): u is OptionUse => !!u);
    if (set.length < 2) return;
    for (const use of set.slice(1)) {
      const o = useOffsets(ctx.script, use);
      ctx.report({ start: o.start, end: o.end, message: `${set.map((u) => u.written).join(' and ')} cannot be used together; sbatch refuses the job. Keep one.` });
    }
  },
};

export const invalidArray: Rule = {
  id: 'invalid-array',
  severity: 'error',
  title: 'Invalid --array specification',
  kinds: ['sbatch'],
  docs: {
    problem: '`--array` is not a list of indexes and ranges (`0-15`, `1,3,5-7`, `0-99:2`) with an optional `%max` throttle, or has an index at or above the MaxArraySize of the cluster profile.',
    why: 'sbatch refuses the job ("Invalid job array specification"); an index at or above MaxArraySize is refused too. A profile that does not state MaxArraySize (the generic one) is not assumed to have Slurm\'s default: that is `array-over-default-max`, a warning.',
    fix: 'Write indexes as `start-end[:step]` separated by commas, then `%N` to run at most N at once, e.g. `--array=0-999%50`.',
    source: 'sbatch(1), --array; slurm.conf(5), MaxArraySize.',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['array'])) {
      if (hasVariable(use.value!)) continue;
      const o = useOffsets(ctx.script, use);
      const spec = parseArray(use.value!);
      if ('error' in spec) {
        const dots = /^(\d+)\.\.(\d+)$/.exec(use.value!);
        ctx.report({
          start: o.valueStart,
          end: o.valueEnd,
          message: `--array=${use.value}: ${spec.error}. sbatch refuses the job.`,
          ...(dots ? { fix: setValueFix(ctx.script, use, `${dots[1]}-${dots[2]}`) } : {}),
        });
        continue;
      }
      const max = ctx.profile.maxArraySize;
      if (max !== undefined && spec.maxIndex >= max) {
        ctx.report({ start: o.valueStart, end: o.valueEnd, message: `Index ${spec.maxIndex} is not below this cluster's MaxArraySize (${max}); sbatch refuses the job. Split the array or offset the indexes inside the script.` });
      }
    }
  },
};

/** Slurm's MaxArraySize when slurm.conf does not set it (src/common/read_config.h, DEFAULT_MAX_ARRAY_SIZE). */
export const SLURM_DEFAULT_MAX_ARRAY_SIZE = 1001;

export const arrayOverDefaultMax: Rule = {
  id: 'array-over-default-max',
  severity: 'warning',
  title: 'An array index above Slurm\'s default MaxArraySize',
  kinds: ['sbatch'],
  docs: {
    problem: 'An `--array` index is at or above 1001, Slurm\'s default MaxArraySize, and the cluster profile does not say what the site set.',
    why: 'With the default, sbatch refuses the job ("Invalid job array specification"). Many sites raise MaxArraySize (to 10001 or more), so without the site\'s value this is a warning, not an error; a profile with `maxArraySize` decides it (`invalid-array`).',
    fix: 'Check `scontrol show config | grep MaxArraySize` on the cluster; if the index is above it, split the array or offset the indexes inside the script. Set `maxArraySize` in the profile to make this exact.',
    source: 'slurm.conf(5), MaxArraySize ("The default value is 1001"); Slurm src/common/read_config.h.',
  },
  check(ctx) {
    if (ctx.profile.maxArraySize !== undefined) return;
    for (const use of uses(ctx.script, ['array'])) {
      if (hasVariable(use.value!)) continue;
      const spec = parseArray(use.value!);
      if ('error' in spec || spec.maxIndex < SLURM_DEFAULT_MAX_ARRAY_SIZE) continue;
      const o = useOffsets(ctx.script, use);
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `Index ${spec.maxIndex} is not below ${SLURM_DEFAULT_MAX_ARRAY_SIZE}, Slurm's default MaxArraySize (a site fact this profile does not state): sbatch refuses it unless the cluster raised the limit. Check scontrol show config | grep MaxArraySize.` });
    }
  },
};

export const invalidDependency: Rule = {
  id: 'invalid-dependency',
  severity: 'error',
  title: 'Invalid --dependency',
  kinds: ['sbatch'],
  docs: {
    problem: '`--dependency` has an unknown type, a missing or non-numeric job id, or mixes `,` and `?`.',
    why: 'sbatch refuses the job ("Job dependency problem"), or the dependent job waits forever.',
    fix: 'Write `type:jobid[:jobid...]`, types `after`, `afterany`, `afterok`, `afternotok`, `aftercorr`, `afterburstbuffer`, `singleton`; join several with `,` (all) or `?` (any). Job ids known only at submit time belong on the command line: `sbatch --dependency=afterok:$ID next.sh`.',
    source: 'sbatch(1), --dependency; the DR field report (inference → finalize chains).',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['dependency'])) {
      if (hasVariable(use.value!)) continue;
      const dep = parseDependency(use.value!);
      if (!('error' in dep)) continue;
      const o = useOffsets(ctx.script, use);
      const lower = use.value!.replace(/^(\w+)/, (t) => t.toLowerCase());
      const fixable = lower !== use.value && !('error' in parseDependency(lower));
      ctx.report({
        start: o.valueStart,
        end: o.valueEnd,
        message: `--dependency=${use.value}: ${dep.error}. sbatch refuses the job.`,
        ...(fixable ? { fix: setValueFix(ctx.script, use, lower) } : {}),
      });
    }
  },
};

export const invalidCount: Rule = {
  id: 'invalid-count',
  severity: 'error',
  title: 'Invalid count (nodes, tasks, CPUs, GPUs)',
  kinds: ['sbatch'],
  docs: {
    problem: 'A count such as `--nodes`, `--ntasks`, `--cpus-per-task` is not a positive whole number (or, for `--nodes`, `min-max`).',
    why: 'sbatch refuses the job ("invalid number of ..."); `0` requests nothing.',
    fix: 'Write a positive whole number; for nodes also `min-max`, e.g. `--nodes=4`.',
    source: 'sbatch(1).',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['count', 'nodes'])) {
      if (hasVariable(use.value!)) continue;
      const ok = use.option.kind === 'nodes' ? parseNodes(use.value!) !== undefined : parseCount(use.value!) !== undefined || (use.option.name === 'core-spec' && use.value === '0');
      if (ok) continue;
      const o = useOffsets(ctx.script, use);
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `${use.written}=${use.value} is not a positive whole number${use.option.kind === 'nodes' ? ' or a min-max range' : ''}; sbatch refuses the job.` });
    }
  },
};

export const invalidChoice: Rule = {
  id: 'invalid-choice',
  severity: 'error',
  title: 'A value outside the option\'s choices',
  kinds: ['sbatch'],
  docs: {
    problem: 'An option with a fixed set of values (`--open-mode`, `--exclusive`, `--hint`, `--kill-on-invalid-dep`, `--wait-all-nodes`) has another, or no item of a `--mail-type` list is a mail type. (A list with at least one mail type is `mail-type-ignored`: sbatch takes it and drops the others.)',
    why: 'sbatch refuses the job (e.g. "Invalid --mail-type specification").',
    fix: 'Use one of the values listed in the message; the quick fix picks the closest.',
    source: 'sbatch(1).',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['enum', 'enumList'])) {
      const values = use.option.values ?? [];
      const isList = use.option.kind === 'enumList';
      const items = isList ? listItems(ctx.script, use) : [{ item: use.value!, ...valueOffsets(ctx.script, use) }];
      // parse_mail_type skips the items it does not know: the job is refused only when none is known
      if (isList && items.some(({ item }) => knownItem(values, item))) continue;
      for (const { item, start, end } of items) {
        const known = values.some((v) => (isList ? v.toLowerCase() === item.toLowerCase() : v === item));
        if (!known && !hasVariable(item)) ctx.report(suggest(start, end, `'${item}' is not a value of ${use.written} (${values.join(', ')})`, didYouMean(item, values)));
      }
    }
  },
};

/** A --mail-type item as parse_mail_type compares it: in any case, spaces and all. */
function knownItem(values: readonly string[], item: string): boolean {
  return values.some((v) => v.toLowerCase() === item.toLowerCase());
}

export const mailTypeIgnored: Rule = {
  id: 'mail-type-ignored',
  severity: 'warning',
  title: 'A --mail-type item sbatch drops without a word',
  kinds: ['sbatch'],
  docs: {
    problem: 'A `--mail-type` list holds an item that is not a mail type (`FAILL`, `TIMEOUT`, `START`, ` END` after a space) beside at least one that is.',
    why: 'sbatch reads the list item by item and skips what it does not know, silently; it refuses the job only when no item is known. So `--mail-type=BEGIN,END,FAILL` sends no mail when the job fails, and `--mail-type="BEGIN, END, FAIL"` mails only at the start (` END` with its space is not END).',
    fix: 'Use the mail types listed in the message, without spaces after the commas; the quick fix picks the closest.',
    source: 'Slurm src/common/proc_args.c, parse_mail_type() (strtok on ",", xstrcasecmp per item, INFINITE16 only when nothing matched); sbatch(1), --mail-type.',
  },
  check(ctx) {
    for (const use of uses(ctx.script, ['enumList'])) {
      const values = use.option.values ?? [];
      const items = listItems(ctx.script, use);
      if (!items.some(({ item }) => knownItem(values, item))) continue;
      for (const { item, start, end } of items) {
        if (knownItem(values, item) || hasVariable(item)) continue;
        const trimmed = item.trim();
        const best = knownItem(values, trimmed) ? trimmed : didYouMean(trimmed, values);
        ctx.report(suggest(start, end, `sbatch drops '${item}' from ${use.written} without a word: it is not a mail type (${values.join(', ')})`, best));
      }
    }
  },
};

export const duplicateOption: Rule = {
  id: 'duplicate-option',
  severity: 'warning',
  title: 'The same #SBATCH option twice',
  kinds: ['sbatch'],
  docs: {
    problem: 'An option is set more than once in the header (in the same component, for a heterogeneous job: `#SBATCH hetjob` starts the next).',
    why: 'The last one wins silently; after an edit the job often runs with the value you did not look at.',
    fix: 'Keep one line; the quick fix removes the earlier one.',
    source: 'sbatch(1): options are processed in order.',
  },
  check(ctx) {
    const seen = new Map<string, OptionUse>();
    // options per line, counted once (a line can hold thousands)
    const perLine = new Map<number, number>();
    for (const use of ctx.script.header.options) perLine.set(use.span.line, (perLine.get(use.span.line) ?? 0) + 1);
    for (const use of ctx.script.header.options) {
      // each component of a heterogeneous job has options of its own
      const key = `${use.component ?? 0}:${use.option.name}`;
      const earlier = seen.get(key);
      seen.set(key, use);
      if (!earlier || ['constraint', 'gres', 'export', 'mail-type', 'hetjob'].includes(use.option.name)) continue;
      const o = useOffsets(ctx.script, earlier);
      const sameLineOnly = perLine.get(earlier.span.line) === 1;
      ctx.report({
        start: o.start,
        end: o.end,
        message: `${earlier.written}${earlier.value !== undefined ? `=${earlier.value}` : ''} is overridden on line ${use.span.line + 1}${use.value !== undefined ? ` (${use.value})` : ''}: the last one wins.`,
        ...(sameLineOnly ? { fix: { title: 'Remove the overridden directive', edits: [deleteLine(ctx.script, earlier.span.line)] } } : {}),
      });
    }
  },
};

export const commandLineOnlyOption: Rule = {
  id: 'command-line-only-option',
  severity: 'warning',
  title: 'An option that makes no sense inside a script',
  kinds: ['sbatch'],
  docs: {
    problem: '`--wrap`, `--help`, `--usage`, `--version` or `--autocomplete` in a `#SBATCH` line.',
    why: '`--wrap` replaces the script, so its body never runs; `--help`, `--usage`, `--version` and `--autocomplete` make sbatch print and exit without submitting.',
    fix: 'Remove the directive; use `--wrap` on the command line only.',
    source: 'sbatch(1).',
  },
  check(ctx) {
    for (const use of ctx.script.header.options) {
      if (!['wrap', 'help', 'usage', 'version', 'autocomplete'].includes(use.option.name)) continue;
      const o = useOffsets(ctx.script, use);
      const what = use.option.name === 'wrap' ? 'replaces this script: its body never runs' : 'makes sbatch print and exit without submitting the job';
      ctx.report({ start: o.start, end: o.end, message: `${use.written} ${what}. Remove it from the script.` });
    }
  },
};
