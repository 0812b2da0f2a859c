/** How the job script runs its steps: background work, waiting, exit codes, set -e. */
import type { Command } from '../analysis/bash';
import { launches, taskCountOption, type Invocation } from '../analysis/launchers';
import { option } from '../analysis/script';
import type { Rule, RuleContext } from './rule';
import { useOffsets } from './util';

/** Whether the script runs under `set -e` (where, with the fix that drops it) and `set -o pipefail`. */
export function setFlags(ctx: RuleContext): { errexit?: { start: number; end: number; fix: { start: number; end: number; newText: string } }; pipefail: boolean } {
  let errexit: ReturnType<typeof setFlags>['errexit'];
  let pipefail = false;
  const shebang = /^\uFEFF?#!\S*\s+(-\w*e\w*)/.exec(ctx.script.lines[0] ?? '');
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

/** Whether `set -e` is in force at `offset`: the shebang's -e, then each `set -e`/`set +e` before it, in order. */
export function errexitAt(ctx: RuleContext, offset: number): boolean {
  let on = /^\uFEFF?#!\S*\s+-\w*e/.test(ctx.script.lines[0] ?? '');
  for (const c of ctx.script.shell.commands) {
    if (c.start >= offset) break;
    if (c.base !== 'set' || c.substituted || c.inSubshell) continue;
    c.args.forEach((a, i) => {
      if (/^-[a-zA-Z]*e/.test(a.text) && !a.text.startsWith('--')) on = true;
      else if (/^\+[a-zA-Z]*e/.test(a.text)) on = false;
      else if (a.text === 'errexit' && c.args[i - 1]?.text === '-o') on = true;
      else if (a.text === 'errexit' && c.args[i - 1]?.text === '+o') on = false;
    });
  }
  return on;
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
    problem: 'Commands run in the background (`&`) and nothing after them calls `wait` (or stops them on purpose with `kill`, as for a server the job uses and then shuts down). Background work followed by anything that runs in the foreground (other than `echo`, `sleep` and the like) is not reported: the script does not end at once, and a helper beside the foreground work (`tensorboard ... &`, a memory monitor, Dask or Ray workers, a model server) is meant to end with it.',
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
    // anything that runs in the foreground after it (a program, a step, a container, a loop that
    // watches): the script does not end at once, and a helper beside that work (`tensorboard &`,
    // a memory monitor, Dask or Ray workers, a model server and its client) is meant to end with
    // it; whether background work outlasts the foreground work cannot be told from the text
    if (ctx.script.shell.commands.some((c) => c.start > last.command.end && !c.background && !c.substituted && !TRIVIAL.has(c.base))) return;
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
    problem: '`srun` steps are started in the background without `--exact` (or `--exclusive`), beside other steps: in a loop, or with another `srun` after it before the next `wait`. One step in the background with nothing beside it waits for nothing and is not reported. A step placed on named nodes (`-w`, `--nodelist`, `-x`, `--exclude`, `--relative`) is not reported: it takes the CPUs of those nodes only, so steps placed on different nodes (a head node and its workers) do not wait for each other.',
    why: 'Since Slurm 20.11 a step gets all of the job\'s CPUs by default; the second step waits ("Step creation temporarily disabled, retrying") until the first ends, so the "parallel" steps run one after another and four years take four times as long.',
    fix: 'Give each step only what it needs: `srun --exact --nodes=1 --ntasks=1 --cpus-per-task=N ... &` (the field report used `--exclusive`, which implies it). The quick fix adds `--exact`.',
    source: 'srun(1), --exact; Slurm 20.11 release notes; fields-pipeline field report (srun --exclusive per year).',
  },
  check(ctx) {
    const steps = backgroundSteps(ctx.script.invocations).filter((i) => i.srun);
    if (steps.length < 1) return;
    const sruns = ctx.script.invocations.filter((i) => i.srun && !i.command.substituted);
    const waitsAt = waits(ctx.script.shell.commands).map((w) => w.start);
    const apart = (a: number, b: number) => waitsAt.some((w) => w > Math.min(a, b) && w < Math.max(a, b));
    // a step runs beside another when it starts in a loop (one per year), or another srun starts
    // after it (or, in the background, before it) with no wait between them; one step alone waits for nothing
    const parallel = (s: Invocation) => s.command.inLoop || sruns.some((o) => o !== s && !apart(o.command.start, s.command.start) && (o.command.start > s.command.start || o.command.background));
    for (const s of steps) {
      if (!parallel(s)) continue;
      if (s.srun!.options.some((o) => /^--(exact|exclusive|overlap)\b/.test(o.text))) continue;
      // a step placed on named nodes (-w, --nodelist, -x, --exclude, -r, --relative) takes all CPUs of
      // those nodes only: steps placed on different nodes run side by side
      if (s.srun!.options.some((o) => /^(-[wxr]|--(nodelist|exclude|relative)\b)/.test(o.text))) continue;
      const at = s.srun!.word.end;
      ctx.report({ start: s.srun!.word.start, end: s.srun!.word.end, message: 'This background srun step takes all of the job\'s CPUs, so parallel steps wait for each other. Add --exact (and the CPUs the step needs).', fix: { title: 'Add --exact', edits: [{ start: at, end: at, newText: ' --exact' }] } });
    }
  },
};

