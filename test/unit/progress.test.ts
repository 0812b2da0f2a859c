import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandKeys, FIELDS_PIPELINE, KeyParser, logPathFor, percentOf } from '../../common/progress/progress';
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
});
