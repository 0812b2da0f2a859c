/** How the job starts its work on the resources it asked for: launchers, task counts, the steps' environment. */
import { parseArray, parseCount, parseNodes } from '../../../common/sbatch/values';
import { launches, taskCountOption } from '../analysis/launchers';
import { directiveInsertOffset, newDirectiveText, option } from '../analysis/script';
import { compareVersions } from '../profiles/profiles';
import type { Rule } from './rule';
import { jobPartition, useOffsets } from './util';

/** Programs that start work on the job's other nodes, or hand it to something that does. */
// (not torchrun or accelerate: they start processes on the node they run on, and a rendezvous
// across nodes waits for the other nodes' torchrun, which only srun starts)
const LAUNCHERS = /^(srun|mpirun|mpiexec(\.hydra)?|orterun|prun|ibrun|aprun|jsrun|charmrun|horovodrun|deepspeed|parallel|xargs|pdsh|pdcp|clush|ssh|dask-mpi|dask-ssh|dask-scheduler|dask-worker|ray|snakemake|nextflow|sbatch|salloc|sstat|launcher|paramrun|hydra|flux|mpprun|mpiexec_mpt|dplace|julia|Rscript|R|matlab|cromwell|fireworks|rlaunch|qlaunch|lmp|gmx_mpi|cp2k\.\w+|[\w.-]*mpi[\w.-]*)$/;
/** A command whose work the script does not show: another script (`bash run.sh`, `./run.sh`, `source env.sh`), `eval`, or a command named by a variable (`$CMD`). */
function runsUnseen(base: string, name: string): boolean {
  return name.includes('$') || /^(bash|sh|zsh|source|\.|eval)$/.test(base) || /\.(sh|bash)$/.test(base);
}

/** Programs that do the work in one process. */
const ONE_PROCESS = /^(python[\d.]*|java|tippecanoe|ogr2ogr|gdalwarp|gdal_translate|gdaladdo|[\w.-]+\.py|\.\/[\w.-]+)$/;

export const nodesWithoutLauncher: Rule = {
  id: 'nodes-without-launcher',
  severity: 'warning',
  title: 'Several nodes asked for, one process started',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job asks for more than one node (`--nodes=4`) and runs its work as plain commands, in a container or not: no `srun`, `mpirun` or other launcher anywhere in the script, no script or function that might start one (`bash run.sh`, `$CMD`), no tool that submits or spreads work itself (Snakemake, Nextflow, GNU parallel, Dask, Ray, DeepSpeed). `torchrun` and `accelerate launch` alone count as one node\'s work: they start processes where they run, and their rendezvous waits for the other nodes. Not reported where the partition takes no fewer nodes (Betzy\'s normal partition: 4), nor for a program whose command line speaks of Slurm, a launcher, Dask, Ray or a cluster (`--launcher=slurm`, `run_on_slurm.py`: drivers such as SmartSim and submitit start the steps themselves).',
    why: 'The batch script runs on the first node only. A command without a launcher is one process there: the other nodes sit idle for the whole job, charged to the project (on Betzy and LUMI, whole nodes at a time), and the work takes as long as on one node.',
    fix: 'Start the work with `srun` (one task per node: `srun --ntasks-per-node=1 ...`, or the MPI ranks you asked for), or ask for one node.',
    source: 'sbatch(1), DESCRIPTION ("When the job allocation is finally granted, Slurm runs a single copy of the batch script on the first node"); a job that asks for many nodes and runs one process without srun or mpirun was among the real problems that public scripts showed (issue 11).',
  },
  check(ctx) {
    const nodes = option(ctx.script, 'nodes');
    const wanted = nodes?.value ? parseNodes(nodes.value) : undefined;
    if (!nodes || !wanted || wanted.min < 2) return;
    // a partition that takes no fewer (Betzy's normal: 4 nodes) leaves the job no choice
    if (wanted.min <= (jobPartition(ctx.script, ctx.profile)?.partition.minNodes ?? 1)) return;
    const invs = ctx.script.invocations;
    // anything that may start processes elsewhere or hides what it runs (the program a container
    // runs included): give it the benefit of the doubt
    const hides = (base: string, name: string) => LAUNCHERS.test(base) || runsUnseen(base, name) || /^(exec|make|cmake|ctest|docker)$/.test(base);
    if (invs.some((i) => i.srun || hides(i.command.base, i.command.name.text) || (i.program && hides(i.program, i.programWord?.text ?? '')))) return;
    // a driver that launches through Slurm itself (SmartSim, submitit, a "run_on_slurm.py") says so in its words
    const driver = (w: { text: string }) => /slurm|launch|srun|\bmpi\b|mpi4py|dask|\bray\b|cluster|submitit/i.test(w.text);
    const work = invs.find((i) => (ONE_PROCESS.test(i.program) || /^(torchrun|accelerate)$/.test(i.program)) && !i.command.substituted && !(i.programWord && [i.programWord, ...i.args].some(driver)));
    if (!work) return;
    const o = useOffsets(ctx.script, nodes);
    ctx.report({ start: o.start, end: o.end, message: `This job asks for ${nodes.value} nodes, but nothing in the script starts work on more than the first: ${work.program} runs ${/^(torchrun|accelerate)$/.test(work.program) ? 'on that node only' : 'as one process there'} and the other nodes sit idle, charged to the project. Start the work with srun, or ask for one node.` });
  },
};

