/**
 * The cluster a script was written for, when nobody chose a profile: from what only that cluster's
 * scripts hold. A LUMI project (`--account=project_465000123`, `/scratch/project_465…`), LUMI's
 * GPU partitions and `/appl/local/`; an NRIS project (`nn12037k`, `/cluster/projects/`) with a
 * partition only Saga or only Betzy has (such a partition alone: other sites have them too). Signals of two clusters, or NRIS without a partition
 * that tells Saga from Betzy, recognise nothing: the generic profile is then used, as before.
 * Pure: the script as analysed.
 */
import { spanOffsets, type Script } from '../analysis/script';

export interface Recognised {
  profile: string;
  /** What gave it away, for the message: "--account=project_465000123 (a LUMI project)". */
  because: string;
  start: number;
  end: number;
}

type Cluster = 'lumi' | 'saga' | 'betzy' | 'nris';

interface Signal {
  cluster: Cluster;
  because: string;
  start: number;
  end: number;
}

/** Partitions only one of the clusters has (LUMI's documentation; NRIS's job types pages). */
const PARTITIONS: Record<string, Cluster> = {
  'standard-g': 'lumi',
  'small-g': 'lumi',
  'dev-g': 'lumi',
  lumid: 'lumi',
  preproc: 'betzy',
  bigmem: 'saga',
  hugemem: 'saga',
  optimist: 'saga',
  a100: 'saga',
};

const NAMES: Record<Cluster, string> = { lumi: 'LUMI', saga: 'Saga', betzy: 'Betzy', nris: 'NRIS' };

/** LUMI projects are project_46 and seven digits; CSC's Puhti and Mahti use project_2…, which are not LUMI's. NRIS's are written nn9535k or NN9535K. */
const LUMI_PROJECT = /^project_46\d{7}$/i;
const NRIS_PROJECT = /^nn\d{4,5}k$/i;
/** Paths in the script: LUMI's project file systems and its local software, NRIS's /cluster. */
const PATHS: [RegExp, Cluster, string][] = [
  [/\/(?:scratch|flash|project|projappl)\/project_46\d{7}(?!\w)/, 'lumi', 'a LUMI project directory'],
  [/\/appl\/local\//, 'lumi', "LUMI's local software"],
  [/\/cluster\/(?:projects|work|shared)\//, 'nris', "NRIS's /cluster file system"],
];

export function recogniseCluster(script: Script, available: ReadonlySet<string>): Recognised | undefined {
  const signals: Signal[] = [];
  for (const o of script.header.options) {
    if (!o.value || !o.valueSpan) continue;
    const { start, end } = spanOffsets(script, o.span);
    if (o.option.name === 'account') {
      if (LUMI_PROJECT.test(o.value)) signals.push({ cluster: 'lumi', because: `--account=${o.value} (a LUMI project)`, start, end });
      else if (NRIS_PROJECT.test(o.value)) signals.push({ cluster: 'nris', because: `--account=${o.value} (an NRIS project)`, start, end });
    } else if (o.option.name === 'partition') {
      for (const p of o.value.split(',')) {
        const cluster = PARTITIONS[p.trim()];
        if (cluster) signals.push({ cluster, because: `--partition=${p.trim()} (a partition of ${NAMES[cluster]})`, start, end });
      }
    }
  }
  for (const [pattern, cluster, what] of PATHS) {
    const m = pattern.exec(script.text);
    if (m) signals.push({ cluster, because: `${m[0].replace(/\/$/, '')} (${what})`, start: m.index, end: m.index + m[0].length });
  }
  const clusters = new Set(signals.map((s) => s.cluster));
  // NRIS is Saga or Betzy: a partition of one of them says which. Alone such a partition says
  // nothing: bigmem, hugemem, a100 and preproc are partitions of many sites
  if (!clusters.has('nris')) {
    clusters.delete('saga');
    clusters.delete('betzy');
  } else if (clusters.has('saga') || clusters.has('betzy')) clusters.delete('nris');
  const cluster = clusters.size === 1 ? [...clusters][0]! : undefined;
  if (!cluster || cluster === 'nris' || !available.has(cluster)) return undefined;
  // the first signal in the text, and with it the NRIS one that made it NRIS's
  const first = signals.filter((s) => s.cluster === cluster).sort((a, b) => a.start - b.start)[0]!;
  const nris = signals.find((s) => s.cluster === 'nris');
  return { profile: cluster, because: nris ? `${first.because} and ${nris.because}` : first.because, start: first.start, end: first.end };
}
