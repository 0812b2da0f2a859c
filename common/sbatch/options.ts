/**
 * The options sbatch accepts in `#SBATCH` lines (sbatch(1), Slurm 20.11 to 25.x), with what each
 * takes. Used for parsing (getopt_long semantics), diagnostics, hover and completion. Held to
 * Slurm's own option table (slurmOptionTable.json, derived from slurm_opt.c by
 * scripts/sbatchOptionTable.ts) by test/unit/optionTable.test.ts.
 */

import optionTable from './slurmOptionTable.json';

export type ArgKind = 'required' | 'optional' | 'none';

/** How a value is checked; `text` is not checked. */
export type ValueKind =
  | 'text'
  | 'time'
  | 'memory'
  | 'count'
  | 'nodes'
  | 'array'
  | 'dependency'
  | 'filename'
  | 'partition'
  | 'enum'
  | 'enumList'
  | 'gpus';

export interface SbatchOption {
  /** Long name without dashes, e.g. `cpus-per-task`. */
  readonly name: string;
  readonly short?: string;
  readonly arg: ArgKind;
  readonly kind: ValueKind;
  readonly summary: string;
  /** Shown in hover and completion, e.g. `<[days-]hours:minutes:seconds>`. */
  readonly valueHint?: string;
  readonly values?: readonly string[];
  /** First Slurm release that has it, when newer than 20.11. */
  readonly since?: string;
  /**
   * A deprecated spelling that getopt treats as this other option (same `val` in Slurm's
   * option table): the use is read as that option, and completion does not offer it.
   */
  readonly aliasOf?: string;
  /** Still accepted but no longer documented: completion does not offer it. */
  readonly deprecated?: boolean;
  /** For a deprecated entry that is not an alias: the option to write instead. */
  readonly preferred?: string;
}

const o = (
  name: string,
  short: string | undefined,
  arg: ArgKind,
  kind: ValueKind,
  summary: string,
  extra: Partial<Pick<SbatchOption, 'valueHint' | 'values' | 'since' | 'aliasOf' | 'deprecated' | 'preferred'>> = {},
): SbatchOption => ({ name, ...(short ? { short } : {}), arg, kind, summary, ...extra });

export const MAIL_TYPES = [
  'NONE', 'BEGIN', 'END', 'FAIL', 'REQUEUE', 'ALL', 'INVALID_DEPEND', 'STAGE_OUT',
  'TIME_LIMIT', 'TIME_LIMIT_90', 'TIME_LIMIT_80', 'TIME_LIMIT_50', 'ARRAY_TASKS',
] as const;

export const DEPENDENCY_TYPES = [
  'after', 'afterany', 'afterburstbuffer', 'aftercorr', 'afternotok', 'afterok', 'singleton',
] as const;

