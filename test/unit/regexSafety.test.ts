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

  // Each of these was accepted before and is slow in node on the line given (measured in a child
  // process, not here): (a|a)*b 13.8 s on 26 'a'; (\w|\d)+$ 18.4 s on 27 digits and '!';
  // (a|aa)+$ over 20 s on 40 'a' and '!'; ^(a?){25}a{25}$ 25 s on 38 'a' and '!';
  // (.*a){20} 11.6 s on 19 'a' and 4,000 'b' (within the cut line length).
  it('refuses alternatives that can match the same text inside a repeat, saying which and on what line', () => {
    assert.equal(refused('(a|a)*b'), 'the regular expression can take exponential time: the alternatives a and a in \'(a|a)*\' can match the same text inside a repeat, so a line of many \'a\' not followed by \'b\' is tried in every way of splitting it between them; make the alternatives match different text');
    assert.match(refused('(\\w|\\d)+$'), /^the regular expression can take exponential time: the alternatives \\w and \\d in '\(\\w\|\\d\)\+' can match the same text inside a repeat, so a line of many '0' on which the rest of the pattern then fails/);
    assert.match(refused('(a|aa)+$'), /exponential time: the alternatives a and aa in '\(a\|aa\)\+' can match the same text inside a repeat, so a line of 'aa' many times over/);
    // the same text reached through more than one repetition, and the classic one across lines
    assert.match(refused('(ab|a|ba)+$'), /the alternatives ab and a in/);
    assert.match(refused('(.|\\s)*x'), /the alternatives \. and \\s .* a line of many ' ' not followed by 'x'/);
    assert.match(refused('(?:\\d|x|\\w){2,50}!'), /the alternatives \\d and \\w/, 'a counted repeat too');
  });

  it('refuses a counted repeat of what can match nothing, offering the repeat without it', () => {
    assert.equal(refused('^(a?){25}a{25}$'), 'the regular expression can take exponential time: \'(a?)\' can match nothing or \'a\', and \'(a?){25}\' repeats it up to 25 times, so a line of many \'a\' on which the rest of the pattern fails is tried in every way of sharing the characters out among the repetitions; make each repetition match at least one character, e.g. a{0,25} instead of (a?){25}');
    assert.match(refused('^(\\d?){12}\\d{12}$'), /'\(\\d\?\)' can match nothing or '0'.*e\.g\. \\d\{0,12\} instead of \(\\d\?\)\{12\}$/);
    assert.match(refused('^(?:[ab]?c?){6}x'), /'\(\?:\[ab\]\?c\?\)' can match nothing or 'a'.*at least one character$/);
  });

  it('refuses a counted repeat of a group whose .* can take the characters of any repetition', () => {
    assert.equal(refused('(.*a){20}'), 'the regular expression can take polynomial time (of degree up to 20) on a line of repeated "a": \'.*\' can take the same characters in any of the 20 repetitions of \'(.*a){20}\', and a line on which the pattern fails is tried in every way of sharing them out; let \'.*\' stop where the next repetition starts (e.g. [^a]*a in place of .*a)');
    assert.match(refused('^(.*,){3}done'), /\[\^,\]\*, in place of \.\*,/);
  });

  it('accepts realistic progress and failure patterns', () => {
    for (const s of [
      'Epoch \\d+/\\d+', '(\\d+)/(\\d+) tiles', '^\\[\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}\\]', 'step \\d+ of \\d+', '\\b(error|fatal)\\b',
      'processed (\\d+) (tiles|features)', '([A-Z]\\w+Error): .*', '(\\w+\\.)+py', '^(\\S+\\s+){3}done', '(\\w|-)+\\.tif', 'Tile \\d+_\\d+ (written|skipped)',
      '(error|warn(ing)?)', '(\\d+)(\\.\\d+)?%', '^(INFO|WARN|ERROR)\\s+', '(\\w+)=(\\S*)', '(tile|tiles) written', '(foo|foobar)+', '(a|ab)+$', '(?:\\s|,)+',
      '^(\\d{1,3}\\.){3}\\d{1,3}$', '(\\d+\\.){3}\\d+', 'ERROR.*failed.*retry', '(\\d+%|\\d+/\\d+)', 'oom[-_ ]kill', '(ab|ba)*c', '((a|b)c)+',
    ]) {
      const r = checkUserRegex(s, 'i');
      assert.ok(r.ok, `${s}: ${r.ok ? '' : r.reason}`);
    }
  });

  it('refuses a counted repeat whose text one repetition or several can match', () => {
    assert.match(refused('(\\d{1,9}){1,40}x'), /exponential time: text such as '00' can be matched by one repetition of '\(\\d\{1,9\}\)' or by several, in '\(\\d\{1,9\}\)\{1,40\}'/);
    assert.match(refused('(\\d{1,900}|x){1,90}y'), /text such as '00'/);
  });

  it('refuses what is too large to analyse, saying so', () => {
    assert.match(refused('(a{1,30000}|a)+b'), /could not be checked for slow matching: it is too large to analyse/);
  });

  it('refuses what does not compile and what is too long to check', () => {
    assert.match(refused('(unclosed'), /^not a regular expression: /);
    assert.match(refused('a'.repeat(USER_REGEX_MAX_SOURCE + 1)), /longer than/);
  });
});
