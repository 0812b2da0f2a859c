/** Site policy from the cluster profile: memory flags, node minimums, wall-time limits, accounts, runtimes. */
import { formatTime, parseCount, parseNodes, parseTime } from '../../../common/sbatch/values';
import { newDirectiveText, directiveInsertOffset, option } from '../analysis/script';
import { memPolicy } from '../profiles/profiles';
import type { Rule, RuleContext } from './rule';
import { deleteLine, didYouMean, jobPartition, listItems, setValueFix, suggest, useOffsets } from './util';

const MEM_FLAGS = ['mem', 'mem-per-cpu', 'mem-per-gpu'];

function partitionLabel(ctx: RuleContext): string {
  const p = jobPartition(ctx.script, ctx.profile);
  return p ? `partition ${p.name} on ${ctx.profile.name}` : ctx.profile.name;
}

/** Where a finding about the whole header goes: the first directive, or the first line. */
function headerAnchor(ctx: RuleContext): { start: number; end: number } {
  const line = ctx.script.header.directiveLines[0] ?? 0;
  return { start: ctx.script.index.offset(line, 0), end: ctx.script.index.lineEnd(line) };
}

export const memForbidden: Rule = {
  id: 'mem-forbidden',
  severity: 'error',
  title: '--mem on a cluster that allocates whole nodes',
  kinds: ['sbatch'],
  docs: {
    problem: 'A memory flag (`--mem`, `--mem-per-cpu`, `--mem-per-gpu`) on a partition that gives whole nodes and forbids memory requests, such as Betzy\'s normal partition.',
    why: 'The job fails at submission or allocation ("memory-related errors"): Slurm cannot reconcile a memory request with exclusive whole-node access. Each node already provides all its memory (about 242 GB on Betzy).',
    fix: 'Remove the memory directive; the quick fix does.',
    source: 'Fields-pipeline field report, "Bug #4: --mem flag crashes jobs on Betzy".',
  },
  check(ctx) {
    const part = jobPartition(ctx.script, ctx.profile);
    if (memPolicy(ctx.profile, part?.partition) !== 'forbidden') return;
    for (const use of ctx.script.header.options.filter((u) => MEM_FLAGS.includes(u.option.name))) {
      const o = useOffsets(ctx.script, use);
      const alone = ctx.script.header.options.filter((u) => u.span.line === use.span.line).length === 1;
      ctx.report({
        start: o.start,
        end: o.end,
        message: `Do not use ${use.written} on ${partitionLabel(ctx)}: whole nodes are allocated with all their memory${ctx.profile.memoryPerNodeGB ? ` (~${ctx.profile.memoryPerNodeGB} GB each)` : ''}, and a memory request makes the job fail.`,
        ...(alone ? { fix: { title: `Remove ${use.written}`, edits: [deleteLine(ctx.script, use.span.line)] } } : {}),
      });
    }
  },
};

export const memRequired: Rule = {
  id: 'mem-required',
  severity: 'error',
  title: 'No memory request where the cluster requires one',
  kinds: ['sbatch'],
  docs: {
    problem: 'No `--mem`, `--mem-per-cpu` or `--mem-per-gpu` on a cluster that requires one, such as Saga.',
    why: 'The job is refused at submission.',
    fix: 'Request memory per node: about twice the expected peak (`sacct -j JOBID -o MaxRSS` of an earlier run tells the peak). The quick fix adds `#SBATCH --mem=4G` to adjust.',
    source: 'Fields-pipeline field report ("--mem flag: Required" on Saga); romcrop field report (memory rules of thumb).',
  },
  check(ctx) {
    const part = jobPartition(ctx.script, ctx.profile);
    if (memPolicy(ctx.profile, part?.partition) !== 'required') return;
    if (ctx.script.header.options.some((u) => MEM_FLAGS.includes(u.option.name))) return;
    const at = directiveInsertOffset(ctx.script);
    ctx.report({
      ...headerAnchor(ctx),
      message: `${partitionLabel(ctx)} requires a memory request: add --mem (per node) or --mem-per-cpu, about twice the expected peak.`,
      fix: { title: 'Add #SBATCH --mem=4G', edits: [{ start: at, end: at, newText: newDirectiveText(ctx.script, '#SBATCH --mem=4G') }] },
    });
  },
};