export const srunWrapsMpirun: Rule = {
  id: 'srun-wraps-mpirun',
  severity: 'warning',
  title: 'srun starting mpirun: every task starts all the ranks',
  kinds: ['sbatch'],
  docs: {
    problem: '`srun mpirun ./solver`, `srun mpiexec -n 64 ./model`, `srun singularity exec img.sif mpirun ./solver`, `srun bash -c "mpirun ./solver"`: a launcher inside a launcher. A step of one task (`srun -n 1 ... mpirun`, so one `mpirun` in all, as loops that start one per node do) is not reported.',
    why: 'srun starts one copy of its program per task, so each of the N tasks runs its own `mpirun`, which starts all the ranks again: N×N processes fighting over the same cores (or N independent runs writing the same files), and a job that is many times slower or wrong.',
    fix: 'Use one launcher: `srun ./solver` (Slurm\'s MPI support starts the ranks; `--mpi=pmix` where the site needs it), or `mpirun ./solver` alone, which reads the allocation from Slurm.',
    source: 'srun(1), DESCRIPTION; Slurm\'s MPI guide (mpi_guide.html): "Do not use mpirun within srun".',
  },
  check(ctx) {
    for (const inv of ctx.script.invocations) {
      if (!inv.srun) continue;
      // a word after srun's own options that is mpirun, or a `bash -c "mpirun ..."` (through env,
      // a container, a shell: srun may itself be wrapped, `time srun ...`)
      const words = [inv.command.name, ...inv.command.args];
      const rest = words.slice(words.indexOf(inv.srun.word) + 1 + inv.srun.options.length);
      const after = rest.find((w) => /^(mpirun|mpiexec(\.hydra)?|orterun)$/.test(w.text.slice(w.text.lastIndexOf('/') + 1)) || (w.quoted && /(^|[\s;&|/])(mpirun|mpiexec|orterun)\s/.test(w.text)));
      if (!after) continue;
      const base = /(mpirun|mpiexec(\.hydra)?|orterun)/.exec(after.text)![1]!;
      // one srun task starting one mpirun (`srun -N1 -n1 -w $node mpirun -np 1 ...`, a pattern of NVIDIA's examples) runs each rank once
      if (inv.srun.options.some((o, i) => /^(-n1|--ntasks=1|-n=1)$/.test(o.text) || (['-n', '--ntasks'].includes(o.text) && inv.srun!.options[i + 1]?.text === '1'))) continue;
      ctx.report({ start: inv.srun.word.start, end: after!.end, message: `srun starts ${base} once per task, and each ${base} starts all the ranks again: the job runs N×N processes. Use srun alone (Slurm starts the ranks) or ${base} alone.` });
    }
  },
};

export const exportNoneReachesSteps: Rule = {
  id: 'export-none-reaches-steps',
  severity: 'warning',
  title: '--export=NONE also strips the environment of the script\'s srun steps',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job is submitted with `#SBATCH --export=NONE` (or a list of variables without `ALL`), the script sets up its environment (`module load`, `source`, `export`, `conda activate`), then starts `srun` steps, and nothing sets `SLURM_EXPORT_ENV` (a site module that sets up Slurm for jobs, such as LRZ\'s `slurm_setup`, is taken to do it).',
    why: 'sbatch passes its `--export` on to the job as `SLURM_EXPORT_ENV`, and every `srun` in the script reads it: the steps start with Slurm\'s variables only, without the modules, PATH and variables the script just set. The step fails with "command not found" or a missing library, although the same line works outside srun.',
    fix: 'Add `export SLURM_EXPORT_ENV=ALL` before the first srun (the quick fix; sbatch(1) recommends it), or give srun `--export=ALL`.',
    source: 'sbatch(1), --export=NONE ("To avoid steps inheriting environment export settings (e.g. "NONE") from sbatch command, the environment variable SLURM_EXPORT_ENV should be set to "ALL" in the job script"); src/sbatch/opt.c sets SLURM_EXPORT_ENV.',
  },
  check(ctx) {
    const use = option(ctx.script, 'export');
    const items = (use?.value ?? 'ALL').split(',').map((s) => s.trim().toUpperCase());
    if (!use || items[0] === 'ALL') return;
    const { shell, text } = ctx.script;
    // a site module that sets up Slurm for jobs (LRZ's slurm_setup, which its --export=NONE jobs load) does it
    if (/SLURM_EXPORT_ENV|SRUN_EXPORT_ENV/.test(text) || shell.commands.some((c) => ['module', 'ml'].includes(c.base) && c.args.some((a) => /slurm/i.test(a.text)))) return;
    const steps = ctx.script.invocations.filter((i) => i.srun && !i.srun.options.some((o) => o.text.startsWith('--export')));
    if (!steps.length) return;
    const first = steps[0]!.command.start;
    const setup = shell.commands.find((c) => c.start < first && (['module', 'ml', 'source', '.', 'export'].includes(c.base) || (c.base === 'conda' && c.args[0]?.text === 'activate')));
    if (!setup) return;
    const at = directiveInsertOffset(ctx.script);
    ctx.report({
      start: steps[0]!.srun!.word.start,
      end: steps[0]!.srun!.word.end,
      message: `--export=${use.value} reaches this srun through SLURM_EXPORT_ENV: the step starts without what the script set up (${setup.base}${setup.args[0] ? ` ${setup.args[0].text}` : ''} …), and fails on a missing command or library. Add export SLURM_EXPORT_ENV=ALL before it.`,
      fix: { title: 'Export the script\'s environment to its steps', edits: [{ start: at, end: at, newText: newDirectiveText(ctx.script, 'export SLURM_EXPORT_ENV=ALL') }] },
    });
  },
};