export const SBATCH_OPTIONS: readonly SbatchOption[] = [
  o('account', 'A', 'required', 'text', 'Charge the job to this account (project), e.g. nn12037k.', { valueHint: '<account>' }),
  o('acctg-freq', undefined, 'required', 'text', 'Sampling intervals for accounting and profiling.', { valueHint: '<datatype>=<interval>' }),
  o('array', 'a', 'required', 'array', 'Submit a job array; %N limits how many tasks run at once.', { valueHint: '<indexes>[%<max running>], e.g. 0-99%10' }),
  o('autocomplete', undefined, 'required', 'text', 'Prints completions for a shell\'s tab completion, then exits (not for scripts).', { valueHint: '<partial option>', since: '23.02', deprecated: true }),
  o('batch', undefined, 'required', 'text', 'Node features the batch host must have.', { valueHint: '<list>' }),
  o('bb', undefined, 'required', 'text', 'Burst buffer specification.', { valueHint: '<spec>' }),
  o('bbf', undefined, 'required', 'filename', 'File with the burst buffer specification.', { valueHint: '<file>' }),
  o('begin', 'b', 'required', 'text', 'Start the job no earlier than this time.', { valueHint: '<time>, e.g. now+1hour, 2026-12-01T08:00' }),
  o('chdir', 'D', 'required', 'filename', 'Working directory of the batch script before it runs.', { valueHint: '<directory>' }),
  o('cluster-constraint', undefined, 'required', 'text', 'Features a federated cluster must have.', { valueHint: '[!]<list>' }),
  o('cluster', undefined, 'required', 'text', 'Old spelling of --clusters (its own entry in Slurm\'s option table, so --clu is ambiguous).', { valueHint: '<string>', deprecated: true, preferred: 'clusters' }),
  o('clusters', 'M', 'required', 'text', 'Clusters to submit to (multi-cluster operation).', { valueHint: '<string>' }),
  o('comment', undefined, 'required', 'text', 'An arbitrary comment stored with the job.', { valueHint: '<string>' }),
  o('constraint', 'C', 'required', 'text', 'Node features the job needs, e.g. a GPU model.', { valueHint: '<list>' }),
  o('context', undefined, 'required', 'text', 'SELinux context of the job.', { valueHint: '<context>' }),
  o('container', undefined, 'required', 'filename', 'Absolute path to an OCI container bundle.', { valueHint: '<path>' }),
  o('container-id', undefined, 'required', 'text', 'ID of the OCI container.', { valueHint: '<id>', since: '23.02' }),
  o('contiguous', undefined, 'none', 'text', 'Allocate contiguous nodes.'),
  o('core-spec', 'S', 'required', 'count', 'Cores per node reserved for system use.', { valueHint: '<num>' }),
  o('cores-per-socket', undefined, 'required', 'count', 'Nodes must have at least this many cores per socket.', { valueHint: '<cores>' }),
  o('cpu-freq', undefined, 'required', 'text', 'CPU frequency and governor for job steps.', { valueHint: '<p1>[-p2[:p3]]' }),
  o('cpus-per-gpu', undefined, 'required', 'count', 'CPUs per allocated GPU.', { valueHint: '<ncpus>' }),
  o('cpus-per-task', 'c', 'required', 'count', 'CPUs per task; what threads and worker pools should be sized from ($SLURM_CPUS_PER_TASK).', { valueHint: '<ncpus>' }),
  o('deadline', undefined, 'required', 'text', 'Remove the job if it cannot end before this time.', { valueHint: '<OPT>' }),
  o('delay-boot', undefined, 'required', 'time', 'Do not reboot nodes for features before this delay.', { valueHint: '<minutes>' }),
  o('dependency', 'd', 'required', 'dependency', 'Start only when other jobs reach a state: afterok, afterany, afternotok, after, aftercorr, singleton.', { valueHint: '<type:job_id[:job_id]>[,type:job_id...] or ?-separated' }),
  o('distribution', 'm', 'required', 'text', 'How tasks are laid out on nodes, sockets and cores.', { valueHint: '{*|block|cyclic|arbitrary|plane=<size>}[:...]' }),
  o('error', 'e', 'required', 'filename', 'File for the script\'s standard error; patterns %j %x %A %a %N %n %t %u %%.', { valueHint: '<filename pattern>' }),
  o('exclude', 'x', 'required', 'text', 'Nodes not to use.', { valueHint: '<node name list>' }),
  o('exclusive', undefined, 'optional', 'enum', 'Do not share the allocated nodes with other jobs.', { values: ['user', 'mcs', 'topo'], valueHint: '[={user|mcs|topo}]' }),
  o('export', undefined, 'required', 'text', 'Environment variables passed to the job: ALL (default), NONE, or a list.', { valueHint: '{[ALL,]<vars>|ALL|NONE}' }),
  o('export-file', undefined, 'required', 'filename', 'File of environment variables for the job.', { valueHint: '{<filename>|<fd>}' }),
  o('extra', undefined, 'required', 'text', 'Arbitrary string for node feature filtering.', { valueHint: '<string>', since: '23.02' }),
  o('extra-node-info', 'B', 'required', 'text', 'Sockets, cores and threads per node.', { valueHint: '<sockets>[:cores[:threads]]' }),
  o('get-user-env', undefined, 'optional', 'text', 'Load the user\'s login environment.', { valueHint: '[=timeout][mode]' }),
  o('gid', undefined, 'required', 'text', 'Run as this group (root only).', { valueHint: '<group>' }),
  o('gpu-bind', undefined, 'required', 'text', 'Bind tasks to GPUs.', { valueHint: '[verbose,]<type>' }),
  o('gpu-freq', undefined, 'required', 'text', 'GPU frequency.', { valueHint: '[<type>=]<value>[,...]' }),
  o('gpus', 'G', 'required', 'gpus', 'GPUs for the whole job.', { valueHint: '[type:]<number>' }),
  o('gpus-per-node', undefined, 'required', 'gpus', 'GPUs per node.', { valueHint: '[type:]<number>' }),
  o('gpus-per-socket', undefined, 'required', 'gpus', 'GPUs per socket.', { valueHint: '[type:]<number>' }),
  o('gpus-per-task', undefined, 'required', 'gpus', 'GPUs per task.', { valueHint: '[type:]<number>' }),
  o('gres', undefined, 'required', 'text', 'Generic resources per node, e.g. gpu:a100:1.', { valueHint: '<list>' }),
  o('gres-flags', undefined, 'required', 'text', 'How generic resources are allocated.', { valueHint: '<type>' }),
  o('help', 'h', 'none', 'text', 'Print help and exit (not for scripts).'),
  o('hint', undefined, 'required', 'enum', 'Task binding hints.', { values: ['compute_bound', 'memory_bound', 'multithread', 'nomultithread'], valueHint: '<type>' }),
  o('hold', 'H', 'none', 'text', 'Submit the job held; release it with scontrol release.'),
  o('ignore-pbs', undefined, 'none', 'text', 'Ignore #PBS and #BSUB options in the script.'),
  o('input', 'i', 'required', 'filename', 'File connected to the script\'s standard input.', { valueHint: '<filename pattern>' }),
  o('job-name', 'J', 'required', 'text', 'Name of the job, shown by squeue and usable as %x in log names.', { valueHint: '<name>' }),
  o('kill-on-invalid-dep', undefined, 'required', 'enum', 'Cancel the job when its dependency can never be met.', { values: ['yes', 'no'], valueHint: '<yes|no>' }),
  o('licenses', 'L', 'required', 'text', 'Licenses the job needs.', { valueHint: '<license>[@db][:count][,...]' }),
  o('mail-type', undefined, 'required', 'enumList', 'Events to send mail for.', { values: MAIL_TYPES, valueHint: '<type>[,<type>...]' }),
  o('mail-user', undefined, 'required', 'text', 'Address for mail about the job.', { valueHint: '<user>' }),
  o('mcs-label', undefined, 'required', 'text', 'MCS label of the job.', { valueHint: '<mcs>' }),
  o('mem', undefined, 'required', 'memory', 'Memory per node (M by default; K, M, G, T suffixes). 0 means all of it. Excludes --mem-per-cpu and --mem-per-gpu.', { valueHint: '<size>[units], e.g. 64G' }),
  o('mem-bind', undefined, 'required', 'text', 'Bind tasks to memory.', { valueHint: '[{quiet|verbose},]<type>' }),
  o('mem-per-cpu', undefined, 'required', 'memory', 'Memory per allocated CPU. Excludes --mem and --mem-per-gpu.', { valueHint: '<size>[units]' }),
  o('mem-per-gpu', undefined, 'required', 'memory', 'Memory per allocated GPU. Excludes --mem and --mem-per-cpu.', { valueHint: '<size>[units]' }),
  o('mincpus', undefined, 'required', 'count', 'Minimum logical CPUs per node.', { valueHint: '<n>' }),
  o('network', undefined, 'required', 'text', 'Network (switch) options.', { valueHint: '<type>' }),
  o('nice', undefined, 'optional', 'text', 'Lower the job\'s priority.', { valueHint: '[=adjustment]' }),
  o('no-kill', 'k', 'optional', 'text', 'Do not kill the job when one of its nodes fails.', { valueHint: '[=off]' }),
  o('no-requeue', undefined, 'none', 'text', 'Never requeue the job.'),
  o('nodefile', 'F', 'required', 'filename', 'File listing the nodes to use.', { valueHint: '<node_file>' }),
  o('nodelist', 'w', 'required', 'text', 'Nodes to use.', { valueHint: '<node name list>' }),
  o('nodes', 'N', 'required', 'nodes', 'Number of nodes (or min-max). Partitions may set a minimum: Betzy\'s normal partition wants 4.', { valueHint: '<minnodes>[-maxnodes]' }),
  o('ntasks', 'n', 'required', 'count', 'Number of tasks (srun processes) the job may launch.', { valueHint: '<number>' }),
  o('ntasks-per-core', undefined, 'required', 'count', 'Maximum tasks per core.', { valueHint: '<ntasks>' }),
  o('ntasks-per-gpu', undefined, 'required', 'count', 'Tasks per GPU.', { valueHint: '<ntasks>' }),
  o('ntasks-per-node', undefined, 'required', 'count', 'Tasks per node.', { valueHint: '<ntasks>' }),
  o('ntasks-per-tres', undefined, 'required', 'count', 'Tasks per trackable resource (GPU).', { valueHint: '<ntasks>' }),
  o('ntasks-per-socket', undefined, 'required', 'count', 'Maximum tasks per socket.', { valueHint: '<ntasks>' }),
  o('oom-kill-step', undefined, 'optional', 'text', 'Kill the whole step when one task runs out of memory.', { valueHint: '[={0|1}]', since: '24.11' }),
  o('open-mode', undefined, 'required', 'enum', 'Append to or truncate the output and error files.', { values: ['append', 'truncate'], valueHint: '{append|truncate}' }),
  o('output', 'o', 'required', 'filename', 'File for the script\'s standard output; patterns %j %x %A %a %N %n %t %u %%.', { valueHint: '<filename pattern>' }),
  o('overcommit', 'O', 'none', 'text', 'Allow more than one task per CPU.'),
  o('oversubscribe', 's', 'none', 'text', 'Share nodes with other running jobs.'),
  o('parsable', undefined, 'none', 'text', 'Print only the job id (and cluster).'),
  o('partition', 'p', 'required', 'partition', 'Partition (queue) for the job.', { valueHint: '<partition names>' }),
  o('power', undefined, 'required', 'text', 'Power management options.', { valueHint: '<flags>' }),
  o('prefer', undefined, 'required', 'text', 'Preferred node features (not required).', { valueHint: '<list>', since: '22.05' }),
  o('priority', undefined, 'required', 'text', 'Job priority (operators only).', { valueHint: '<value>' }),
  o('profile', undefined, 'required', 'text', 'Detailed profiling data to collect.', { valueHint: '{all|none|<type>[,<type>...]}' }),
  o('propagate', undefined, 'optional', 'text', 'Resource limits propagated to the compute nodes.', { valueHint: '[=rlimit[,rlimit...]]' }),
  o('qos', 'q', 'required', 'text', 'Quality of service.', { valueHint: '<qos>' }),
  o('quiet', 'Q', 'none', 'text', 'Suppress informational messages.'),
  o('reboot', undefined, 'none', 'text', 'Reboot the nodes before starting the job.'),
  o('requeue', undefined, 'none', 'text', 'Allow the job to be requeued.'),
  o('reservation', undefined, 'required', 'text', 'Run in this reservation.', { valueHint: '<reservation_names>' }),
  o('resv-ports', undefined, 'optional', 'text', 'Reserve communication ports for the job\'s steps.', { valueHint: '[=count]', since: '24.05' }),
  o('segment', undefined, 'required', 'count', 'Segment size for topology-aware allocation.', { valueHint: '<segment_size>', since: '24.05' }),
  o('signal', undefined, 'required', 'text', 'Send a signal before the time limit, e.g. B:USR1@300 to checkpoint.', { valueHint: '[{R|B}:]<sig_num>[@sig_time]' }),
  o('sockets-per-node', undefined, 'required', 'count', 'Nodes must have at least this many sockets.', { valueHint: '<sockets>' }),
  o('spread-job', undefined, 'none', 'text', 'Spread the job over as many nodes as possible.'),
  o('stepmgr', undefined, 'none', 'text', 'Manage the job\'s steps on its first node.', { since: '24.05' }),
  o('switches', undefined, 'required', 'text', 'Maximum leaf switches.', { valueHint: '<count>[@max-time]' }),
  o('tasks-per-node', undefined, 'required', 'count', 'Deprecated spelling of --ntasks-per-node (sbatch still reads it as that option).', { valueHint: '<ntasks>', aliasOf: 'ntasks-per-node', deprecated: true }),
  o('test-only', undefined, 'none', 'text', 'Validate and estimate the start time; do not submit.'),
  o('thread-spec', undefined, 'required', 'count', 'Threads per node reserved for system use.', { valueHint: '<num>' }),
  o('threads-per-core', undefined, 'required', 'count', 'Threads per core: 1 to use physical cores only.', { valueHint: '<threads>' }),
  o('time', 't', 'required', 'time', 'Wall-time limit; the job is killed when it is reached.', { valueHint: 'minutes | minutes:seconds | hours:minutes:seconds | days-hours[:minutes[:seconds]]' }),
  o('time-min', undefined, 'required', 'time', 'Minimum time limit, for backfill.', { valueHint: 'same forms as --time' }),
  o('tmp', undefined, 'required', 'memory', 'Minimum temporary disk space per node.', { valueHint: '<size>[units]' }),
  o('tres-bind', undefined, 'required', 'text', 'Bind tasks to trackable resources.', { valueHint: '<list>', since: '23.11' }),
  o('tres-per-task', undefined, 'required', 'text', 'Trackable resources per task.', { valueHint: '<list>', since: '23.02' }),
  o('uid', undefined, 'required', 'text', 'Run as this user (root only).', { valueHint: '<user>' }),
  o('usage', undefined, 'none', 'text', 'Print usage and exit (not for scripts).'),
  o('use-min-nodes', undefined, 'none', 'text', 'Prefer the smaller node count of a range.'),
  o('verbose', 'v', 'none', 'text', 'More messages from sbatch.'),
  o('version', 'V', 'none', 'text', 'Print the version and exit (not for scripts).'),
  o('wait', 'W', 'none', 'text', 'Do not return until the job ends.'),
  o('wait-all-nodes', undefined, 'required', 'enum', 'Start only when all nodes are ready.', { values: ['0', '1'], valueHint: '<0|1>' }),
  o('wckey', undefined, 'required', 'text', 'Workload characterization key.', { valueHint: '<wckey>' }),
  o('wrap', undefined, 'required', 'text', 'Wrap a command string in a script (command line only).', { valueHint: '<command string>' }),
];

