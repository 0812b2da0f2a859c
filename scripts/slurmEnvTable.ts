/**
 * Derives the names of Slurm's environment variables from Slurm's own source, for the releases the
 * linter knows (RELEASES of sbatchOptionTable.ts): every `SLURM_`, `SBATCH_`, `SRUN_` and `SALLOC_`
 * name that the code or the man pages of a release tag spell out. Writes
 * common/slurm/envVars.json (the names, sorted), which is committed; the rule
 * unknown-slurm-variable reads it to tell a typo (`$SLURM_ARRAYTASK_ID`) from a name Slurm sets.
 * The list is generous on purpose (it holds internal names too): a name in it is never reported.
 *
 *   npx tsx scripts/slurmEnvTable.ts <a git clone of SchedMD/slurm>
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASES } from './sbatchOptionTable';

export const ENV_NAME = /\b(?:SLURM|SBATCH|SRUN|SALLOC)_[A-Z][A-Z0-9_]*[A-Z0-9]\b/g;

function main(): void {
  const repo = process.argv[2];
  if (!repo) throw new Error('usage: npx tsx scripts/slurmEnvTable.ts <a git clone of SchedMD/slurm>');
  const names = new Set<string>();
  for (const [, tag] of RELEASES) {
    const out = execFileSync('git', ['-C', repo, 'grep', '-h', '-o', '-E', '\\b(SLURM|SBATCH|SRUN|SALLOC)_[A-Z][A-Z0-9_]*[A-Z0-9]\\b', tag, '--', 'src', 'doc/man'], { maxBuffer: 1 << 28, encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const name = line.slice(line.indexOf(':', tag.length) + 1).trim();
      if (name) names.add(name);
    }
  }
  const sorted = [...names].sort();
  writeFileSync(join(__dirname, '..', 'common', 'slurm', 'envVars.json'), `${JSON.stringify({ source: `SchedMD/slurm ${RELEASES.map(([, t]) => t).join(', ')}: src/ and doc/man/`, names: sorted }, null, 0).replace(/","/g, '",\n"')}\n`);
  process.stdout.write(`${sorted.length} names\n`);
}

if (require.main === module) main();
