import { strict as assert } from 'node:assert';
import { parseSbatchHeader, tokenizeDirective, lastOption } from '../../common/sbatch/directives';
import { formatTime, parseArray, parseDependency, parseMemoryMB, parseNodes, parseTime } from '../../common/sbatch/values';

const header = (text: string) => parseSbatchHeader(text.split('\n'));

describe('#SBATCH parsing, as sbatch does it', () => {
  it('splits arguments on white space with quotes, escapes and # comments', () => {
    // as in sbatch's _get_argument(), an escaped space still ends the argument
    const { tokens } = tokenizeDirective('#SBATCH --job-name="fields 2024" -o \'a b\'.out --comment=say\\"hi\\" --x=a\\ b # comment --mem=1', 0);
    assert.deepEqual(tokens.map((t) => t.value), ['--job-name=fields 2024', '-o', 'a b.out', '--comment=say"hi"', '--x=a', 'b']);
    assert.equal(tokens[0]!.start, 8);
  });

  it('reports an unmatched quote', () => {
    const h = header('#!/bin/bash\n#SBATCH --job-name="x\nsrun x');
    assert.equal(h.problems[0]?.code, 'unmatched-quote');
  });

  it('reads long, short, joined and separate forms', () => {
    const h = header('#!/bin/bash\n#SBATCH --time=10 -N 4 -c8 --partition normal\n#SBATCH --hold');
    assert.deepEqual(h.options.map((o) => [o.option.name, o.value]), [['time', '10'], ['nodes', '4'], ['cpus-per-task', '8'], ['partition', 'normal'], ['hold', undefined]]);
  });

  it('takes the value of a required option from the next directive, as getopt does', () => {
    const h = header('#!/bin/bash\n#SBATCH --time\n#SBATCH 10\nsrun x');
    assert.equal(lastOption(h, 'time')?.value, '10');
  });

  it('accepts unambiguous prefixes, refuses ambiguous ones', () => {
    const h = header('#!/bin/bash\n#SBATCH --part=normal --mem-per=1G\n');
    assert.equal(h.options[0]?.option.name, 'partition');
    assert.equal(h.options[0]?.abbreviated, true);
    assert.equal(h.problems[0]?.code, 'ambiguous-option');
  });

  it('stops at the first non-option argument', () => {
    const h = header('#!/bin/bash\n#SBATCH --nodes=4 nodes\n#SBATCH --time=10\n');
    assert.equal(h.problems[0]?.code, 'stray-argument');
    assert.equal(lastOption(h, 'time'), undefined);
  });

  it('reads directives only in the leading comment block', () => {
    const h = header('#!/bin/bash\n\n# a comment\n#SBATCH -N 1\nmodule load x\n#SBATCH -N 2\n');
    assert.equal(lastOption(h, 'nodes')?.value, '1');
    assert.equal(h.headerEnd, 4);
    assert.deepEqual(h.lateDirectives.map((s) => s.line), [5]);
  });

  it('finds look-alikes, but not comments about the sbatch command', () => {
    const h = header('#!/bin/bash\n# SBATCH --mem=1G\n#SLURM --mem=1G\n  #SBATCH --mem=1G\n#sbatch --mem=1G\n# sbatch --dependency=afterok:1 x.sh\n# SBATCH is documented below\n');
    assert.deepEqual(h.lookalikes.map((l) => [l.span.line, l.kind]), [[1, 'space-after-hash'], [2, 'slurm-prefix'], [3, 'indented'], [4, 'lowercase']]);
  });
});

describe('option values', () => {
  it('reads every --time form', () => {
    assert.equal(parseTime('90'), 5400);
    assert.equal(parseTime('30:00'), 1800);
    assert.equal(parseTime('1:00:00'), 3600);
    assert.equal(parseTime('2-12'), 2 * 86400 + 12 * 3600);
    assert.equal(parseTime('4-00:00:00'), 4 * 86400);
    assert.equal(parseTime('1-2:3'), 86400 + 7200 + 180);
    assert.equal(parseTime('UNLIMITED'), Infinity);
    for (const bad of ['2h', '1:2:3:4', '', '-1', '1-', 'a']) assert.equal(parseTime(bad), undefined, bad);
    assert.equal(formatTime(4 * 86400), '4-00:00:00');
  });

  it('reads memory as Slurm does', () => {
    assert.equal(parseMemoryMB('64G'), 65536);
    assert.equal(parseMemoryMB('512'), 512);
    assert.equal(parseMemoryMB('1t'), 1048576);
    assert.equal(parseMemoryMB('64GB'), 65536);
    for (const bad of ['64GiB', '1.5G', '64 G', 'G']) assert.equal(parseMemoryMB(bad), undefined, bad);
  });

  it('reads arrays, with counts and throttles', () => {
    assert.deepEqual(parseArray('0-15'), { count: 16, maxIndex: 15 });
    assert.deepEqual(parseArray('1,3,5-7%2'), { count: 5, maxIndex: 7, throttle: 2 });
    assert.deepEqual(parseArray('0-10:5'), { count: 3, maxIndex: 10 });
    for (const bad of ['1..10', '10-1', '0-9:0', '0-9%0', 'x']) assert.ok('error' in parseArray(bad), bad);
  });

  it('reads dependencies', () => {
    assert.deepEqual(parseDependency('afterok:12:13,afterany:14'), { terms: [{ type: 'afterok', jobs: ['12', '13'] }, { type: 'afterany', jobs: ['14'] }], join: ',' });
    assert.deepEqual(parseDependency('singleton'), { terms: [{ type: 'singleton', jobs: [] }], join: ',' });
    for (const bad of ['afterOK:1', 'afterok', 'afterok:abc', 'afterok:1,afterany:2?afterok:3']) assert.ok('error' in parseDependency(bad), bad);
  });

  it('reads node counts', () => {
    assert.deepEqual(parseNodes('4'), { min: 4 });
    assert.deepEqual(parseNodes('2-4'), { min: 2, max: 4 });
    assert.equal(parseNodes('0'), undefined);
    assert.equal(parseNodes('4-2'), undefined);
  });
});