const byName = new Map(SBATCH_OPTIONS.map((opt) => [opt.name, opt]));
const byShort = new Map(SBATCH_OPTIONS.filter((opt) => opt.short).map((opt) => [opt.short!, opt]));

export function optionByName(name: string): SbatchOption | undefined {
  return byName.get(name);
}

export function optionByShort(letter: string): SbatchOption | undefined {
  return byShort.get(letter);
}

/** The option a table entry stands for: its own, or the one a deprecated alias is read as. */
export function canonicalOption(opt: SbatchOption): SbatchOption {
  return opt.aliasOf ? (byName.get(opt.aliasOf) ?? opt) : opt;
}

/**
 * getopt_long (glibc): an exact name, else the entries this text is a prefix of. Several prefix
 * matches are one option when they are the same option (an alias and its target share getopt's
 * `val`); otherwise the text is ambiguous.
 */
export function matchLongOption(text: string): { exact?: SbatchOption; candidates: SbatchOption[] } {
  const exact = byName.get(text);
  if (exact) return { exact, candidates: [exact] };
  const found = SBATCH_OPTIONS.filter((opt) => opt.name.startsWith(text));
  const distinct = new Set(found.map((opt) => canonicalOption(opt).name));
  return { candidates: distinct.size === 1 && found.length > 1 ? [found.find((opt) => !opt.aliasOf)!] : found };
}