export const nodesBelowPartitionMinimum: Rule = {
  id: 'nodes-below-partition-minimum',
  severity: 'error',
  title: 'Fewer nodes than the partition allows',
  kinds: ['sbatch'],
  docs: {
    problem: '`--nodes` (or no `--nodes`, which means 1) is below the partition\'s minimum, such as 4 on Betzy\'s normal partition.',
    why: 'sbatch refuses the job: "--nodes >= 4 required for normal jobs on Betzy".',
    fix: 'Request the minimum and use all nodes: for example one `srun --nodes=1 --exact ... &` per year or tile, then wait for each. The quick fix sets the minimum.',
    source: 'Fields-pipeline field report, "Bug #3: Betzy normal partition requires 4 nodes".',
  },
  check(ctx) {
    const part = jobPartition(ctx.script, ctx.profile);
    const min = part?.partition.minNodes;
    if (!part || !min || min <= 1) return;
    const use = option(ctx.script, 'nodes');
    const nodes = use?.value ? parseNodes(use.value) : { min: 1 };
    if (!nodes || nodes.min >= min) return;
    if (use) {
      const o = useOffsets(ctx.script, use);
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `Partition ${part.name} on ${ctx.profile.name} needs at least ${min} nodes; sbatch refuses ${nodes.min}. Use all ${min}: one srun step per node.`, fix: setValueFix(ctx.script, use, String(min)) });
    } else {
      const at = directiveInsertOffset(ctx.script);
      ctx.report({ ...headerAnchor(ctx), message: `Partition ${part.name} on ${ctx.profile.name} needs at least ${min} nodes and this job asks for 1 (no --nodes); sbatch refuses it.`, fix: { title: `Add #SBATCH --nodes=${min}`, edits: [{ start: at, end: at, newText: newDirectiveText(ctx.script, `#SBATCH --nodes=${min}`) }] } });
    }
  },
};

export const nodesAbovePartitionMaximum: Rule = {
  id: 'nodes-above-partition-maximum',
  severity: 'error',
  title: 'More nodes than the partition allows',
  kinds: ['sbatch'],
  docs: {
    problem: '`--nodes` is above the partition\'s maximum (LUMI\'s small partition takes one node).',
    why: 'The job is refused or pends forever ("PartitionNodeLimit").',
    fix: 'Use a partition for multi-node jobs, or fewer nodes; the quick fix sets the maximum.',
    source: 'Partition limits in the cluster profile (LUMI documentation for lumi).',
  },
  check(ctx) {
    const part = jobPartition(ctx.script, ctx.profile);
    const max = part?.partition.maxNodes;
    const use = option(ctx.script, 'nodes');
    const nodes = use?.value ? parseNodes(use.value) : undefined;
    if (!part || !max || !use || !nodes || nodes.min <= max) return;
    const o = useOffsets(ctx.script, use);
    ctx.report({ start: o.valueStart, end: o.valueEnd, message: `Partition ${part.name} on ${ctx.profile.name} takes at most ${max} node(s); ${nodes.min} will not run there.`, fix: setValueFix(ctx.script, use, String(max)) });
  },
};

export const timeOverPartitionLimit: Rule = {
  id: 'time-over-partition-limit',
  severity: 'error',
  title: 'Wall time above the partition limit',
  kinds: ['sbatch'],
  docs: {
    problem: '`--time` is longer than the partition allows (4 days on Betzy normal, 7 on Saga normal).',
    why: 'The job is refused, or pends forever with reason "PartitionTimeLimit".',
    fix: 'Stay within the limit and make steps resumable (skip outputs that already validate) so a second job finishes the work. The quick fix sets the limit.',
    source: 'Fields-pipeline field report (walltime table; "Build skip-if-valid-exists logic").',
  },
  check(ctx) {
    const part = jobPartition(ctx.script, ctx.profile);
    const use = option(ctx.script, 'time');
    const maxText = part?.partition.maxTime;
    if (!part || !use?.value || !maxText) return;
    const asked = parseTime(use.value);
    const max = parseTime(maxText);
    if (asked === undefined || max === undefined || asked <= max) return;
    const o = useOffsets(ctx.script, use);
    ctx.report({ start: o.valueStart, end: o.valueEnd, message: `--time=${use.value} is over the ${formatTime(max)} limit of partition ${part.name} on ${ctx.profile.name}; the job will not start.`, fix: setValueFix(ctx.script, use, formatTime(max)) });
  },
};