/** The job's task count when the directives fix it: --ntasks, or --nodes × --ntasks-per-node. */
function jobTasks(ctx: Parameters<Rule['check']>[0]): number | undefined {
  // a heterogeneous job's steps run in one component or another: no one count to hold them to
  if (ctx.script.header.options.some((o) => o.component)) return undefined;
  const n = option(ctx.script, 'ntasks')?.value;
  if (n) return parseCount(n);
  const nodes = option(ctx.script, 'nodes')?.value;
  const per = option(ctx.script, 'ntasks-per-node')?.value;
  const range = nodes ? parseNodes(nodes) : { min: 1 };
  if (!per || !range || range.max !== undefined) return undefined;
  const p = parseCount(per);
  return p === undefined ? undefined : p * range.min;
}

export const mpiRanksOverTasks: Rule = {
  id: 'mpi-ranks-over-tasks',
  severity: 'warning',
  title: 'mpirun -np asks for more ranks than the job has tasks',
  kinds: ['sbatch'],
  docs: {
    problem: '`mpirun -np 128 ./model` (or `mpiexec -n`, `srun -n`) with a number larger than the job\'s tasks as its directives fix them (`--ntasks=64`, or `--nodes=2 --ntasks-per-node=32`). Jobs that do not fix their task count, heterogeneous jobs (`#SBATCH hetjob`), and launchers told to oversubscribe (`--oversubscribe`, `--overcommit`, `-O`), are not reported.',
    why: 'Open MPI stops with "There are not enough slots available in the system"; srun refuses the step ("more processors requested than permitted"); MPI flavours that start the ranks anyway put two or more on each core, and the run is that many times slower. A number written in the script goes stale when the header is edited.',
    fix: 'Leave the count out (mpirun and srun take it from the allocation), or use `$SLURM_NTASKS`.',
    source: 'mpirun(1) of Open MPI ("not enough slots"); srun(1), -n; Slurm\'s MPI guide (mpi_guide.html).',
  },
  check(ctx) {
    const tasks = jobTasks(ctx);
    if (tasks === undefined) return;
    for (const l of launches(ctx.script.invocations)) {
      if (l.command.args.some((a) => /^(--oversubscribe|--overcommit|-O|--map-by=.*:OVERSUBSCRIBE.*)$/i.test(a.text))) continue;
      const n = taskCountOption(l.options);
      const count = n && /^\d+$/.test(n.value) ? Number(n.value) : undefined;
      if (n && count !== undefined && count > tasks) ctx.report({ start: n.start, end: n.end, message: `${l.base} asks for ${count} ranks and the job has ${tasks} tasks: ${l.base === 'srun' ? 'srun refuses the step' : 'Open MPI stops with "not enough slots", others oversubscribe the cores'}. Leave the count out, or use $SLURM_NTASKS.` });
    }
  },
};