/** Commands after a background one that are not the job's work: they end at once. */
const TRIVIAL = new Set(['echo', 'printf', 'sleep', 'date', 'hostname', 'true', 'false', ':', 'exit', 'cd', 'pushd', 'popd', 'export', 'unset', 'module', 'ml', 'source', '.', 'set', 'shift', 'local', 'declare', 'readonly', 'wait', 'test', '[', '[[']);

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

/** `$0`, `${0}`, `$BASH_SOURCE`, `${BASH_SOURCE[0]}`, and their `%/*` trims. */
const SCRIPT_PATH = /\$\{?(?:0|BASH_SOURCE(?:\[0\])?)(?![\w[])(?:%[^}]*)?\}?/;

export const scriptDirInSpool: Rule = {
  id: 'script-dir-in-spool',
  severity: 'warning',
  title: 'The script\'s own directory taken from $0 or BASH_SOURCE',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job script finds files next to itself through its own path: `cd "$(dirname "$0")"`, `python "$(dirname "${BASH_SOURCE[0]}")/run.py"`, `DIR=${0%/*}`. A script that reads the real path from `scontrol show job`, uses `$SLURM_SUBMIT_DIR` or tests for the spool directory (`slurmd` in the path) is not reported, nor one that submits itself (`sbatch ... "$0"`: it also runs outside the job), nor one without `#SBATCH` lines of its own (a submitter that writes job scripts runs where it is kept).',
    why: 'sbatch sends a copy of the script to the node, and slurmd runs that copy from its spool directory (`/var/spool/slurmd/job12345/slurm_script`). `$0` is that copy, so `dirname "$0"` is the spool directory: the files beside the original are not there, and the job fails with "No such file or directory" (or `cd` succeeds and the job writes into the spool directory).',
    fix: 'Use `$SLURM_SUBMIT_DIR` (the directory sbatch was run from; jobs start there unless `--chdir` says otherwise), or an absolute path.',
    source: 'sbatch(1), SLURM_SUBMIT_DIR; slurmd copies the batch script to SlurmdSpoolDir (slurm.conf(5), SlurmdSpoolDir) and runs it from there.',
  },
  check(ctx) {
    const text = ctx.script.text;
    // only a script with #SBATCH lines of its own is a batch script: a submitter (its directives
    // only in the heredocs of the job scripts it writes) runs where it is kept
    if (!ctx.script.header.directiveLines.length || /scontrol\s+show\s+job|SLURM_SUBMIT_DIR|slurmd/.test(text)) return;
    // a script that submits itself (`sbatch ... "$0"`) also runs outside the job, where $0 is right
    if (ctx.script.shell.commands.some((c) => c.base === 'sbatch' && c.args.some((a) => SCRIPT_PATH.test(a.text)))) return;
    const seen = new Set<number>();
    const report = (start: number, end: number, what: string): void => {
      const line = ctx.script.index.position(start).line;
      if (seen.has(line)) return;
      seen.add(line);
      ctx.report({ start, end, message: `${what} is the copy of this script that Slurm runs from its spool directory, not where you keep it: files next to the script are not there. Use $SLURM_SUBMIT_DIR.` });
    };
    for (const c of ctx.script.shell.commands) {
      if (!['dirname', 'realpath', 'readlink', 'cd', 'pushd'].includes(c.base)) continue;
      const a = c.args.find((w) => SCRIPT_PATH.test(w.text));
      if (a) report(a.start, a.end, SCRIPT_PATH.exec(a.text)![0]);
    }
    for (const a of ctx.script.shell.assignments) {
      const v = a.value?.text ?? '';
      if (/\$\{(?:0|BASH_SOURCE(?:\[0\])?)%/.test(v)) report(a.value!.start, a.value!.end, SCRIPT_PATH.exec(v)![0]);
    }
  },
};

