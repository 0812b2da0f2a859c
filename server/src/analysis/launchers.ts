/**
 * What a command line really runs: `srun -n1 apptainer exec --bind /x img.sif tippecanoe -o ...`
 * is tippecanoe, inside a container, in a job step. Rules look at the program, its arguments,
 * and the wrappers it went through.
 */
import type { Command, Word } from './bash';

export interface ContainerUse {
  runtime: 'apptainer' | 'singularity';
  subcommand: string;
  subcommandWord: Word;
  options: Word[];
  image?: Word;
  runtimeWord: Word;
}

export interface Invocation {
  command: Command;
  /** Base name of the program finally run; '' when it cannot be told. */
  program: string;
  programWord?: Word;
  args: Word[];
  srun?: { options: Word[]; word: Word };
  container?: ContainerUse;
}

// Options of srun that take their value as the next word.
const SRUN_VALUE = new Set([
  '-A', '--account', '-c', '--cpus-per-task', '-d', '--dependency', '-D', '--chdir', '-e', '--error',
  '-J', '--job-name', '-m', '--distribution', '-n', '--ntasks', '-N', '--nodes', '-o', '--output',
  '-p', '--partition', '-t', '--time', '-w', '--nodelist', '-x', '--exclude', '--jobid', '--mem',
  '--mem-per-cpu', '--mem-per-gpu', '--gres', '--gpus', '-G', '--gpus-per-task', '--gpus-per-node',
  '--ntasks-per-node', '--cpu-bind', '--mpi', '--export', '-C', '--constraint', '-i', '--input',
  '--het-group', '--cpus-per-gpu', '--gpu-bind', '--mem-bind', '--signal', '-q', '--qos', '--reservation',
]);

// Options of apptainer/singularity exec|run|shell that take a value as the next word.
const CONTAINER_VALUE = new Set([
  '-B', '--bind', '--mount', '--env', '--env-file', '-H', '--home', '-W', '--workdir', '--pwd',
  '-o', '--overlay', '-S', '--scratch', '--security', '--network', '--network-args', '--hostname',
  '--apply-cgroups', '--dns', '--fusemount', '--app', '--add-caps', '--drop-caps', '--cpus', '--memory',
]);

const SIMPLE_WRAPPERS = new Set(['time', 'nohup', 'exec', 'command', 'builtin', 'stdbuf', 'nice', 'ionice', 'taskset', 'numactl', 'timeout', 'env', 'mpirun', 'mpiexec', 'xvfb-run']);

function isAssignmentWord(w: Word): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text);
}

export function invocation(command: Command): Invocation {
  const inv: Invocation = { command, program: '', args: [] };
  let words: Word[] = [command.name, ...command.args];
  for (let guard = 0; guard < 8 && words.length; guard++) {
    const head = words[0]!;
    const base = head.text.slice(head.text.lastIndexOf('/') + 1);
    if (base === 'srun') {
      let i = 1;
      while (i < words.length && words[i]!.text.startsWith('-')) {
        i += SRUN_VALUE.has(words[i]!.text) ? 2 : 1;
      }
      inv.srun = { options: words.slice(1, Math.min(i, words.length)), word: head };
      words = words.slice(i);
      continue;
    }
    if (base === 'apptainer' || base === 'singularity') {
      const sub = words[1];
      if (!sub || !['exec', 'run', 'shell', 'test', 'instance'].includes(sub.text)) {
        inv.program = base;
        inv.programWord = head;
        inv.args = words.slice(1);
        return inv;
      }
      let i = 2;
      while (i < words.length && words[i]!.text.startsWith('-')) {
        i += CONTAINER_VALUE.has(words[i]!.text) ? 2 : 1;
      }
      inv.container = {
        runtime: base,
        subcommand: sub.text,
        subcommandWord: sub,
        options: words.slice(2, Math.min(i, words.length)),
        runtimeWord: head,
        ...(words[i] ? { image: words[i]! } : {}),
      };
      if (sub.text !== 'exec') {
        inv.program = '';
        inv.args = words.slice(i + 1);
        return inv;
      }
      words = words.slice(i + 1);
      continue;
    }
    if (SIMPLE_WRAPPERS.has(base)) {
      let i = 1;
      while (i < words.length && (words[i]!.text.startsWith('-') || isAssignmentWord(words[i]!) || (base === 'timeout' && /^\d/.test(words[i]!.text)) || ((base === 'mpirun' || base === 'mpiexec' || base === 'nice') && /^\d+$/.test(words[i]!.text)))) i++;
      words = words.slice(i);
      continue;
    }
    break;
  }
  const head = words[0];
  if (head) {
    inv.program = head.text.slice(head.text.lastIndexOf('/') + 1);
    inv.programWord = head;
    inv.args = words.slice(1);
  }
  return inv;
}

