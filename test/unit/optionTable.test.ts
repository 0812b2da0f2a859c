/**
 * The linter's sbatch options against Slurm's own option table (common/sbatch/slurmOptionTable.json,
 * derived from src/common/slurm_opt.c at each release tag by scripts/sbatchOptionTable.ts).
 */
import { strict as assert } from 'node:assert';
import { SBATCH_OPTIONS } from '../../common/sbatch/options';
import table from '../../common/sbatch/slurmOptionTable.json';
import { optionTable, sbatchOptions } from '../../scripts/sbatchOptionTable';
import { engine, lintText } from '../support/engine';

const ours = new Map(SBATCH_OPTIONS.map((o) => [o.name, o]));
const releases = table.releases.map((r) => r.release);

describe("sbatch's options, as Slurm's source has them (issue 11)", () => {
  before(engine);

  it('knows every option sbatch accepts in 22.05 to 24.11, with its argument and short letter', () => {
    for (const o of table.options) {
      const m = ours.get(o.name);
      assert.ok(m, `--${o.name} (Slurm ${o.since}${o.until ? ` to ${o.until}` : ' on'}) is in common/sbatch/options.ts`);
      assert.equal(m.arg, o.arg, `--${o.name} takes an argument: ${o.arg}`);
      assert.equal(m.short, 'short' in o ? o.short : undefined, `--${o.name}'s short letter`);
      // before the first release of the table, since says nothing we can check
      if (o.since !== releases[0]) assert.equal(m.since, o.since, `--${o.name} appeared in ${o.since}`);
    }
  });

  it('accepts no option that sbatch refuses (its table has no --immediate, no -u)', () => {
    const source = new Set(table.options.map((o) => o.name));
    for (const o of SBATCH_OPTIONS) assert.ok(source.has(o.name), `--${o.name} is in Slurm's table for sbatch`);
    // as the lab's sbatch 22.05 answers: "unrecognized option '--immediate'", "invalid option -- 'u'"
    for (const line of ['#SBATCH --immediate', '#SBATCH -u']) {
      const ids = lintText(`#!/bin/bash\n${line}\nsrun true\n`).map((d) => d.code);
      assert.ok(ids.includes('unknown-option'), `${line}: ${ids.join(', ')}`);
    }
  });

  it('reads slurm_opt.c as slurm_option_table_create does: set_func or set_func_sbatch, named, in common_options[]', () => {
    const source = [
      'static slurm_cli_opt_t slurm_opt_account = {\n\t.name = "account",\n\t.has_arg = required_argument,\n\t.val = \'A\',\n\t.set_func = arg_set_account,\n};',
      'static slurm_cli_opt_t slurm_opt_immediate = {\n\t.name = "immediate",\n\t.has_arg = optional_argument,\n\t.val = \'I\',\n\t.set_func_salloc = arg_set_immediate,\n\t.set_func_srun = arg_set_immediate,\n};',
      'static slurm_cli_opt_t slurm_opt_wrap = {\n\t.name = "wrap",\n\t.has_arg = required_argument,\n\t.val = LONG_OPT_WRAP,\n\t.set_func_sbatch = arg_set_wrap,\n};',
      'static slurm_cli_opt_t slurm_opt_env_only = {\n\t.name = NULL,\n\t.val = LONG_OPT_X,\n\t.set_func = f,\n};',
      'static slurm_cli_opt_t slurm_opt_unlisted = {\n\t.name = "unlisted",\n\t.has_arg = no_argument,\n\t.val = LONG_OPT_U,\n\t.set_func = f,\n};',
      'static const slurm_cli_opt_t *common_options[] = {\n\t&slurm_opt_account,\n\t&slurm_opt_immediate,\n\t&slurm_opt_wrap,\n\t&slurm_opt_env_only,\n\tNULL\n};',
    ].join('\n\n');
    assert.deepEqual(sbatchOptions(source), [
      { name: 'account', arg: 'required', short: 'A', val: "'A'" },
      { name: 'wrap', arg: 'required', val: 'LONG_OPT_WRAP' },
    ]);
    const t = optionTable([
      ['22.05', [{ name: 'power', arg: 'required', val: 'P' }, { name: 'wrap', arg: 'required', val: 'W' }]],
      ['23.02', [{ name: 'wrap', arg: 'required', val: 'W' }, { name: 'extra', arg: 'required', val: 'E' }]],
    ]);
    assert.deepEqual(t, [
      { name: 'extra', arg: 'required', val: 'E', since: '23.02' },
      { name: 'power', arg: 'required', val: 'P', since: '22.05', until: '22.05' },
      { name: 'wrap', arg: 'required', val: 'W', since: '22.05' },
    ]);
  });
});
