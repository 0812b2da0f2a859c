import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandKeys, FIELDS_PIPELINE, KeyParser, logPathFor, percentOf, type ProgressSpec } from '../../common/progress/progress';
import { oldPercentOf } from '../support/legacyProgress';
import { USER_REGEX_MAX_INPUT } from '../../common/regexSafety';
import { parseWorkspaceConfig } from '../../common/workspaceConfig/configParser';
import { repoRoot } from '../support/manifest';

const spec = { ...FIELDS_PIPELINE, dir: '/cluster/work/users/digifarm/fields' };
const parse = (year: string, chunks = 1) => {
  const lines = readFileSync(join(repoRoot, 'test', 'fixtures', 'progress', `year_${year}.log`), 'utf8').trimEnd().split('\n');
  const p = new KeyParser(year, spec);
  const size = Math.ceil(lines.length / chunks);
  for (let i = 0; i < lines.length; i += size) p.feed(lines.slice(i, i + size));
  return p.progress;
};

describe('pipeline progress', () => {
  it('expands keys and log paths', () => {
    assert.deepEqual(expandKeys('2008..2012'), ['2008', '2009', '2010', '2011', '2012']);
    assert.deepEqual(expandKeys([2008, 2016]), ['2008', '2016']);
    assert.equal(logPathFor(spec, '2012'), '/cluster/work/users/digifarm/fields/logs/year_2012.log');
    assert.equal(logPathFor({ log: '/abs/{key}/run.log' }, 'x'), '/abs/x/run.log');
  });

  it('reads percentages from tqdm bars, N/M and NN%', () => {
    assert.equal(percentOf('zonal:  45%|████▌     | 13095000/29100000 [1:12:03<1:28:00]'), 45);
    assert.equal(percentOf('tiles 1,200/4,000 written'), 30);
    assert.equal(percentOf('  67.3%  Tile 14/2987/6017'), 67.3);
    assert.equal(percentOf('nothing here'), undefined);
  });

  it('shows a finished year as done in every stage, with its elapsed time', () => {
    const p = parse('2012');
    assert.deepEqual(p.cells, ['done', 'done', 'done', 'done', 'done', 'done', 'done']);
    assert.equal(p.current, 6);
    assert.equal((p.lastTime! - p.firstTime!) / 3600_000 > 4, true);
  });

  it('shows a year whose steps were skipped as already valid, and its running stage with a percentage', () => {
    const p = parse('2013', 3);
    assert.deepEqual(p.cells, ['skipped', 'skipped', 'done', 'running', 'pending', 'pending', 'pending']);
    assert.equal(spec.stages[p.current]!.name, 'Tippecanoe');
    assert.equal(p.percent, 67.3);
  });

  it('shows the year that died with the tippecanoe shard error as failed in that stage', () => {
    const p = parse('2014');
    assert.deepEqual(p.cells, ['done', 'done', 'done', 'failed', 'pending', 'pending', 'pending']);
    assert.equal(p.failedLine, 'Internal error: 745 shards not a power of 2');
  });

  it('starts over after a reset', () => {
    const k = new KeyParser('2014', spec);
    k.feed(['2026-11-20 08:00:03 INFO downloading CDL']);
    k.reset();
    assert.deepEqual(k.progress.cells, spec.stages.map(() => 'pending'));
    assert.equal(k.progress.lastLine, undefined);
  });

  it('refuses a stage pattern that can freeze the extension host, naming the stage', () => {
    const bad: ProgressSpec = { ...spec, stages: [{ name: 'Stack', start: 'Stack' }, { name: 'Words', start: 'begin', done: '^(\\w+\\s?)*$' }] };
    assert.throws(() => new KeyParser('k', bad), /stage 'Words' done: the regular expression can take exponential time/);
    assert.throws(() => new KeyParser('k', { ...spec, failure: ['\\d*\\d+ tiles'] }), /failure\[0\]: the regular expression can take polynomial time/);
  });

  it('reports a dangerous pattern in .hpc-geo.yaml at its line', () => {
    const text = ['progress:', '  words:', '    log: logs/{key}.log', '    keys: [a]', '    stages:', "      - { name: Words, start: '^(\\w+\\s?)*$' }", "    failure: ['Traceback', '(x+x+)+y']", ''].join('\n');
    const { problems } = parseWorkspaceConfig(text);
    const at = problems.map((p) => [p.line, p.message.split(':')[0]]);
    // each cause once, where it is: no follow-on "start is required" for the refused start
    assert.deepEqual(at, [[5, 'progress.words.stages[0].start'], [6, 'progress.words.failure[1]']], JSON.stringify(problems));
    assert.match(problems[0]!.message, /exponential time on a line of repeated/);
  });

  it('runs users\' patterns on the first USER_REGEX_MAX_INPUT characters of a line only', function () {
    this.timeout(10_000); // a hang guard: the unbounded line took minutes
    // scslre lets this one through (its \b), yet it is quadratic on a line of 0,0,0,...
    const k = new KeyParser('k', { ...spec, stages: [{ name: 'S', start: 'begin' }], failure: ['\\b(\\d[\\d,]*)\\s*\\/\\s*(\\d[\\d,]*)\\b'] });
    k.feed(['begin', `${'0,'.repeat(500_000)} Traceback`]);
    assert.equal(k.progress.cells[0], 'running');
    assert.equal(k.progress.lastLine!.length, USER_REGEX_MAX_INPUT);
    k.feed([`${'x'.repeat(USER_REGEX_MAX_INPUT)}1/2`]);
    assert.equal(k.progress.cells[0], 'running', 'what lies past the cut is not matched');
  });

  it('reads a percentage in linear time (a 0,0,0,… line took 13 s at 128K characters)', function () {
    this.timeout(10_000); // hang guard only; figures in bench/hostileProgress.bench.ts
    assert.equal(percentOf('0,'.repeat(500_000)), undefined);
    assert.equal(percentOf(`${'0,'.repeat(500_000)} 3/4`), 75);
    assert.equal(percentOf(`${'9'.repeat(1_000_000)}%`), 100, 'the last three digits, as before');
    assert.equal(percentOf(`${' '.repeat(1_000_000)}/`), undefined);
  });

  it('reads the same percentages as the old regexes on generated short lines', () => {
    const old = oldPercentOf;

    const alphabet = ['0', '1', '5', '9', ',', '.', '%', '|', '/', ' ', '\t', 'a', '_', 'é', '\u00a0'];
    let seed = 15;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 50_000; i++) {
      const line = Array.from({ length: 1 + rnd(24) }, () => alphabet[rnd(alphabet.length)]).join('');
      assert.equal(percentOf(line), old(line), JSON.stringify(line));
    }
  });

  it('survives a generated hostile corpus: no crash, stages in range, bounded lines, each input quick', function () {
    this.timeout(60_000);
    const M = 1 << 20;
    const corpus: string[][] = [
      ['0,'.repeat(M / 2)], // percentOf's quadratic case
      [`${'word '.repeat(13)}!`, `${'a'.repeat(M)}!`], // the freezing line, and one long
      [`${'9'.repeat(M)}%|`, `${'1.'.repeat(M / 2)}%`, `${' '.repeat(M)}/ 3`, `${'1/'.repeat(M / 2)}`],
      [`${'%|'.repeat(M / 2)}`, '\u0000'.repeat(M), '\ud800'.repeat(1000), `${'é'.repeat(M)}45%|`],
      Array.from({ length: 20_000 }, (_, i) => (i % 2 ? 'downloading CDL 1/2' : 'Traceback (most recent call last)')),
      [`[2026-11-20 08:00:03${'0'.repeat(M)}`, '\r'.repeat(M), `${'manifest '.repeat(M / 9)}`],
    ];
    for (const lines of corpus) {
      const k = new KeyParser('k', spec);
      const t = performance.now();
      k.feed(lines);
      const took = performance.now() - t;
      assert.ok(took < 2000, `one input took ${Math.round(took)} ms`); // a hang guard, not a speed figure
      const p = k.progress;
      assert.equal(p.cells.length, spec.stages.length);
      assert.ok(p.current >= -1 && p.current < spec.stages.length);
      assert.ok(p.percent === undefined || (p.percent >= 0 && p.percent <= 100), String(p.percent));
      assert.ok((p.lastLine?.length ?? 0) <= USER_REGEX_MAX_INPUT && (p.failedLine?.length ?? 0) <= USER_REGEX_MAX_INPUT);
    }
  });
});