export interface OptionMatch {
  /** The word holding the option name (and the value, when joined). */
  flag: Word;
  value: Word;
  /** `--flag=value` or `-fvalue` in one word. */
  joined: boolean;
}

/** An option in `args`: `--flag value`, `--flag=value`, `-fvalue` for single letters. */
export function optionMatch(args: readonly Word[], names: readonly string[]): OptionMatch | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const name of names) {
      if (a.text === name && args[i + 1]) return { flag: a, value: args[i + 1]!, joined: false };
      const long = name.startsWith('--') && a.text.startsWith(`${name}=`);
      const short = /^-[A-Za-z]$/.test(name) && a.text.startsWith(name) && a.text.length > 2 && !a.text.startsWith('--');
      if (long || short) {
        const cut = name.length + (long ? 1 : 0);
        return { flag: a, value: { ...a, text: a.text.slice(cut), raw: a.raw.slice(cut), start: a.start + cut }, joined: true };
      }
    }
  }
  return undefined;
}

export function optionValue(args: readonly Word[], names: readonly string[]): Word | undefined {
  return optionMatch(args, names)?.value;
}

export function hasFlag(args: readonly Word[], names: readonly string[]): Word | undefined {
  return args.find((a) => names.some((n) => a.text === n || a.text.startsWith(`${n}=`)));
}

/** Options of mpirun/mpiexec that take the next word as their value. */
const MPI_VALUE = new Set(['-n', '-np', '--np', '-c', '-N', '--npernode', '-npernode', '-ppn', '--map-by', '--bind-to', '--rank-by', '-x', '--hostfile', '-hostfile', '-machinefile', '--host', '-host', '-hosts', '-genv', '--mca', '-mca', '-env']);

/** A launcher on a command line with its own options: srun's, or mpirun's and mpiexec's up to the program. */
export interface Launch {
  base: 'srun' | 'mpirun' | 'mpiexec';
  command: Command;
  options: Word[];
}

/** Every srun, mpirun and mpiexec of the script with its own options. */
export function launches(invocations: readonly Invocation[]): Launch[] {
  const out: Launch[] = [];
  for (const inv of invocations) {
    if (inv.srun) out.push({ base: 'srun', command: inv.command, options: inv.srun.options });
    const c = inv.command;
    if (c.base !== 'mpirun' && c.base !== 'mpiexec') continue;
    // the launcher's own options: up to the program (a word that is no option's value)
    let k = 0;
    while (k < c.args.length && (c.args[k]!.text.startsWith('-') || MPI_VALUE.has(c.args[k - 1]?.text ?? ''))) k++;
    out.push({ base: c.base, command: c, options: c.args.slice(0, k) });
  }
  return out;
}

/** The task count a launcher is given (`-n 8`, `-np=8`, `--ntasks 8`): its text and where the option and value are. */
export function taskCountOption(options: readonly Word[]): { value: string; start: number; end: number } | undefined {
  for (let i = 0; i < options.length; i++) {
    const a = options[i]!;
    const joined = /^(?:--ntasks|--np|-np|-n)=(.+)$/.exec(a.text);
    if (joined) return { value: joined[1]!, start: a.start, end: a.end };
    const next = options[i + 1];
    if (['-n', '-np', '--ntasks', '--np'].includes(a.text) && next) return { value: next.text, start: a.start, end: next.end };
  }
  return undefined;
}