export const arrayTaskIdUnused: Rule = {
  id: 'array-task-id-unused',
  severity: 'info',
  title: 'An array job whose tasks all run the same command line',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script is an array job (`--array=0-99`) and no line of it reads anything that differs between tasks: `SLURM_ARRAY_TASK_ID` (or another `SLURM_ARRAY_*`), `SLURM_JOB_ID`, `$RANDOM`. An array of one task, and a chain that runs one task at a time (`%1`, each resuming from the last one\'s checkpoint), are not reported. A program that reads the index from its environment itself is fine, which the script cannot show: hence an info.',
    why: 'Every task then does the same work: a hundred copies of one year\'s crop map, written over each other, charged a hundred times; or, for a sweep, the same seed and the same configuration in every task.',
    fix: 'Pass the index to the program (`python zonal.py --year $((2000 + SLURM_ARRAY_TASK_ID))`, `sed -n "${SLURM_ARRAY_TASK_ID}p" list.txt`), or drop `--array` if one run is meant.',
    source: 'sbatch(1), --array and SLURM_ARRAY_TASK_ID.',
  },
  check(ctx) {
    const use = option(ctx.script, 'array');
    const spec = use?.value ? parseArray(use.value) : undefined;
    // one task (`--array=1`, `0-0`), or a chain that runs one task at a time (`%1`: each resumes the last)
    if (!use?.value || !spec || 'error' in spec || spec.count < 2 || /%0*1$/.test(use.value)) return;
    const body = ctx.script.text.slice(ctx.script.index.offset(ctx.script.header.headerEnd, 0));
    // a script or file it runs or sources may read the index: as for nodes-without-launcher, no finding
    if (/SLURM_ARRAY_|TASK_ID|SLURM_JOB_?ID|SLURM_PROCID|\$RANDOM|\{\{|\$\{?[@*]/.test(body) || ctx.script.shell.commands.some((c) => runsUnseen(c.base, c.name.text))) return;
    const o = useOffsets(ctx.script, use);
    // `--config cfg_%a.yaml` in a command: %a is a pattern of --output and --error only
    const percent = ctx.script.shell.commands.find((c) => c.args.some((a) => a.text.includes('%a')));
    ctx.report({ start: o.start, end: o.end, message: `No line of this script reads SLURM_ARRAY_TASK_ID (nor anything else that differs between tasks): every task of --array=${use.value} runs the same command line, unless the program reads the index itself.${percent ? ` (%a is replaced in #SBATCH --output and --error only, not in ${percent.base}'s arguments.)` : ''} Pass $SLURM_ARRAY_TASK_ID to it.` });
  },
};

export const srunCpusPerTaskNotInherited: Rule = {
  id: 'srun-cpus-per-task-not-inherited',
  severity: 'warning',
  title: 'srun steps without the job\'s --cpus-per-task on Slurm 22.05 to 23.02',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job asks for `--cpus-per-task` above 1 and starts `srun` steps without `-c`/`--cpus-per-task`, nor `SRUN_CPUS_PER_TASK` set, on a cluster whose profile runs Slurm 22.05, 23.02 or another release before 23.11. Silent on the generic profile, which states no release.',
    why: 'From 22.05 until 23.11, srun does not read `SLURM_CPUS_PER_TASK`: a step takes 1 CPU per task, whatever the job asked for. A threaded program (OpenMP, PyTorch data loaders, GDAL, tippecanoe) is then pinned to one core while the others of the allocation idle, and the job runs many times slower. LUMI\'s and NRIS\'s documentation ask for `export SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK` for this reason.',
    fix: 'Add `export SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK` after the header (the quick fix), or give each srun `--cpus-per-task=$SLURM_CPUS_PER_TASK`.',
    source: 'Slurm RELEASE_NOTES of 22.05 ("srun will no longer read in SLURM_CPUS_PER_TASK ... set the new SRUN_CPUS_PER_TASK env var") and of 23.11 ("Replace SRUN_CPUS_PER_TASK with SLURM_CPUS_PER_TASK and get back to the behavior before Slurm 22.05").',
  },
  check(ctx) {
    const version = ctx.profile.slurmVersion;
    if (!version || compareVersions(version, '22.05') < 0 || compareVersions(version, '23.11') >= 0) return;
    const cpt = option(ctx.script, 'cpus-per-task');
    const n = cpt?.value ? parseCount(cpt.value) : undefined;
    if (!n || n < 2 || /SRUN_CPUS_PER_TASK/.test(ctx.script.text)) return;
    const step = ctx.script.invocations.find((i) => i.srun && !i.srun.options.some((o) => /^(-c\d*|--cpus-per-task\b.*|--cpus-per-gpu\b.*)$/.test(o.text)));
    if (!step) return;
    const at = directiveInsertOffset(ctx.script);
    ctx.report({
      start: step.srun!.word.start,
      end: step.srun!.word.end,
      message: `On Slurm ${version} (${ctx.profile.name}'s profile), srun does not take the job's --cpus-per-task=${n}: this step's tasks get 1 CPU each, and a threaded program runs on one core. Export SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK, or give srun -c.`,
      fix: { title: 'Export SRUN_CPUS_PER_TASK', edits: [{ start: at, end: at, newText: newDirectiveText(ctx.script, 'export SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK') }] },
    });
  },
};
