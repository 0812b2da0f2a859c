import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIELDS_PIPELINE, logPathFor } from '../../common/progress/progress';
import { ProgressReader } from '../../extension/src/progress/progressReader';
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
});
