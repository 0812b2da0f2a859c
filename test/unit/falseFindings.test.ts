import { strict as assert } from 'node:assert';
import { parseMemoryMB } from '../../common/sbatch/values';
import { engine, lintText } from '../support/engine';

/**
 * Issue 11: classes of false findings seen on real public scripts, each as a minimal script of
 * our own. Every case names what must not be reported (or what must, instead).
 */
const codes = (text: string, opts: Parameters<typeof lintText>[1] = {}) => lintText(text, opts).map((d) => `${d.code}/${d.severity}`);

describe('false findings (issue 11)', () => {
  before(engine);

  describe('memory sizes: str_to_mbytes takes an optional B after K, M, G, T, any case', () => {
    it('reads 30GB, 64gb, 10Gb, 512mb, 2TB, 100kB as Slurm does', () => {
      assert.equal(parseMemoryMB('30GB'), 30 * 1024);
      assert.equal(parseMemoryMB('64gb'), 64 * 1024);
      assert.equal(parseMemoryMB('10Gb'), 10 * 1024);
      assert.equal(parseMemoryMB('512mb'), 512);
      assert.equal(parseMemoryMB('2TB'), 2 * 1024 * 1024);
      assert.equal(parseMemoryMB('100kB'), 1);
    });

    it('still refuses what str_to_mbytes refuses', () => {
      for (const bad of ['64B', '1.5G', '64GiB', '64GBB', 'G', 'GB', '-1G', '64 G']) assert.equal(parseMemoryMB(bad), undefined, bad);
    });

    it('reports no invalid-memory for --mem=30GB, --mem-per-cpu=4gb, --tmp=10Gb', () => {
      const text = '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --mem=30GB\nsrun x\n';
      assert.deepEqual(codes(text).filter((c) => c.startsWith('invalid-memory')), []);
      const text2 = '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH --mem-per-cpu=4gb\n#SBATCH --tmp=10Gb\nsrun x\n';
      assert.deepEqual(codes(text2).filter((c) => c.startsWith('invalid-memory')), []);
    });
  });
});
