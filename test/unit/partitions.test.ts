import { strict as assert } from 'node:assert';
import { SEP } from '../../common/slurm/jobs';
import { gpuCount, parseSinfoState, partitionRow, SINFO_STATE_ARGV } from '../../common/slurm/partitions';

/** sinfo --Format lines as SINFO_STATE_ARGV asks for them: Partition Available Time Size StateLong Nodes CPUsState Gres GresUsed. */
const line = (...f: string[]) => f.join(SEP);

describe('Partitions view (issue 13): sinfo per partition and node state, summed', () => {
  it('asks sinfo once, every field whole and separated', () => {
    assert.equal(SINFO_STATE_ARGV[0], 'sinfo');
    assert.match(SINFO_STATE_ARGV.at(-1)!, /^--Format=Partition:0\u001f,Available:0\u001f,.*GresUsed:0$/);
  });

  it('sums the lines of one partition, marks the default, and counts GPUs free', () => {
    const text = [
      line('normal*', 'up', '7-00:00:00', '1-infinite', 'mixed', '3', '90/30/0/120', '(null)', '(null)'),
      line('normal*', 'up', '7-00:00:00', '1-infinite', 'idle', '2', '0/80/0/80', '(null)', '(null)'),
      line('normal*', 'up', '7-00:00:00', '1-infinite', 'down*', '1', '0/0/40/40', '(null)', '(null)'),
      line('accel', 'up', '14-00:00:00', '1-infinite', 'allocated', '2', '48/0/0/48', 'gpu:p100:4(S:0-1)', 'gpu:p100:4(IDX:0-3)'),
      line('accel', 'up', '14-00:00:00', '1-infinite', 'mixed', '1', '12/12/0/24', 'gpu:p100:4(S:0-1)', 'gpu:p100:1(IDX:0)'),
      line('old', 'down', 'infinite', '1-infinite', 'drained', '4', '0/0/160/160', '(null)', '(null)'),
      'garbage',
    ].join('\n');
    const parts = parseSinfoState(text);
    assert.deepEqual(parts.map((p) => [p.name, p.default, p.nodes.total]), [['normal', true, 6], ['accel', false, 3], ['old', false, 4]]);
    assert.deepEqual(parts[0]!.nodes, { idle: 2, mixed: 3, allocated: 0, unavailable: 1, other: 0, total: 6 });
    assert.deepEqual(parts[0]!.cpus, { allocated: 90, idle: 110, other: 40, total: 240 });
    assert.deepEqual(parts[1]!.gpus, { total: 12, used: 9 });
    assert.equal(parts[0]!.gpus, undefined);
    const row = partitionRow(parts[0]!);
    assert.equal(row.label, 'normal (default)');
    assert.equal(row.description, '110 of 240 CPUs free · 2 idle, 3 mixed, 1 down');
    assert.match(row.tooltip, /Longest job: 7-00:00:00/);
    assert.match(row.tooltip, /Nodes per job: 1 or more/);
    assert.equal(partitionRow(parts[1]!).description, '12 of 72 CPUs free · 3 of 12 GPUs free · 1 mixed, 2 allocated');
    assert.equal(partitionRow(parts[2]!).description, 'down · 4 down');
  });

  it('says a job can start only where enough is free: whole nodes for a partition of multi-node jobs', () => {
    const wide = parseSinfoState([
      line('wide', 'up', '1-00:00:00', '4-infinite', 'idle', '3', '0/12/0/12', '(null)', '(null)'),
      line('wide', 'up', '1-00:00:00', '4-infinite', 'allocated', '1', '4/0/0/4', '(null)', '(null)'),
    ].join('\n'))[0]!;
    const row = partitionRow(wide);
    assert.equal(row.startsNow, false, '12 CPUs free, but a job there takes 4 whole nodes and 3 are idle');
    assert.match(row.tooltip, /A job waits here now: its jobs take at least 4 whole nodes, and 3 are idle/);
    assert.equal(partitionRow({ ...wide, nodes: { ...wide.nodes, idle: 4 } }).startsNow, true);
    assert.equal(partitionRow({ ...wide, size: '1-infinite', cpus: { ...wide.cpus, idle: 0 } }).startsNow, false);
  });

  it('reads GPUs from GRES lists as sinfo prints them', () => {
    assert.equal(gpuCount('gpu:a100:4(S:0-1),shard:8'), 4);
    assert.equal(gpuCount('gpu:2(IDX:0-1)'), 2);
    assert.equal(gpuCount('gpu:mi250:8'), 8);
    assert.equal(gpuCount('(null)'), 0);
  });
});