/**
 * Options of salloc and srun that sbatch refuses (Slurm's option table: slurmOptionTable.json),
 * by how they are written (`--immediate`, `-I`): named in the unknown-option message.
 */
export const NOT_SBATCH_OPTIONS: ReadonlyMap<string, { name: string; tools: readonly string[] }> = new Map(
  optionTable.notSbatch.flatMap((o) => [[`--${o.name}`, o] as const, ...('short' in o && o.short ? [[`-${o.short}`, o] as const] : [])]),
);

/**
 * Long options sbatch used to have, with the release that removed them (Slurm's git history:
 * "Remove --workdir option from sbatch", 19.05) and what to write instead.
 */
export const REMOVED_OPTIONS: ReadonlyMap<string, { until: string; use: string }> = new Map([
  ['workdir', { until: '19.05', use: 'chdir' }],
]);

/**
 * Options of SPANK plugins that sites install (they join sbatch's option table where the plugin
 * is loaded): not sbatch's, but not a typo either.
 */
export const SPANK_PLUGIN_OPTIONS: ReadonlyMap<string, string> = new Map([
  ...['image', 'volume', 'module'].map((n) => [n, 'Shifter'] as [string, string]),
  ...['container-image', 'container-mounts', 'container-workdir', 'container-name', 'container-save', 'container-mount-home', 'no-container-mount-home',
    'container-remap-root', 'no-container-remap-root', 'container-entrypoint', 'no-container-entrypoint', 'container-entrypoint-log', 'container-env', 'container-writable', 'container-readonly']
    .map((n) => [n, 'pyxis (enroot)'] as [string, string]),
]);
