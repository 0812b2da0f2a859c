import { strict as assert } from 'node:assert';
import { HEADER_WINDOW_LINES, hasSbatchDirectives } from '../../common/sbatch/header';

// The extension's language detection and the server's linting of shell scripts read the same
// window (issue 10, "facts stated once"): a directive is seen by both or by neither.
describe('the #SBATCH header window, defined once', () => {
  const withDirectiveOn = (line: number) => `${'#!/bin/bash\n'}${'# comment\n'.repeat(line - 1)}#SBATCH --time=1:00:00\nsrun x\n`;

  it('sees a directive on the window\'s last line and not past it', () => {
    assert.equal(HEADER_WINDOW_LINES, 200);
    assert.ok(hasSbatchDirectives(withDirectiveOn(HEADER_WINDOW_LINES - 1)));
    assert.ok(!hasSbatchDirectives(withDirectiveOn(HEADER_WINDOW_LINES)));
  });
});
