import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIELDS_PIPELINE, logPathFor, type ProgressSpec } from '../../common/progress/progress';
import { ProgressReader, READ_CAP, REFRESH_BUDGET } from '../../extension/src/progress/progressReader';
import { SshConnection } from '../../extension/src/ssh/connection';
import type { ExecOptions } from '../../extension/src/ssh/types';
import { requireLab, type LabFacts } from '../support/lab';
import { freshKnownHosts, labTarget } from '../support/labTargets';
import { repoRoot } from '../support/manifest';
import { ScriptedPrompter } from '../support/prompter';

describe('pipeline progress against the lab', function () {
  this.timeout(60_000);
  let lab: LabFacts;
  let conn: SshConnection;

  before(async function () {
    lab = requireLab(this);
    conn = await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter());
  });
  after(() => conn?.end());

  it('reads every year in one command per refresh, only new bytes, and restarts a truncated log', async () => {
    const dir = `${lab.home}/hpc-geo-progress`;
    const spec = { ...FIELDS_PIPELINE, dir, keys: '2012..2015' };
    await conn.exec(['mkdir', '-p', `${dir}/logs`]);
    for (const y of ['2012', '2013', '2014']) {
      await conn.exec(['sh', '-c', 'cat > "$1"', 'sh', logPathFor(spec, y)], { stdin: readFileSync(join(repoRoot, 'test', 'fixtures', 'progress', `year_${y}.log`)) });
    }
    let execs = 0;
    const counting = { name: conn.name, exec: (argv: readonly string[], o?: ExecOptions) => (execs++, conn.exec(argv, o)) };
    const reader = new ProgressReader(counting, spec, ['2012', '2013', '2014', '2015'].map((key) => ({ key, path: logPathFor(spec, key) })));
    const rows = await reader.refresh();
    assert.equal(execs, 1);
    assert.deepEqual(rows.map((r) => r.cells.join(',')), [
      'done,done,done,done,done,done,done',
      'skipped,skipped,done,running,pending,pending,pending',
      'done,done,done,failed,pending,pending,pending',
      'pending,pending,pending,pending,pending,pending,pending',
    ]);
    assert.equal(rows[3]!.exists, false, '2015 has no log yet');
    const first = reader.bytesMoved;
    await conn.exec(['sh', '-c', 'echo "2026-11-20 09:00:00 INFO year 2013: tippecanoe finished, mbtiles written" >> "$1"', 'sh', logPathFor(spec, '2013')]);
    const again = await reader.refresh();
    assert.equal(execs, 2);
    assert.equal(again[1]!.cells[3], 'done');
    assert.ok(reader.bytesMoved - first < 400, `the second refresh read only what was new (${reader.bytesMoved - first} bytes)`);
    await conn.exec(['sh', '-c', 'echo "2026-11-21 08:00:00 INFO year 2014: downloading CDL again" > "$1"', 'sh', logPathFor(spec, '2014')]);
    await reader.refresh();
    const restarted = await reader.refresh();
    assert.deepEqual(restarted[2]!.cells.slice(0, 2), ['running', 'pending']);
    await conn.exec(['rm', '-rf', dir]);
  });

  const oneStage: ProgressSpec = { name: 'hostile', log: '{key}.log', keys: [], stages: [{ name: 'Run', start: 'begin', done: 'finished' }], failure: ['Traceback'] };
  const sh = (script: string, ...args: string[]) => conn.exec(['sh', '-c', script, 'sh', ...args], { timeoutMs: 120_000 });

  it('keeps the framing when a key is a directory, an unreadable file or a fifo', async () => {
    const dir = `${lab.home}/hpc-geo-progress-frame`;
    await sh('rm -rf "$1"; mkdir -p "$1/dir.log" && cd "$1" && echo begin > a.log && echo begin > unreadable.log && chmod 000 unreadable.log && mkfifo fifo.log && printf "begin\\nTraceback (most recent call last)\\n" > d.log && echo begin > e.log', dir);
    const keys = ['a', 'dir', 'unreadable', 'fifo', 'd', 'e'];
    const reader = new ProgressReader(conn, oneStage, keys.map((key) => ({ key, path: `${dir}/${key}.log` })));
    const rows = await reader.refresh();
    assert.deepEqual(rows.map((r) => `${r.key}:${r.cells[0]}:${r.exists}`), ['a:running:true', 'dir:pending:false', 'unreadable:pending:false', 'fifo:pending:false', 'd:failed:true', 'e:running:true']);
    await sh('echo finished >> "$1/e.log"', dir);
    assert.equal((await reader.refresh())[5]!.cells[0], 'done', 'the key after them still reads its own log');
    await sh('chmod 600 "$1/unreadable.log"; rm -rf "$1"', dir);
  });

  it('reads 5,000 array-task logs over the shared connection without dropping it', async function () {
    this.timeout(300_000);
    const dir = `${lab.home}/hpc-geo-progress-5000/some/deep/folder/of/the/array/job/logs`;
    await sh('rm -rf "$1"; mkdir -p "$1" && cd "$1" && i=0; while [ $i -lt 5000 ]; do echo begin > "task_$i.log"; [ $((i % 7)) -eq 0 ] && echo finished >> "task_$i.log"; i=$((i + 1)); done', dir);
    const entries = Array.from({ length: 5000 }, (_, i) => ({ key: String(i), path: `${dir}/task_${i}.log` }));
    const reader = new ProgressReader(conn, oneStage, entries);
    const rows = await reader.refresh();
    assert.equal(rows.length, 5000);
    assert.deepEqual(rows.map((r) => r.cells[0]).filter((c, i) => c !== (i % 7 === 0 ? 'done' : 'running')), []);
    assert.equal((await conn.exec(['echo', 'still here'])).stdout.toString(), 'still here\n', 'the shared connection is still up');
    await sh('rm -rf "$1"', `${lab.home}/hpc-geo-progress-5000`);
  });

  it('advances every key under a byte budget per refresh when 66 logs have more than the cap unread', async function () {
    this.timeout(600_000);
    const dir = `${lab.home}/hpc-geo-progress-big`;
    // one log just over the cap, hard-linked 66 times (no 280 MB of disk)
    await sh(`rm -rf "$1"; mkdir -p "$1" && cd "$1" && { echo begin; yes 'processing tile 0001 of the mosaic' | head -c ${READ_CAP + 64 * 1024}; echo; echo finished; } > k0.log && i=1; while [ $i -lt 66 ]; do ln k0.log "k$i.log"; i=$((i + 1)); done`, dir);
    const reader = new ProgressReader(conn, oneStage, Array.from({ length: 66 }, (_, i) => ({ key: `k${i}`, path: `${dir}/k${i}.log` })));
    const total = 66 * (READ_CAP + 64 * 1024 + 64);
    let rows = await reader.refresh();
    let refreshes = 1;
    let moved = reader.bytesMoved;
    assert.ok(moved <= REFRESH_BUDGET + 66 * 64, `one refresh moved ${moved} bytes, budget ${REFRESH_BUDGET}`);
    while (rows.some((r) => r.cells[0] !== 'done') && refreshes < Math.ceil(total / REFRESH_BUDGET) + 66) {
      rows = await reader.refresh();
      refreshes++;
      assert.ok(reader.bytesMoved - moved <= REFRESH_BUDGET + 66 * 64, `refresh ${refreshes} moved ${reader.bytesMoved - moved} bytes`);
      moved = reader.bytesMoved;
    }
    assert.deepEqual(rows.filter((r) => r.cells[0] !== 'done').map((r) => r.key), [], `after ${refreshes} refreshes`);
    await sh('rm -rf "$1"', dir);
  });
});