export const backslashSpaceContinuation: Rule = {
  id: 'backslash-space-continuation',
  severity: 'warning',
  title: 'A space after the line-continuation backslash',
  kinds: ['sbatch'],
  docs: {
    problem: 'A line of the script ends in `\\` followed by spaces or tabs, and a line follows: `srun python train.py \\ ` then `  --epochs 10`.',
    why: 'The backslash escapes the space after it, not the end of the line: the command ends there with an extra argument of one space, and the next line runs as a command of its own (`--epochs: command not found`), or worse, runs something. The space is invisible in most editors.',
    fix: 'Delete the spaces after the backslash; the quick fix does.',
    source: 'bash(1), QUOTING ("A non-quoted backslash is the escape character ... If a \\<newline> pair appears ... it is treated as a line continuation").',
  },
  check(ctx) {
    const { lines, header, shell } = ctx.script;
    const inHeredoc = (line: number) => shell.heredocLines.some(([a, b]) => line >= a && line < b);
    for (let i = header.headerEnd; i < lines.length - 1; i++) {
      const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
      // counted by hand, not with a regex: a line of many backslashes must stay linear
      let sp = line.length;
      while (sp > 0 && (line[sp - 1] === ' ' || line[sp - 1] === '\t')) sp--;
      let bs = sp;
      while (bs > 0 && line[bs - 1] === '\\') bs--;
      if (sp === line.length || (sp - bs) % 2 === 0 || line.trimStart().startsWith('#') || inHeredoc(i)) continue;
      if ((lines[i + 1] ?? '').trim() === '') continue;
      const start = ctx.script.index.offset(i, sp);
      const spaces = line.length - sp;
      ctx.report({ start: start - 1, end: start + spaces, message: 'A space after this backslash: it escapes the space, not the line end, so the command ends here and the next line runs as a command of its own. Delete the trailing space.', fix: { title: 'Delete the space after the backslash', edits: [{ start, end: start + spaces, newText: '' }] } });
    }
  },
};


export const tasksFromCpusPerTask: Rule = {
  id: 'tasks-from-cpus-per-task',
  severity: 'warning',
  title: 'A task count taken from SLURM_CPUS_PER_TASK',
  kinds: ['sbatch'],
  docs: {
    problem: '`srun -n $SLURM_CPUS_PER_TASK`, `mpirun -np $SLURM_CPUS_PER_TASK`: the number of CPUs each task has is used as the number of tasks.',
    why: '`--cpus-per-task` is the CPUs (threads) of one task. Starting that many tasks runs that many copies of the program (eight trainings writing the same files instead of one with eight threads), or a step Slurm cannot fit into the job ("more processors requested than permitted").',
    fix: 'For one multi-threaded program, run one task and give it the threads: `srun -n 1 -c $SLURM_CPUS_PER_TASK prog` with `OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK`. For MPI ranks, ask for them as tasks (`--ntasks`) and use `$SLURM_NTASKS`.',
    source: 'sbatch(1) and srun(1), --ntasks and --cpus-per-task.',
  },
  check(ctx) {
    const CPT = /^\$\{?SLURM_CPUS_PER_TASK\}?$/;
    for (const l of launches(ctx.script.invocations)) {
      const n = taskCountOption(l.options);
      if (n && CPT.test(n.value)) ctx.report({ start: n.start, end: n.end, message: `${l.base} starts $SLURM_CPUS_PER_TASK tasks: that is the CPUs of one task, so this runs that many copies of the program. Run one task with those CPUs (-n 1 -c $SLURM_CPUS_PER_TASK), or use $SLURM_NTASKS for MPI ranks.` });
    }
  },
};

