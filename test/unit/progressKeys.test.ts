import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { expandKeys, MAX_PROGRESS_KEYS } from '../../common/progress/progress';

describe('progress keys (issue 15)', () => {
  it('refuses a key range or list larger than a progress view shows, at once and with a clear error', () => {
    const t = performance.now();
    assert.throws(() => expandKeys('0..20000000'), /0\.\.20000000 makes 20,000,001 keys; a progress view shows at most 10,000/);
    assert.throws(() => expandKeys(Array.from({ length: MAX_PROGRESS_KEYS + 1 }, (_, i) => i)), /10,001 keys; a progress view shows at most 10,000/);
    assert.throws(() => expandKeys('a,'.repeat(MAX_PROGRESS_KEYS + 1)), /10,001 keys/);
    assert.ok(performance.now() - t < 2000, 'a hang guard: it took 3.4 s and 20 million keys before');
    assert.equal(expandKeys(`1..${MAX_PROGRESS_KEYS}`).length, MAX_PROGRESS_KEYS);
    assert.deepEqual(expandKeys('5..3'), []);
  });
});
