/** How the job script runs its steps: background work, waiting, exit codes, set -e. */
import type { Command } from '../analysis/bash';
import type { Invocation } from '../analysis/launchers';
import type { Rule, RuleContext } from './rule';

function setFlags(ctx: RuleContext): { errexit?: { start: number; end: number; fix: { start: number; end: number; newText: string } }; pipefail: boolean } {
  let errexit: ReturnType<typeof setFlags>['errexit'];
  let pipefail = false;
  const shebang = /^#!\S*\s+(-\w*e\w*)/.exec(ctx.script.lines[0] ?? '');
  if (shebang) {
    const at = ctx.script.lines[0]!.indexOf(shebang[1]!);
    const rest = shebang[1]!.replace('e', '');
    errexit = { start: at, end: at + shebang[1]!.length, fix: rest === '-' ? { start: at - 1, end: at + shebang[1]!.length, newText: '' } : { start: at, end: at + shebang[1]!.length, newText: rest } };
  }
  for (const c of ctx.script.shell.commands) {
    if (c.name.text !== 'set') continue;
    c.args.forEach((a, i) => {
      if (/^-[a-zA-Z]*e/.test(a.text) && !a.text.startsWith('--')) {
        const rest = a.text.replace('e', '');
        errexit = { start: c.start, end: c.end, fix: rest === '-' ? { start: a.start - 1, end: a.end, newText: '' } : { start: a.start, end: a.end, newText: rest } };
      }
      if (a.text === 'errexit' && c.args[i - 1]?.text === '-o') errexit = { start: c.start, end: c.end, fix: { start: c.args[i - 1]!.start, end: a.end, newText: '' } };
      if (a.text === 'pipefail' && /^-\w*o$/.test(c.args[i - 1]?.text ?? '')) pipefail = true;
      if (/^\+\w*e/.test(a.text)) errexit = undefined;
    });
  }
  return { ...(errexit ? { errexit } : {}), pipefail };
}

function backgroundSteps(invs: Invocation[]): Invocation[] {
  return invs.filter((i) => i.command.background && !i.command.substituted);
}

function waits(commands: Command[]): Command[] {
  return commands.filter((c) => c.name.text === 'wait');
}

export const errexitWithBackgroundSteps: Rule = {
  id: 'errexit-with-background-steps',
  severity: 'warning',
  title: 'set -e in a script that fans out background steps',
  kinds: ['sbatch'],
  docs: {
    problem: 'The outer job script uses `set -e` (or `#!/bin/bash -e`), runs `srun` steps in the background and collects them with a `wait` whose status is not tested (`wait $PID || true` and `if ! wait $PID` cannot end the script).',
    why: 'When one step fails, the `wait` for it returns non-zero and `set -e` ends the script at once; Slurm then kills every step still running. One failed year (or a node failure) throws away the three others running beside it.',
    fix: 'Use `set -uo pipefail` (no `-e`) in the outer script, check each step\'s exit status yourself, and keep `-e` inside the per-step scripts. The quick fix drops `-e`.',
    source: 'Fields-pipeline field report, "Bug #6: Saga node failures mid-job" ("Use set -uo pipefail (not -e) in the outer script").',
  },
  check(ctx) {
    const bg = backgroundSteps(ctx.script.invocations).filter((i) => i.srun);
    if (!bg.length) return;
    const { errexit } = setFlags(ctx);
    if (!errexit) return;
    // `wait $PID || true`, `if ! wait $PID`: a tested wait cannot end the script under set -e
    const first = bg[0]!.command.start;
    if (!waits(ctx.script.shell.commands).some((w) => w.start > first && !w.tested)) return;
    ctx.report({ start: errexit.start, end: errexit.end, message: 'set -e ends the whole job as soon as one background srun step fails, and Slurm kills the steps still running. Use set -uo pipefail here and check each step\'s status.', fix: { title: 'Drop -e from the outer script', edits: [errexit.fix] } });
  },
};

