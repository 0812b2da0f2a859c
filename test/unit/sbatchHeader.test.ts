import { strict as assert } from 'node:assert';
import { hasSbatchDirectives, headerLines } from '../../common/sbatch/header';

describe('sbatch header', () => {
  it('finds directives in the leading comment block', () => {
    assert.ok(hasSbatchDirectives('#!/bin/bash\n#SBATCH --nodes=4\necho hi\n'));
    assert.ok(hasSbatchDirectives('#!/bin/bash\r\n\r\n# comment\r\n#SBATCH -p normal\r\n'));
    assert.ok(hasSbatchDirectives('#SBATCH'));
  });

  it('ignores directives after the first command, as Slurm does', () => {
    assert.ok(!hasSbatchDirectives('#!/bin/bash\nset -e\n#SBATCH --nodes=4\n'));
  });

  it('does not take look-alikes for directives', () => {
    assert.ok(!hasSbatchDirectives('#!/bin/bash\n# SBATCH --nodes=4\n'));
    assert.ok(!hasSbatchDirectives('#!/bin/bash\n  #SBATCH --nodes=4\n'));
    assert.ok(!hasSbatchDirectives('#!/bin/bash\n#SLURM --nodes=4\n'));
    assert.ok(!hasSbatchDirectives(''));
  });

  it('reports header lines with their numbers and stops at the first command', () => {
    const lines = [...headerLines('#!/bin/sh\n\n#SBATCH -N 1\nsrun x\n#SBATCH -N 2\n')];
    assert.deepEqual(lines, [
      { line: 0, text: '#!/bin/sh' },
      { line: 1, text: '' },
      { line: 2, text: '#SBATCH -N 1' },
    ]);
  });

  it('stops after maxLines on a file that is all comments', () => {
    const text = '#\n'.repeat(10_000);
    assert.equal([...headerLines(text, 50)].length, 50);
  });
});