export const unknownPartition: Rule = {
  id: 'unknown-partition',
  severity: 'warning',
  title: 'A partition the cluster does not have',
  kinds: ['sbatch'],
  docs: {
    problem: '`--partition` names a partition that is not in the cluster profile.',
    why: 'sbatch refuses the job ("invalid partition specified"). A frequent cause is a script copied from another cluster (accel on Betzy, a100 on Saga, proxima on Poznan).',
    fix: 'Use one of the cluster\'s partitions (completion lists them), or add the partition to the profile in .hpc-geo.yaml.',
    source: 'DR field report (cluster comparison: GPU partitions per cluster).',
  },
  check(ctx) {
    const parts = ctx.profile.partitions;
    const use = option(ctx.script, 'partition');
    if (!parts || !use?.value || /\$/.test(use.value)) return;
    const names = Object.keys(parts);
    for (const { item, start, end } of listItems(ctx.script, use)) {
      if (!names.includes(item)) ctx.report(suggest(start, end, `${ctx.profile.name} has no partition '${item}' (it has ${names.join(', ')})`, didYouMean(item, names)));
    }
  },
};

export const missingAccount: Rule = {
  id: 'missing-account',
  severity: 'warning',
  title: 'No --account where every job is charged to a project',
  kinds: ['sbatch'],
  docs: {
    problem: 'No `--account` on a cluster where jobs must name a project (NRIS: `nn12037k`; LUMI: `project_...`).',
    why: 'The job is refused, or charged to a default project you did not mean.',
    fix: 'Add `#SBATCH --account=<project>`.',
    source: 'Field reports (NRIS account nn12037k shared by Saga and Betzy; LUMI project accounts).',
  },
  check(ctx) {
    if (!ctx.profile.accountRequired || option(ctx.script, 'account')) return;
    if (!ctx.script.header.directiveLines.length) return;
    ctx.report({ ...headerAnchor(ctx), message: `Jobs on ${ctx.profile.name} are charged to a project: add #SBATCH --account=<project>.` });
  },
};

export const cpusOverNode: Rule = {
  id: 'cpus-over-node',
  severity: 'warning',
  title: 'More CPUs per task than a node has',
  kinds: ['sbatch'],
  docs: {
    problem: '`--cpus-per-task` is above the logical CPUs of one node, or `--cpus-per-task` times `--ntasks-per-node` is.',
    why: 'A task cannot span nodes, and the tasks of one node share its CPUs: the job pends forever or is refused ("Requested node configuration is not available").',
    fix: 'Ask for at most the node\'s CPUs; on hyper-threaded nodes, the physical core count is usually the faster choice (128 on Betzy).',
    source: 'Fields-pipeline field report (128 physical / 256 logical CPUs on Betzy).',
  },
  check(ctx) {
    const logical = ctx.profile.cpusPerNode?.logical;
    const use = option(ctx.script, 'cpus-per-task');
    const n = use?.value ? parseCount(use.value) : undefined;
    if (!logical || !use || !n) return;
    const o = useOffsets(ctx.script, use);
    if (n > logical) {
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `A node of ${ctx.profile.name} has ${logical} logical CPUs; --cpus-per-task=${n} cannot be placed.`, fix: setValueFix(ctx.script, use, String(ctx.profile.cpusPerNode?.physical ?? logical)) });
      return;
    }
    const per = option(ctx.script, 'ntasks-per-node');
    const tasks = per?.value ? parseCount(per.value) : undefined;
    if (!per || !tasks || tasks * n <= logical) return;
    const p = useOffsets(ctx.script, per);
    ctx.report({ start: p.valueStart, end: p.valueEnd, message: `${tasks} tasks of ${n} CPUs each is ${tasks * n} CPUs on one node, and a node of ${ctx.profile.name} has ${logical}: the job cannot be placed. Ask for at most ${Math.floor(logical / n)} tasks per node.`, fix: setValueFix(ctx.script, per, String(Math.floor(logical / n))) });
  },
};

export const missingTime: Rule = {
  id: 'missing-time',
  severity: 'info',
  title: 'No --time',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script does not set `--time`.',
    why: 'The partition\'s default limit applies, which may be much shorter than the work (the job is killed), or the maximum (the job waits longer in the queue than it needs to).',
    fix: 'Set `--time` a little above what `sacct -o Elapsed` showed for a similar job.',
    source: 'DR field report checklist ("SLURM --time is sufficient").',
  },
  check(ctx) {
    if (!ctx.script.header.directiveLines.length || option(ctx.script, 'time')) return;
    ctx.report({ ...headerAnchor(ctx), message: 'No --time: the partition\'s default limit applies. Set it a little above the Elapsed of a similar finished job.' });
  },
};
