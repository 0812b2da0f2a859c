/** What the job's shell environment holds: Slurm's variables, conda's shell function. */
import { isSlurmEnvName, SLURM_ENV_NAMES } from '../../../common/slurm/envVars';
import type { Command, Word } from '../analysis/bash';
import { assignmentsOf, option } from '../analysis/script';
import type { Rule } from './rule';
import { didYouMean, suggest } from './util';

/** `$SLURM_X`, `${SLURM_X}`, `${SLURM_X:-default}`, `${#SLURM_X}`; the name is group 1. */
const SLURM_REFERENCE = /\$\{?#?((?:SLURM|SBATCH|SRUN|SALLOC)_[A-Z0-9_]+)/g;
const SLURM_NAMES_ONLY = SLURM_ENV_NAMES.filter((n) => n.startsWith('SLURM_'));

export const unknownSlurmVariable: Rule = {
  id: 'unknown-slurm-variable',
  severity: 'warning',
  title: 'A Slurm variable name that Slurm does not set',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script reads `$SLURM_...` under a name that no Slurm release from 22.05 to 24.11 sets, and that is one or two letters away from one it does: `$SLURM_ARRAYTASK_ID`, `$SLURM_CPUS_PER_TASKS`, `$SLURM_NTASK`. A name the script sets itself, and the names sites set in their prologs (`SLURM_TMPDIR` on the Alliance\'s clusters, `SLURM_SCRATCH`), are not reported; nor is a name far from every real one, which a site may have added.',
    why: 'An unset variable expands to nothing, without an error: every array task gets the same empty index and processes the same input, `-n $SLURM_NTASK` becomes `-n` followed by the program\'s name, a path loses a component.',
    fix: 'Use the name Slurm sets (sbatch(1), OUTPUT ENVIRONMENT VARIABLES); the quick fix puts it in. `set -u` at the top of a script stops it at the first unset variable instead of running on.',
    source: 'sbatch(1) and srun(1), OUTPUT ENVIRONMENT VARIABLES; the names are read from Slurm\'s source at 22.05, 23.02, 23.11, 24.05 and 24.11 (scripts/slurmEnvTable.ts).',
  },
  check(ctx) {
    const { header } = ctx.script;
    const seen = new Set<string>();
    for (let line = header.headerEnd; line < ctx.script.lines.length; line++) {
      const lineText = ctx.script.lines[line]!;
      // a comment mentions a name; it does not read it
      if (!lineText.includes('$') || lineText.trimStart().startsWith('#')) continue;
      for (const m of lineText.matchAll(SLURM_REFERENCE)) {
        const name = m[1]!;
        if (isSlurmEnvName(name) || seen.has(name) || assignmentsOf(ctx.script, name).length) continue;
        const best = didYouMean(name, SLURM_NAMES_ONLY, 2);
        if (!best) continue;
        seen.add(name);
        const start = ctx.script.index.offset(line, m.index + m[0].length - name.length);
        ctx.report(suggest(start, start + name.length, `Slurm sets no variable ${name}: wherever it is expanded, it is empty`, best));
      }
    }
  },
};

/** Shell code that defines conda's `activate` function or sources a profile that does. */
// (not `conda init`: it writes ~/.bashrc for the next shells, and this one has not read it)
const CONDA_SETUP = /conda\.sh|mamba\.sh|shell\.(?:bash|posix|zsh)['"]?\s+['"]?hook|shell['"]?\s+['"]?hook|\.bashrc|\.bash_profile|\/etc\/profile|source\s+activate|\.\s+activate/;

export const condaActivateWithoutInit: Rule = {
  id: 'conda-activate-without-init',
  severity: 'warning',
  title: 'conda activate in a job shell where conda is not set up',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job script runs `conda activate ENV` (or `mamba activate`, `micromamba activate`) without first defining conda\'s shell function: no `source .../etc/profile.d/conda.sh`, no `eval "$(conda shell.bash hook)"`, no `source ~/.bashrc`, no login shell (`#!/bin/bash -l`). A `conda init` in the script does not count: it writes `~/.bashrc` for the shells that start later. A `module load` or a sourced file before it is taken to set conda up (sites\' modules and users\' setup files often do).',
    why: '`conda init` writes the function into `~/.bashrc`, which a batch job\'s non-interactive bash does not read. `conda activate` then stops with "CondaError: Run \'conda init\' before \'conda activate\'" and the script runs on with whatever Python is on the PATH: the job fails on a missing package, or runs with the wrong versions.',
    fix: 'Before `conda activate`, add `eval "$(conda shell.bash hook)"` (the quick fix), or `source "$(conda info --base)/etc/profile.d/conda.sh"`; or start the script with `#!/bin/bash -l`.',
    source: 'conda\'s documentation, "conda init" and "Activating an environment" (shell function, CondaError text); bash(1), INVOCATION (which files a non-interactive shell reads).',
  },
  check(ctx) {
    const { text, shell, lines } = ctx.script;
    if (/^\uFEFF?#!\S*\s+-\w*l|^\uFEFF?#!.*--login/.test(lines[0] ?? '') || CONDA_SETUP.test(text)) return;
    const activate = shell.commands.find((c) => ['conda', 'mamba', 'micromamba'].includes(c.base) && c.args[0]?.text === 'activate' && !c.inFunction);
    if (!activate) return;
    // a module, a site tool (uenv) or a sourced file before it may well set conda up: no finding
    if (shell.commands.some((c) => c.start < activate.start && ['module', 'ml', 'uenv', 'source', '.'].includes(c.base))) return;
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const hook = activate.base === 'micromamba' ? 'eval "$(micromamba shell hook --shell bash)"' : 'eval "$(conda shell.bash hook)"';
    const indent = /^[ \t]*/.exec(lines[ctx.script.index.position(activate.start).line] ?? '')![0];
    ctx.report({
      start: activate.start,
      end: activate.end,
      message: `${activate.base} activate needs ${activate.base}'s shell function, which a batch job's shell does not have (${activate.base} init writes it into ~/.bashrc, which the job does not read): it fails ("Run '${activate.base} init' before '${activate.base} activate'"), and the job stops there or runs on with the wrong Python. Add ${hook} before it.`,
      fix: { title: `Set up ${activate.base}'s shell function first`, edits: [{ start: activate.start, end: activate.start, newText: `${hook}${eol}${indent}` }] },
    });
  },
};

export const pipInstallInArray: Rule = {
  id: 'pip-install-in-array',
  severity: 'warning',
  title: 'pip install in every task of an array job',
  kinds: ['sbatch'],
  docs: {
    problem: 'An array job runs `pip install` (or `python -m pip install`, `uv pip install`, `conda install`, `mamba install`) in each task, into a place the tasks share: `~/.local` with `--user`, or an environment that exists before the job. An install behind a condition (`if [ "$SLURM_ARRAY_TASK_ID" -eq 0 ]`) is not reported (the other tasks may still start before it ends: make them depend on it). A task that makes its own environment first (`python -m venv`, `virtualenv`, `conda create`) or installs with `--target`/`--prefix` into a place of its own is not reported.',
    why: 'The tasks start together and install into the same directory at the same time: pip removes and rewrites the same files under each other, and tasks fail at random with half-installed packages ("No module named", "RECORD file not found"), or leave the environment broken for every later job. It also downloads the same wheels a hundred times.',
    fix: 'Install once, before submitting the array (or in a job the array depends on: `--dependency=afterok:...`), and only activate the environment in the tasks.',
    source: 'pip\'s documentation, "pip install" (no locking between concurrent installs); sbatch(1), --array and --dependency.',
  },
  check(ctx) {
    if (!option(ctx.script, 'array')?.value) return;
    const { shell, text } = ctx.script;
    if (/-m\s+venv|virtualenv|conda\s+create|mamba\s+create|uv\s+venv/.test(text)) return;
    for (const c of shell.commands) {
      // an install behind a condition (`if [ "$SLURM_ARRAY_TASK_ID" -eq 0 ]`) is not every task's
      if (c.conditional || c.tested) continue;
      const args = installArgs(c);
      if (!args || args.some((a) => /^(--target|-t|--prefix|--root)\b/.test(a.text))) continue;
      const what = c.base === 'conda' || c.base === 'mamba' || c.base === 'micromamba' ? `${c.base} install` : 'pip install';
      ctx.report({ start: c.start, end: c.end, message: `Every task of this array runs this ${what} at the same time, into the same place: the installs overwrite each other and tasks fail at random on half-installed packages. Install once before submitting, and only activate the environment here.` });
      return;
    }
  },
};

/** The arguments after `install` of a pip, uv pip, conda or mamba install command; undefined for anything else. */
function installArgs(c: Command): Word[] | undefined {
  let args: Word[] | undefined;
  if (/^pip[\d.]*$/.test(c.base)) args = c.args;
  else if (/^python[\d.]*$/.test(c.base) && c.args[0]?.text === '-m' && /^pip[\d.]*$/.test(c.args[1]?.text ?? '')) args = c.args.slice(2);
  else if (c.base === 'uv' && c.args[0]?.text === 'pip') args = c.args.slice(1);
  else if (['conda', 'mamba', 'micromamba'].includes(c.base)) args = c.args;
  return args?.[0]?.text === 'install' ? args.slice(1) : undefined;
}
