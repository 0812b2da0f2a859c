/** Apptainer/Singularity in job scripts: which runtime exists, binds, GPU flags. */
import type { Invocation } from '../analysis/launchers';
import type { Fix, Rule } from './rule';
import { expand, requestsGpus, variableValues } from './util';

function containerInvocations(invs: Invocation[]): (Invocation & { container: NonNullable<Invocation['container']> })[] {
  return invs.filter((i): i is Invocation & { container: NonNullable<Invocation['container']> } => !!i.container);
}

export const containerRuntimeMissing: Rule = {
  id: 'container-runtime-missing',
  severity: 'error',
  title: 'A container runtime the cluster does not have',
  kinds: ['sbatch'],
  docs: {
    problem: '`singularity` on a cluster that only has `apptainer` (Saga, Betzy), or `apptainer` where only `singularity` is installed (LUMI).',
    why: 'The job starts, queues and fails at once with "command not found"; on a busy cluster that is hours of waiting for nothing.',
    fix: 'Use the runtime the cluster has; the options and images are the same. The quick fix renames the command.',
    source: 'Romcrop field report (systems table: LUMI singularity, Saga and Betzy apptainer); fields-pipeline field report ("apptainer (not singularity) on both clusters").',
  },
  check(ctx) {
    const have = ctx.profile.containerRuntimes;
    if (!have?.length) return;
    for (const { word: w, runtime } of runtimeWords(ctx.script.invocations)) {
      // Apptainer installs `singularity` as a link to itself: that is container-old-name's
      if (have.includes(runtime) || (runtime === 'singularity' && have.includes('apptainer'))) continue;
      const other = have[0]!;
      ctx.report({ start: w.start, end: w.end, message: `${ctx.profile.name} has no '${runtime}' command, only ${have.join(' and ')}: the job would fail with "command not found". Use ${other}.`, fix: renameRuntime(w, runtime, other) });
    }
  },
};

type Word = NonNullable<Invocation['programWord']>;

/** Each command word that runs a container runtime (`apptainer`, `/usr/bin/singularity`), with the runtime it names. */
function runtimeWords(invs: readonly Invocation[]): { word: Word; runtime: 'apptainer' | 'singularity' }[] {
  return invs.flatMap((inv) => {
    const word = inv.container?.runtimeWord ?? (inv.program === 'apptainer' || inv.program === 'singularity' ? inv.programWord : undefined);
    const runtime = inv.container?.runtime ?? (inv.program as 'apptainer' | 'singularity');
    return word ? [{ word, runtime }] : [];
  });
}

function renameRuntime(w: Word, runtime: string, to: string): Fix {
  return { title: `Use ${to}`, edits: [{ start: w.start, end: w.end, newText: `${w.text.slice(0, w.text.length - runtime.length)}${to}` }] };
}

export const containerOldName: Rule = {
  id: 'container-old-name',
  severity: 'info',
  title: 'singularity where the cluster runs Apptainer',
  kinds: ['sbatch'],
  docs: {
    problem: '`singularity exec ...` on a cluster whose container runtime is Apptainer (Saga, Betzy).',
    why: 'It works: Apptainer installs `singularity` as a link to `apptainer` (the DR field report runs `singularity exec --nv` on Saga and Betzy). But Singularity is Apptainer\'s old name, the sites\' documentation and support use the new one, and a site may drop the link.',
    fix: 'Nothing is needed. To follow the site, write `apptainer`: the options and images are the same; the quick fix renames the command.',
    source: 'DR inference field report (singularity exec --nv on Saga and Betzy); Apptainer\'s packages, which install bin/singularity as a link to apptainer; fields-pipeline field report ("apptainer (not singularity) on both clusters").',
  },
  check(ctx) {
    const have = ctx.profile.containerRuntimes;
    if (!have?.includes('apptainer') || have.includes('singularity')) return;
    for (const { word: w, runtime } of runtimeWords(ctx.script.invocations)) {
      if (runtime !== 'singularity') continue;
      ctx.report({ start: w.start, end: w.end, message: `On ${ctx.profile.name} 'singularity' runs Apptainer (Apptainer installs it as a link to apptainer): this works. apptainer is the current name, the one the site documents.`, fix: renameRuntime(w, runtime, 'apptainer') });
    }
  },
};

/** Paths a container sees without binds: Apptainer's defaults. */
const DEFAULT_BINDS = ['/home', '/tmp', '/var/tmp', '/proc', '/sys', '/dev', '/etc/hosts', '/etc/localtime', '/etc/resolv.conf', '/etc/passwd', '/etc/group'];

/**
 * Top directories that belong to the image, not to the host: a path under them names a file in the
 * container (`/app/alphafold/run_alphafold.py`, `/opt/conda/bin/python`, `/usr/local/bin/x`).
 */
