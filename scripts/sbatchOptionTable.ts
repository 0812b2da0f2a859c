/**
 * Derives sbatch's option table from Slurm's own source, for the releases the linter knows:
 * `src/common/slurm_opt.c` at each release tag, the options of `common_options[]` that sbatch adds
 * to its getopt_long table (those with `set_func` or `set_func_sbatch`, as
 * `slurm_option_table_create` does), with their argument kind, short letter and getopt `val`.
 * Writes common/sbatch/slurmOptionTable.json, which is committed; test/unit/optionTable.test.ts
 * holds common/sbatch/options.ts to it.
 *
 *   npx tsx scripts/sbatchOptionTable.ts <a git clone of SchedMD/slurm>
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The releases, oldest first, and the tag each is read at (the first of the release). */
export const RELEASES: readonly [release: string, tag: string][] = [
  ['22.05', 'slurm-22-05-0-1'],
  ['23.02', 'slurm-23-02-0-1'],
  ['23.11', 'slurm-23-11-0-1'],
  ['24.05', 'slurm-24-05-0-1'],
  ['24.11', 'slurm-24-11-0-1'],
];

export interface SourceOption {
  name: string;
  arg: 'required' | 'optional' | 'none';
  /** The one-letter option, when `val` is a character. */
  short?: string;
  /** getopt's `val`: options sharing one are spellings of the same option. */
  val: string;
}

export interface TableEntry extends SourceOption {
  /** The first release of RELEASES that has it. */
  since: string;
  /** The last release of RELEASES that has it, when a later one no longer does. */
  until?: string;
}

const ARG: Record<string, SourceOption['arg']> = { required_argument: 'required', optional_argument: 'optional', no_argument: 'none' };

/** The options sbatch accepts in one release's slurm_opt.c. */
export function sbatchOptions(source: string): SourceOption[] {
  return tableOptions(source).filter((o) => o.tools.includes('sbatch')).map(({ tools: _, ...o }) => o);
}

/** The named options of slurm_opt.c's common_options[] and the commands that take each. */
export function tableOptions(source: string): (SourceOption & { tools: string[] })[] {
  const blocks = new Map<string, string>();
  for (const m of source.matchAll(/^static slurm_cli_opt_t (slurm_opt_\w+) = \{\n([^}]*)\n\};/gm)) blocks.set(m[1]!, m[2]!);
  const listStart = source.indexOf('slurm_cli_opt_t *common_options[] = {');
  if (listStart < 0) throw new Error('no common_options[] in this slurm_opt.c');
  const list = source.slice(listStart, source.indexOf('};', listStart));
  const out: (SourceOption & { tools: string[] })[] = [];
  for (const [, id] of list.matchAll(/&(slurm_opt_\w+)/g)) {
    const block = blocks.get(id!);
    if (block === undefined) throw new Error(`common_options[] names ${id}, which has no definition of the usual shape`);
    // `.field = value,` lines, read with plain string code (no regex can backtrack on a long line)
    // the first of a field written twice (an #ifdef's branches) is the one a normal build has
    const fields = new Map<string, string>();
    for (const l of block.split('\n').map((x) => x.trim())) {
      if (!l.startsWith('.') || !l.endsWith(',') || !l.includes(' = ')) continue;
      const key = l.slice(1, l.indexOf(' = '));
      if (!fields.has(key)) fields.set(key, l.slice(l.indexOf(' = ') + 3, -1).trim());
    }
    const field = (f: string) => fields.get(f);
    const name = field('name');
    if (!name || name === 'NULL') continue; // environment-only options have no name
    const tools = fields.has('set_func') ? ['salloc', 'sbatch', 'scrontab', 'srun'] : ['salloc', 'sbatch', 'scron', 'srun'].filter((t) => fields.has(`set_func_${t}`)).map((t) => (t === 'scron' ? 'scrontab' : t));
    if (!tools.length) continue;
    const val = field('val') ?? '0';
    const short = /^'(.)'$/.exec(val)?.[1];
    out.push({ name: JSON.parse(name) as string, arg: ARG[field('has_arg') ?? ''] ?? 'none', ...(short ? { short } : {}), val, tools });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Each option of any release with the releases that have it. */
export function optionTable(byRelease: readonly [release: string, options: readonly SourceOption[]][]): TableEntry[] {
  const entries = new Map<string, TableEntry>();
  const last = byRelease.at(-1)![0];
  for (const [release, options] of byRelease) {
    for (const o of options) {
      const e = entries.get(o.name);
      // what the newest release says of an option wins; since stays the first
      entries.set(o.name, { ...o, since: e?.since ?? release });
      entries.get(o.name)!.until = release;
    }
  }
  return [...entries.values()].map(({ until, ...e }) => ({ ...e, ...(until !== last ? { until } : {}) })).sort((a, b) => a.name.localeCompare(b.name));
}

if (require.main === module) {
  const repo = process.argv[2];
  if (!repo) {
    process.stderr.write('usage: npx tsx scripts/sbatchOptionTable.ts <a git clone of SchedMD/slurm>\n');
    process.exit(2);
  }
  const sources = RELEASES.map(([release, tag]) => [release, execFileSync('git', ['-C', repo, 'show', `${tag}:src/common/slurm_opt.c`], { encoding: 'utf8', maxBuffer: 1 << 26 })] as const);
  const byRelease: [string, SourceOption[]][] = sources.map(([release, source]) => [release, sbatchOptions(source)]);
  const options = optionTable(byRelease);
  // options of salloc and srun that sbatch refuses, as the newest release has them: named in the message
  const sbatchNames = new Set(options.map((o) => o.name));
  const otherTools = tableOptions(sources.at(-1)![1]).filter((o) => !sbatchNames.has(o.name)).map((o) => ({ name: o.name, ...(o.short ? { short: o.short } : {}), tools: o.tools }));
  const table = { source: 'SchedMD/slurm src/common/slurm_opt.c', releases: RELEASES.map(([release, tag]) => ({ release, tag })), options, notSbatch: otherTools };
  const file = join(__dirname, '..', 'common', 'sbatch', 'slurmOptionTable.json');
  writeFileSync(file, `${JSON.stringify(table, null, 1)}\n`);
  process.stdout.write(`${table.options.length} options over ${RELEASES.length} releases → common/sbatch/slurmOptionTable.json\n`);
}
