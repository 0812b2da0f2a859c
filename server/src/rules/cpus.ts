/** Tools that size themselves from the node instead of the job's allocation. */
import { parseCount } from '../../../common/sbatch/values';
import { option } from '../analysis/script';
import type { Rule } from './rule';
import { expand, variableValues } from './util';

const ALLOCATED = '${SLURM_CPUS_PER_TASK:-1}';

export const pythonCpuCount: Rule = {
  id: 'python-cpu-count',
  severity: 'warning',
  title: 'os.cpu_count() counts the node, not the job',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'Inline Python (`python -c`, a heredoc) sizes a pool with `os.cpu_count()` or `multiprocessing.cpu_count()`.',
    why: 'They return the CPUs of the whole node, with hyper-threads: 256 on Betzy even for a job given 8 CPUs. The pool starts 256 processes on 8 CPUs and runs far slower, or runs out of memory.',
    fix: 'Use `len(os.sched_getaffinity(0))` (the CPUs this process may run on) or `int(os.environ["SLURM_CPUS_PER_TASK"])`; the quick fix rewrites `os.cpu_count()`.',
    source: 'Fields-pipeline field report ("os.cpu_count() lies on Betzy -- returns 256").',
  },
  check(ctx) {
    for (const p of ctx.script.python) {
      const re = /\b(os|multiprocessing|mp|psutil)\.cpu_count\([^)]*\)/g;
      for (let m = re.exec(p.code); m; m = re.exec(p.code)) {
        const start = p.start + m.index;
        const end = start + m[0].length;
        ctx.report({ start, end, message: `${m[0]} returns every CPU of the node (256 on Betzy), not the CPUs of this job. Use len(os.sched_getaffinity(0)).`, ...(m[1] === 'os' ? { fix: { title: 'Use len(os.sched_getaffinity(0))', edits: [{ start, end, newText: 'len(os.sched_getaffinity(0))' }] } } : {}) });
      }
    }
  },
};

export const gdalAllCpus: Rule = {
  id: 'gdal-all-cpus',
  severity: 'warning',
  title: 'GDAL told to use ALL_CPUS',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: '`GDAL_NUM_THREADS=ALL_CPUS` (or `NUM_THREADS=ALL_CPUS` as a creation or warp option) in a job script.',
    why: 'GDAL counts the node\'s CPUs, not the job\'s: on a shared node it runs 128 or 256 threads on the handful of CPUs the job has, and contends with other jobs.',
    fix: 'Use the allocation: `GDAL_NUM_THREADS=$SLURM_CPUS_PER_TASK`; the quick fix does.',
    source: 'GDAL configuration options (GDAL_NUM_THREADS); fields-pipeline field report (node vs allocation CPU counts).',
  },
  check(ctx) {
    const re = /\b(GDAL_NUM_THREADS|NUM_THREADS)(=|\s+)(["']?)ALL_CPUS\3/g;
    if (!ctx.script.text.includes('ALL_CPUS')) return;
    ctx.script.lines.forEach((line, n) => {
      if (line.trimStart().startsWith('#')) return;
      re.lastIndex = 0;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        const at = ctx.script.index.starts[n]! + m.index + m[1]!.length + m[2]!.length + m[3]!.length;
        const singleQuoted = m[3] === "'";
        ctx.report({ start: at, end: at + 'ALL_CPUS'.length, message: 'ALL_CPUS makes GDAL count every CPU of the node, not the CPUs of this job. Use $SLURM_CPUS_PER_TASK.', ...(singleQuoted ? {} : { fix: { title: 'Use $SLURM_CPUS_PER_TASK', edits: [{ start: at, end: at + 8, newText: ALLOCATED }] } }) });
      }
    });
  },
};

