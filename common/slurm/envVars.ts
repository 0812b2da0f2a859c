/**
 * The names of Slurm's environment variables (envVars.json, derived from Slurm's source by
 * scripts/slurmEnvTable.ts), and the ones sites set themselves that scripts rely on.
 */
import table from './envVars.json';

/** Set by sites' prologs or plugins, not by Slurm: a script that reads them is not mistaken. */
const SITE_NAMES = [
  // the Digital Research Alliance of Canada's node-local directory per job
  'SLURM_TMPDIR',
  // node-local scratch per job at several US centres (Pitt CRC, NCSA)
  'SLURM_SCRATCH', 'SLURM_JOB_SCRATCH',
];

export const SLURM_ENV_NAMES: readonly string[] = [...table.names, ...SITE_NAMES];

const known = new Set(SLURM_ENV_NAMES);

export function isSlurmEnvName(name: string): boolean {
  return known.has(name);
}
