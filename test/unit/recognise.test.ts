import { strict as assert } from 'node:assert';
import { engine, lintText } from '../support/engine';

/** Issue 11: with no profile chosen, the cluster a script shows it is for is the one it is checked for. */
describe('the cluster recognised from the script, when no profile is chosen', () => {
  before(engine);
  const recognised = (text: string, opts: Parameters<typeof lintText>[1] = {}) => lintText(text, opts).filter((d) => d.code === 'profile-recognised');

  const lumi = '#!/bin/bash\n#SBATCH --account=project_465000123\n#SBATCH --partition=standard-g\n#SBATCH --gpus-per-node=8\n#SBATCH --time=1:00:00\nsrun singularity exec /appl/local/containers/sif-images/lumi-pytorch-rocm.sif python train.py\n';

  it('checks a LUMI script as LUMI: no GPU flag asked for a ROCm container, singularity is the runtime there; one info says why', () => {
    const found = lintText(lumi);
    assert.deepEqual(found.map((d) => d.code), ['profile-recognised']);
    assert.equal(found[0]!.message, 'Checked with the lumi profile, recognised from --account=project_465000123 (a LUMI project). To check for another cluster, name it: # hpc-geo: cluster=NAME.');
    assert.equal(found[0]!.range.start.line, 1, 'at the directive that showed it');
  });

  it('tells Saga from Betzy by a partition only one has, with the NRIS project that made it NRIS', () => {
    const saga = recognised('#!/bin/bash\n#SBATCH --account=nn12037k\n#SBATCH --partition=a100\n#SBATCH --gpus=1\n#SBATCH --mem=32G\n#SBATCH --time=1:00:00\nsrun apptainer exec --nv x.sif python x.py\n');
    assert.match(saga[0]?.message ?? '', /^Checked with the saga profile, recognised from --partition=a100 \(a partition of Saga\) and --account=nn12037k \(an NRIS project\)\./);
    // NRIS projects are written in capitals too (NN9535K)
    assert.match(recognised('#!/bin/bash\n#SBATCH --account=NN9535K --job-name=x\n#SBATCH --partition=bigmem\n#SBATCH --time=1:00:00\n#SBATCH --mem-per-cpu=8G\nsrun x\n')[0]?.message ?? '', /the saga profile.*NN9535K/);
    const betzy = recognised('#!/bin/bash\n#SBATCH --account=nn12037k\n#SBATCH --partition=preproc\n#SBATCH --time=1:00:00\ncd /cluster/work/users/me\nsrun x\n');
    assert.match(betzy[0]?.message ?? '', /the betzy profile/);
  });

  it('recognises nothing when the signs do not say one cluster: NRIS alone, two clusters, CSC Puhti\'s projects', () => {
    assert.deepEqual(recognised('#!/bin/bash\n#SBATCH --account=nn12037k\n#SBATCH --partition=normal\n#SBATCH --time=1:00:00\nsrun x\n'), [], 'Saga or Betzy: not guessed');
    assert.deepEqual(recognised('#!/bin/bash\n#SBATCH --account=project_465000123\n#SBATCH --time=1:00:00\ncp /cluster/work/x .\nsrun x\n'), [], 'LUMI and NRIS');
    assert.deepEqual(recognised('#!/bin/bash\n#SBATCH --account=project_2001234\n#SBATCH --time=1:00:00\ncd /scratch/project_2001234\nsrun x\n'), [], 'Puhti, which has no profile');
    // public scripts of other sites ask for bigmem and a100 too: without an NRIS sign, not Saga
    assert.deepEqual(recognised('#!/bin/bash\n#SBATCH --partition=bigmem\n#SBATCH --time=1:00:00\nsrun x\n'), [], 'a partition name alone');
    assert.deepEqual(recognised('#!/bin/bash\n#SBATCH --time=1:00:00\n# cat > job.sh <<EOF is not here; a comment names /appl/localx only\nsrun x\n'), []);
  });

  it('checks with the facts of the cluster recognised: LUMI\'s partition limits and runtime', () => {
    const small = '#!/bin/bash\n#SBATCH --account=project_465000123\n#SBATCH --partition=small\n#SBATCH --nodes=2\n#SBATCH --time=4-00:00:00\nsrun apptainer exec img.sif python train.py\n';
    assert.deepEqual(lintText(small).map((d) => d.code), ['profile-recognised', 'nodes-above-partition-maximum', 'time-over-partition-limit', 'container-runtime-missing']);
    assert.deepEqual(lintText(small.replace('#!/bin/bash\n', '#!/bin/bash\n# hpc-geo: cluster=generic\n')).map((d) => d.code), [], 'generic, when chosen');
  });

  it('never overrides a choice: the cluster comment, .hpc-geo.yaml, hpc-lint --profile', () => {
    const named = lumi.replace('#!/bin/bash\n', '#!/bin/bash\n# hpc-geo: cluster=generic\n');
    assert.deepEqual(recognised(named), []);
    assert.deepEqual(recognised(lumi, { workspace: { defaultProfile: 'saga', profiles: {}, rules: {}, progress: {} } }), []);
    assert.deepEqual(recognised(lumi, { profile: 'generic' }), []);
  });
});