const IMAGE_DIRS = ['/app', '/opt', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc', '/root', '/srv', '/workspace', '/code', '/.singularity.d'];

export const containerPathNotBound: Rule = {
  id: 'container-path-not-bound',
  severity: 'warning',
  title: 'A path the container cannot see',
  kinds: ['sbatch'],
  docs: {
    problem: '`apptainer exec` (or `singularity exec`) is given a host path, such as `/cluster/work/...`, that is not bound into the container. Paths under the image\'s own directories (`/app`, `/opt`, `/usr`, `/workspace`, ...) name files inside the container and are not reported.',
    why: 'By default a container sees only $HOME, /tmp, /proc, /sys, /dev and the current directory. Project data on a parallel file system is invisible: "No such file or directory" from inside the container, after the job has queued.',
    fix: 'Bind the file system: `apptainer exec --bind /cluster ...` (or set APPTAINER_BIND / SINGULARITY_BIND). The quick fix adds a `--bind` for the path\'s top directory.',
    source: 'Fields-pipeline field report ("The --bind /cluster is essential"); DR field report (--bind of ImageryProcessor to /mnt).',
  },
  check(ctx) {
    const vars = variableValues(ctx.script);
    const envBinds = ['APPTAINER_BIND', 'SINGULARITY_BIND', 'APPTAINER_BINDPATH', 'SINGULARITY_BINDPATH'].flatMap((v) => (vars.get(v)?.text ?? '').split(',')).map((s) => s.split(':')[0]!).filter(Boolean);
    for (const inv of containerInvocations(ctx.script.invocations)) {
      const binds: string[] = [...envBinds];
      const opts = inv.container.options;
      for (let i = 0; i < opts.length; i++) {
        const o = opts[i]!;
        const v = o.text === '-B' || o.text === '--bind' || o.text === '--mount' ? opts[i + 1]?.text : o.text.startsWith('--bind=') ? o.text.slice(7) : o.text.startsWith('-B') && o.text.length > 2 ? o.text.slice(2) : undefined;
        if (v) for (const spec of expand(v, vars).split(',')) binds.push(...spec.split(':').slice(0, 2));
      }
      const seen = new Set<string>();
      for (const a of inv.args) {
        const path = expand(a.text, vars).replace(/^[A-Za-z_-]+=/, '');
        if (!path.startsWith('/') || path.startsWith('/dev/shm')) continue;
        // the image's own directories (`python /app/run.py`, `/opt/conda/bin/python`): not host paths
        if (IMAGE_DIRS.some((d) => path === d || path.startsWith(`${d}/`))) continue;
        const visible = [...DEFAULT_BINDS, ...binds].some((b) => b && (path === b || path.startsWith(b.endsWith('/') ? b : `${b}/`)));
        if (visible) continue;
        const top = `/${path.split('/')[1]}`;
        if (seen.has(top)) continue;
        seen.add(top);
        const at = inv.container.subcommandWord.end;
        ctx.report({ start: a.start, end: a.end, message: `${path} is not visible inside the container: only $HOME, /tmp and the current directory are bound by default. Add --bind ${top}.`, fix: { title: `Add --bind ${top}`, edits: [{ start: at, end: at, newText: ` --bind ${top}` }] } });
      }
    }
  },
};

/** What shows that a job runs on AMD GPUs: ROCm, its environment variables, MIOpen, AMD's GPU names. */
const AMD_GPU_SIGNS = /\brocm|\bROCR_VISIBLE_DEVICES\b|\bHIP_VISIBLE_DEVICES\b|\bMIOPEN_|\bmi(?:50|100|210|250x?|300a?)\b|\bgfx9\d\w?\b/i;

export const gpuContainerWithoutFlag: Rule = {
  id: 'gpu-container-without-flag',
  severity: 'warning',
  title: 'GPU job runs a container without --nv or --rocm',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job asks for GPUs (`--gpus`, `--gres=gpu`, a GPU partition) but `apptainer exec`/`singularity exec` runs without `--nv` (NVIDIA) or `--rocm` (AMD). Where the profile does not name the GPU vendor, a script that shows it runs on AMD GPUs (ROCm, `MIOPEN_*`, `ROCR_VISIBLE_DEVICES`, MI250X) is not reported: the GPU devices are visible in the container by default and ROCm containers bring their own libraries.',
    why: 'Without the flag the GPU driver libraries are not mounted: PyTorch reports `cuda.is_available() == False` and the job runs on the CPU, many times slower, using up its GPU hours.',
    fix: 'Add `--nv` on NVIDIA clusters (Betzy, Saga, Poznan), `--rocm` on AMD ones where the container does not bring its own ROCm (LUMI\'s ROCm containers need neither). The quick fix adds the flag of the cluster\'s GPU.',
    source: 'DR field report (`singularity exec --nv`); romcrop/EMB field report (LUMI ROCm containers: "no --rocm flag!").',
  },
  check(ctx) {
    if (!requestsGpus(ctx.script, ctx.profile)) return;
    const wanted = ctx.profile.gpu?.containerFlag;
    if (wanted === 'none') return;
    // AMD GPUs: the container sees /dev/kfd and /dev/dri by default, and a ROCm container brings its
    // own ROCm; without a profile that says otherwise, a job that shows it runs on AMD needs no flag
    if (!wanted && !ctx.profile.gpu?.vendor && AMD_GPU_SIGNS.test(ctx.script.text)) return;
    for (const inv of containerInvocations(ctx.script.invocations)) {
      if (inv.container.subcommand === 'shell' || inv.container.options.some((o) => o.text === '--nv' || o.text === '--rocm' || o.text === '--nvccli')) continue;
      const flag = wanted ?? (ctx.profile.gpu?.vendor === 'amd' ? '--rocm' : '--nv');
      const sub = inv.container.subcommandWord.end;
      ctx.report({ start: inv.container.runtimeWord.start, end: sub, message: `This job requests GPUs but the container runs without ${wanted ?? '--nv or --rocm'}: the GPU is invisible inside and the work runs on the CPU.`, fix: { title: `Add ${flag}`, edits: [{ start: sub, end: sub, newText: ` ${flag}` }] } });
    }
  },
};