export const backgroundNotWaited: Rule = {
  id: 'background-not-waited',
  severity: 'error',
  title: 'Background work never waited for',
  kinds: ['sbatch'],
  docs: {
    problem: 'Commands run in the background (`&`) and nothing after them calls `wait` (or stops them on purpose with `kill`, as for a server the job uses and then shuts down).',
    why: 'The batch script reaches its end at once, the job is marked finished, and Slurm kills the background steps: the job "completes" in seconds having done nothing.',
    fix: 'Add `wait` after starting the background work (better: wait for each PID and check its status); the quick fix appends `wait`.',
    source: 'Fields-pipeline field report (the 4-node loop ends with "wait"); Slurm: a job ends when its batch script exits.',
  },
  check(ctx) {
    const bg = backgroundSteps(ctx.script.invocations);
    if (!bg.length) return;
    const last = bg.at(-1)!;
    if (waits(ctx.script.shell.commands).some((w) => w.start > last.command.start)) return;
    // a server the script stops on purpose when it is done with it (`kill $PID`, `kill %1`)
    if (ctx.script.shell.commands.some((c) => c.start > last.command.start && ['kill', 'pkill'].includes(c.base))) return;
    const end = ctx.script.text.length;
    const eol = ctx.script.text.endsWith('\n') ? '' : '\n';
    ctx.report({ start: last.command.start, end: last.command.end, message: 'This runs in the background and the script never waits for it: the job ends when the script does, and Slurm kills the background work.', fix: { title: 'Append wait', edits: [{ start: end, end, newText: `${eol}wait\n` }] } });
  },
};

export const waitHidesFailures: Rule = {
  id: 'wait-hides-failures',
  severity: 'warning',
  title: 'A bare wait that hides failed steps',
  kinds: ['sbatch'],
  docs: {
    problem: 'Background steps are collected with a bare `wait` (or `wait -n ... || true`).',
    why: 'A bare `wait` returns 0 whatever the steps returned, so the job ends COMPLETED even when every step failed; pipelines downstream then take missing or broken output for success. This is how jobs "died at 95% and reported success".',
    fix: 'Wait for each PID and count failures: `pids+=($!)` after each `&`, then `for p in "${pids[@]}"; do wait "$p" || failed=$((failed+1)); done; exit $((failed > 0))`. The quick fix replaces a bare `wait` with such a loop over `jobs -p`.',
    source: 'DR field report, "Lesson 1: PostProc timeout killed at 95% → pipeline reported success"; bash(1), wait.',
  },
  check(ctx) {
    const bg = backgroundSteps(ctx.script.invocations);
    if (!bg.length) return;
    for (const w of waits(ctx.script.shell.commands)) {
      if (!bg.some((b) => b.command.start < w.start)) continue;
      const discarded = /^\s*\|\|\s*(true|:)\b/.test(ctx.script.text.slice(w.end, w.end + 20));
      const bare = w.args.length === 0;
      if (!bare && !discarded) continue;
      if (bare && w.tested && !discarded) continue;
      const loop = 'failed=0; for pid in $(jobs -p); do wait "$pid" || failed=$((failed + 1)); done; if [ "$failed" -gt 0 ]; then echo "$failed background step(s) failed" >&2; exit 1; fi';
      ctx.report({
        start: w.start,
        end: discarded ? w.end + /^\s*\|\|\s*(true|:)/.exec(ctx.script.text.slice(w.end))![0].length : w.end,
        message: bare ? 'A bare wait returns 0 even when background steps failed: the job is reported COMPLETED. Wait for each PID and check its status.' : 'The status of this wait is thrown away (|| true): a failed step goes unnoticed. Record failures and exit non-zero at the end.',
        ...(bare && !w.tested && !w.pipeline ? { fix: { title: 'Wait for each step and fail if any failed', edits: [{ start: w.start, end: w.end, newText: loop }] } } : {}),
      });
    }
  },
};

