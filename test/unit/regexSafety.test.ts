import { strict as assert } from 'node:assert';
import { checkUserRegex, USER_REGEX_MAX_INPUT, USER_REGEX_MAX_SOURCE } from '../../common/regexSafety';
import { ARRAY_JOB, FIELDS_PIPELINE } from '../../common/progress/progress';

const refused = (source: string, flags = 'i') => {
  const r = checkUserRegex(source, flags);
  assert.equal(r.ok, false, `${source} should be refused`);
  return (r as { reason: string }).reason;
};

describe('users\' regular expressions', () => {
  it('accepts the presets\' patterns and ordinary ones, compiled with the flags given', () => {
    const all = [...FIELDS_PIPELINE.stages.flatMap((s) => [s.start, s.done, s.skip]), ...FIELDS_PIPELINE.failure, ...ARRAY_JOB.stages.map((s) => s.start), ...ARRAY_JOB.failure];
    for (const s of [...all.filter((x): x is string => !!x), 'Stack Sentinel-2', 'ERROR.*failed', '(?<!\\d)\\d+ tiles written', '^\\[\\d{4}-\\d{2}-\\d{2}']) {
      const r = checkUserRegex(s, 'i');
      assert.ok(r.ok, `${s}: ${r.ok ? '' : r.reason}`);
      assert.equal(r.regex.flags, 'i');
      assert.equal(r.regex.source, new RegExp(s).source);
    }
  });

  it('refuses the issue\'s freezing pattern, saying why and where', () => {
    const reason = refused('^(\\w+\\s?)*$');
    assert.match(reason, /exponential time on a line of repeated/);
    assert.match(reason, /'\\w\+' repeats inside '\(\\w\+\\s\?\)\*'/);
  });

  it('refuses polynomial backtracking, and accepts a quadratic move that the cut line bounds', () => {
    assert.match(refused('\\d*\\d+x$'), /polynomial time/);
    const move = checkUserRegex('(\\d+) tiles', 'i');
    assert.ok(move.ok, 'an ordinary progress pattern');
    const line = '7'.repeat(USER_REGEX_MAX_INPUT);
    const t0 = process.hrtime.bigint();
    assert.equal(move.regex.test(line), false);
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 1000, 'a cut line of digits is matched well within a second');
  });

  it('refuses what does not compile and what is too long to check', () => {
    assert.match(refused('(unclosed'), /^not a regular expression: /);
    assert.match(refused('a'.repeat(USER_REGEX_MAX_SOURCE + 1)), /longer than/);
  });
});