export const nprocCountsNode: Rule = {
  id: 'nproc-counts-node',
  severity: 'warning',
  title: 'CPU count taken from the node',
  kinds: ['sbatch'],
  docs: {
    problem: '`nproc --all`, `getconf _NPROCESSORS_ONLN` or counting `/proc/cpuinfo` to size work in a job.',
    why: 'They count every CPU of the node. In a job given part of a node the work is oversubscribed; on hyper-threaded nodes it counts threads, not cores (256 on Betzy), which is also what triggers tippecanoe\'s shard crash.',
    fix: 'Use `$SLURM_CPUS_PER_TASK` (or plain `nproc`, which respects the job\'s CPU set); the quick fix does.',
    source: 'Fields-pipeline field report (CPU counts on Betzy); nproc(1).',
  },
  check(ctx) {
    const re = /\$\(\s*(nproc\s+--all|getconf\s+_?NPROCESSORS_ONLN|grep\s+-c\s+\^?processor\s+\/proc\/cpuinfo|cat\s+\/proc\/cpuinfo\s*\|\s*grep\s+-c\s+\^?processor)\s*\)/g;
    if (!/nproc|NPROCESSORS|cpuinfo/.test(ctx.script.text)) return;
    ctx.script.lines.forEach((line, n) => {
      if (line.trimStart().startsWith('#')) return;
      re.lastIndex = 0;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        const at = ctx.script.index.starts[n]! + m.index;
        ctx.report({ start: at, end: at + m[0].length, message: `${m[1]} counts every CPU of the node, not the CPUs of this job. Use $SLURM_CPUS_PER_TASK.`, fix: { title: 'Use $SLURM_CPUS_PER_TASK', edits: [{ start: at, end: at + m[0].length, newText: ALLOCATED }] } });
      }
    });
  },
};

const THREAD_VARS = ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'NUMEXPR_MAX_THREADS', 'GDAL_NUM_THREADS', 'TIPPECANOE_MAX_THREADS'];
const WORKER_FLAGS = ['--max-workers', '--num-workers', '--n-workers', '--workers', '--nthreads', '--threads', '--n-jobs', '--n_jobs', '--processes', '--nprocs'];

export const threadsOverAllocation: Rule = {
  id: 'threads-over-allocation',
  severity: 'warning',
  title: 'More threads or workers than CPUs allocated',
  kinds: ['sbatch'],
  docs: {
    problem: 'A thread or worker count (`OMP_NUM_THREADS`, `--max-workers`, `--num-workers`, ...) is larger than `--cpus-per-task`.',
    why: 'The extra threads share the allocated CPUs: context switching and cache thrashing make the job slower, not faster, and memory grows with every worker (16 to 32 GB per Ray worker in the cross-sensor-cal tutorial).',
    fix: 'Use the allocation: `--max-workers "$SLURM_CPUS_PER_TASK"`, or raise `--cpus-per-task`; the quick fix uses $SLURM_CPUS_PER_TASK.',
    source: 'Cross-sensor-cal tutorial ("use --max-workers conservatively"; --cpus-per-task=8 with --max-workers 8).',
  },
  check(ctx) {
    const use = option(ctx.script, 'cpus-per-task');
    const cpus = use?.value ? parseCount(use.value) : undefined;
    if (!cpus) return;
    const vars = variableValues(ctx.script);
    const over = (text: string) => {
      const n = Number(expand(text, vars));
      return Number.isInteger(n) && n > cpus ? n : undefined;
    };
    for (const a of [...ctx.script.shell.assignments, ...ctx.script.shell.commands.flatMap((c) => c.prefixAssignments)]) {
      const n = THREAD_VARS.includes(a.name) && a.value ? over(a.value.text) : undefined;
      if (n && a.value) ctx.report({ start: a.value.start, end: a.value.end, message: `${a.name}=${n} but the job has ${cpus} CPUs per task: the threads fight over them. Use $SLURM_CPUS_PER_TASK.`, fix: { title: 'Use $SLURM_CPUS_PER_TASK', edits: [{ start: a.value.start, end: a.value.end, newText: '$SLURM_CPUS_PER_TASK' }] } });
    }
    for (const inv of ctx.script.invocations) {
      inv.args.forEach((w, i) => {
        const flag = WORKER_FLAGS.find((f) => w.text === f || w.text.startsWith(`${f}=`));
        if (!flag) return;
        const v = w.text === flag ? inv.args[i + 1] : { ...w, text: w.text.slice(flag.length + 1), start: w.start + flag.length + 1 };
        const n = v ? over(v.text) : undefined;
        if (v && n) ctx.report({ start: v.start, end: v.end, message: `${flag} ${n} but the job has ${cpus} CPUs per task: workers beyond that only compete. Use "$SLURM_CPUS_PER_TASK".`, fix: { title: 'Use $SLURM_CPUS_PER_TASK', edits: [{ start: v.start, end: v.end, newText: '"$SLURM_CPUS_PER_TASK"' }] } });
      });
    }
  },
};