export const parallelSrunWithoutExact: Rule = {
  id: 'parallel-srun-without-exact',
  severity: 'warning',
  title: 'Parallel srun steps that will queue behind each other',
  kinds: ['sbatch'],
  docs: {
    problem: '`srun` steps are started in the background without `--exact` (or `--exclusive`).',
    why: 'Since Slurm 20.11 a step gets all of the job\'s CPUs by default; the second step waits ("Step creation temporarily disabled, retrying") until the first ends, so the "parallel" steps run one after another and four years take four times as long.',
    fix: 'Give each step only what it needs: `srun --exact --nodes=1 --ntasks=1 --cpus-per-task=N ... &` (the field report used `--exclusive`, which implies it). The quick fix adds `--exact`.',
    source: 'srun(1), --exact; Slurm 20.11 release notes; fields-pipeline field report (srun --exclusive per year).',
  },
  check(ctx) {
    const steps = backgroundSteps(ctx.script.invocations).filter((i) => i.srun);
    if (steps.length < 1) return;
    for (const s of steps) {
      if (s.srun!.options.some((o) => /^--(exact|exclusive|overlap)\b/.test(o.text))) continue;
      const at = s.srun!.word.end;
      ctx.report({ start: s.srun!.word.start, end: s.srun!.word.end, message: 'This background srun step takes all of the job\'s CPUs, so parallel steps wait for each other. Add --exact (and the CPUs the step needs).', fix: { title: 'Add --exact', edits: [{ start: at, end: at, newText: ' --exact' }] } });
    }
  },
};

const WORK = /^(python[\d.]*|Rscript|R|julia|java|tippecanoe|srun|mpirun|mpiexec|ogr2ogr|gdalwarp|gdal_translate|gdaladdo|bash|sh|make|cmake|aws|rclone|rsync|[\w.-]+\.(py|sh|R))$/;

export const pipelineHidesExitCode: Rule = {
  id: 'pipeline-hides-exit-code',
  severity: 'warning',
  title: 'A pipeline reports the last command\'s status, not the work\'s',
  kinds: ['sbatch'],
  docs: {
    problem: 'The real work runs at the head of a pipeline (`python run.py | tee run.log`) and the script does not `set -o pipefail`.',
    why: 'A pipeline\'s status is that of its last command: `tee` succeeds, so the step, the script and the job are reported successful even when the program crashed.',
    fix: 'Add `set -o pipefail` near the top (with `-u`: `set -uo pipefail`); the quick fix adds it after the header.',
    source: 'bash(1), "Pipelines"; DR field report (failures that reported success).',
  },
  check(ctx) {
    if (setFlags(ctx).pipefail) return;
    for (const inv of ctx.script.invocations) {
      const p = inv.command.pipeline;
      if (!p || p.index !== 0 || p.length < 2 || inv.command.substituted || inv.command.tested) continue;
      if (!WORK.test(inv.program) && !inv.srun && !inv.container) continue;
      const at = ctx.script.index.offset(ctx.script.header.headerEnd, 0);
      const eol = ctx.script.text.includes('\r\n') ? '\r\n' : '\n';
      ctx.report({
        start: inv.command.start,
        end: inv.command.end,
        message: `The status of this pipeline is that of its last command, so a failure of ${inv.program || inv.command.base} goes unnoticed and the job reports success. Add set -o pipefail.`,
        fix: { title: 'Add set -o pipefail', edits: [{ start: at, end: at, newText: `set -o pipefail${eol}` }] },
      });
      return;
    }
  },
};

export const scancelAllJobs: Rule = {
  id: 'scancel-all-jobs',
  severity: 'warning',
  title: 'scancel -u in a job script',
  kinds: ['sbatch'],
  docs: {
    problem: 'A job script runs `scancel -u $USER` (or `--user`).',
    why: 'It cancels every job you have on the cluster, including other pipelines and this job itself, the moment the line runs.',
    fix: 'Cancel what you mean: `scancel "$SLURM_JOB_ID"`, a job name (`scancel --name=...`), or job ids you recorded at submission.',
    source: 'Romcrop field report ("scancel -u $USER  # cancel all your jobs", a command for the terminal, not for scripts).',
  },
  check(ctx) {
    for (const inv of ctx.script.invocations) {
      if (inv.program !== 'scancel') continue;
      const u = inv.args.find((a) => a.text === '-u' || a.text.startsWith('--user') || /^-u\S/.test(a.text));
      if (u) ctx.report({ start: inv.command.start, end: inv.command.end, message: 'scancel -u cancels every job you have, including this one and your other pipelines. Cancel by job id or name instead.' });
    }
  },
};