export const errexitArithmeticZero: Rule = {
  id: 'errexit-arithmetic-zero',
  severity: 'warning',
  title: '((count++)) from 0 ends a set -e script',
  kinds: ['sbatch'],
  docs: {
    problem: 'Under `set -e`, a counter set to 0 is increased with `((count++))`, `((count--))` or `let count++`, and the command\'s status is not tested. Only counters the script sets to 0 itself are reported: from another value the first step is not 0.',
    why: '`(( ))` and `let` return status 1 when the expression is 0, and a post-increment\'s value is the old one: `((count++))` from 0 "fails", and `set -e` ends the job there, silently, at the first file of the loop.',
    fix: 'Write `((++count))` or `count=$((count + 1))`, or `((count++)) || true`. The quick fix writes `count=$((count + 1))`.',
    source: 'bash(1), ARITHMETIC EVALUATION and ((expression)) ("If the value of the expression is non-zero, the return status is 0; otherwise the return status is 1"); BashFAQ/105.',
  },
  check(ctx) {
    const { lines, shell } = ctx.script;
    const zero = new Set(shell.assignments.filter((a) => a.value?.text === '0').map((a) => a.name));
    if (!zero.size) return;
    const inHeredoc = (line: number) => shell.heredocLines.some(([a, b]) => line >= a && line < b);
    for (let i = ctx.script.header.headerEnd; i < lines.length; i++) {
      const m = /^(\s*)(?:\(\(\s*([A-Za-z_]\w*)\s*(\+\+|--)\s*\)\)|let\s+([A-Za-z_]\w*)(\+\+|--))\s*(?:;|#|$)/.exec(lines[i]!);
      const name = m?.[2] ?? m?.[4];
      if (!m || !name || !zero.has(name) || inHeredoc(i) || !errexitAt(ctx, ctx.script.index.offset(i, 0))) continue;
      const op = (m[3] ?? m[5]) === '++' ? '+' : '-';
      const start = ctx.script.index.offset(i, m[1]!.length);
      // the statement without the `;` or `#` that may end the match, and the blanks before it
      let statement = m[0].slice(m[1]!.length);
      if (statement.endsWith(';') || statement.endsWith('#')) statement = statement.slice(0, -1);
      statement = statement.trimEnd();
      const len = statement.length;
      ctx.report({ start, end: start + len, message: `${name} starts at 0, and ${statement} returns status 1 when its value is 0: set -e ends the job here. Write ${name}=$((${name} ${op} 1)).`, fix: { title: `Write ${name}=$((${name} ${op} 1))`, edits: [{ start, end: start + len, newText: `${name}=$((${name} ${op} 1))` }] } });
    }
  },
};

/** Signal names and numbers as `trap` and `--signal` take them, to one spelling. */
function signalName(s: string): string {
  const up = s.toUpperCase().replace(/^SIG/, '');
  return ({ '1': 'HUP', '2': 'INT', '3': 'QUIT', '10': 'USR1', '12': 'USR2', '14': 'ALRM', '15': 'TERM' } as Record<string, string>)[up] ?? up;
}

export const signalTrapNeverRuns: Rule = {
  id: 'signal-trap-never-runs',
  severity: 'warning',
  title: 'A trap for the --signal warning that the batch shell never runs in time',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script traps a signal to save its state before the time limit (`#SBATCH --signal=USR1@300` and `trap checkpoint USR1`); but the `--signal` has no `B:`, or it sends another signal than the one trapped, or the work runs in the foreground with nothing in the background that a `wait` or a polling loop watches.',
    why: 'Without `B:`, Slurm sends the signal to the job steps only, never to the batch shell: the trap is never called. With `B:`, bash runs a trap only between commands, so while a foreground `python train.py` runs the trap waits, and the job is killed at its time limit before the checkpoint is written.',
    fix: 'Write `--signal=B:USR1@300` (the quick fix adds `B:`), start the work in the background and `wait` for it (`python train.py & wait`); in the trap, pass the signal on (`kill -USR1 "$pid"`) or write the checkpoint.',
    source: 'sbatch(1), --signal ("By default all job steps will be signaled, but not the batch shell itself. Use the "B:" option to signal only the batch shell"); bash(1), SIGNALS ("the trap will not be executed until the command completes").',
  },
  check(ctx) {
    const use = option(ctx.script, 'signal');
    const value = use?.value ?? '';
    const m = /^(?:([RB]+):)?(\w+)(?:@\d+)?$/i.exec(value);
    if (!use || !m) return;
    const sig = signalName(m[2]!);
    const { commands } = ctx.script.shell;
    const traps = commands.filter((c) => c.base === 'trap' && c.args.length > 1);
    const trap = traps.find((c) => c.args.slice(1).some((a) => signalName(a.text) === sig));
    const o = useOffsets(ctx.script, use);
    if (!trap) {
      // a trap for another of the signals a job is warned with: the one sent is not the one handled
      const other = traps.flatMap((c) => c.args.slice(1).map((a) => signalName(a.text))).find((s) => ['USR1', 'USR2', 'TERM', 'INT', 'HUP', 'ALRM', 'QUIT'].includes(s));
      if (other) ctx.report({ start: o.valueStart, end: o.valueEnd, message: `--signal=${value} sends ${sig}, and the script traps ${other}: the trap never runs. Send the signal the trap handles, or trap ${sig}.` });
      return;
    }
    if (!/B/i.test(m[1] ?? '')) {
      const written = `B:${value.slice(m[1] ? m[1].length + 1 : 0)}`;
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `--signal=${value} goes to the job steps only, not to this script: the trap for ${sig} here never runs. Write --signal=${written}.`, ...(m[1] ? {} : { fix: { title: 'Signal the batch shell (B:)', edits: [{ start: o.valueStart, end: o.valueStart, newText: 'B:' }] } }) });
      return;
    }
    // work in the background that the script waits for, or polls (`while kill -0 $pid; do sleep 30; done`): the trap runs
    if (waits(commands).length || commands.some((c) => c.background && !c.substituted)) return;
    ctx.report({ start: trap.start, end: trap.end, message: `bash runs this trap only between commands: while the work runs in the foreground, the ${sig} warning waits, and the job is killed at its limit first. Start the work with & and wait for it.` });
  },
};
