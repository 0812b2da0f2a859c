import { strict as assert } from 'node:assert';
import type { JobRecord } from '../../common/slurm/jobs';
import { TARGETS, type JobTarget } from '../../common/slurm/targets';
import { emptyRecord, installVscodeStub, type StubRecord } from '../support/vscodeStub';

type Source = { clusters(): { cluster: string; current: JobRecord[]; history: JobRecord[]; lastRefresh?: number }[]; connect(): Promise<unknown> };
type Resolve = (kind: unknown, source: Source, node: unknown, selected?: unknown, other?: unknown) => Promise<JobTarget[]>;

describe('job commands from the palette with no cluster connected (issue 10)', () => {
  let record: StubRecord;
  let uninstall: () => void;
  let resolveTargets: Resolve;
  const modulePath = require.resolve('../../extension/src/jobs/jobTargets');

  beforeEach(() => {
    record = emptyRecord();
    uninstall = installVscodeStub(record);
    delete require.cache[modulePath]; // loaded on this test's stand-in, not an earlier suite's
    ({ resolveTargets } = require(modulePath));
  });
  afterEach(() => {
    uninstall();
    delete require.cache[modulePath];
  });

  const none: Source = { clusters: () => [], connect: async () => undefined };
  const followFile = () => {
    const other = { item: { label: 'A file on a cluster…' }, button: 'Follow a File…', picked: 0, pick: async () => void other.picked++ };
    return other;
  };

  it('Cancel and Follow Log say the same; Follow Log also offers a file, and that button follows one', async () => {
    record.answers.push(() => undefined);
    assert.deepEqual(await resolveTargets(TARGETS.cancel, none, undefined), []);
    const other = followFile();
    record.answers.push(() => 'Follow a File…');
    assert.deepEqual(await resolveTargets(TARGETS.log, none, undefined, undefined, other), []);
    assert.deepEqual(record.messages, [
      { text: 'No cluster is connected, so there are no jobs to pick.', buttons: ['Connect'] },
      { text: 'No cluster is connected, so there are no jobs to pick.', buttons: ['Connect', 'Follow a File…'] },
    ]);
    assert.equal(other.picked, 1, 'the file was asked for');
  });

  it('Connect goes on to the pick once the connected cluster\'s jobs have loaded', async () => {
    const job: JobRecord = { jobId: '42', name: 'tiles', state: 'RUNNING', rawState: 'RUNNING', source: 'squeue' };
    const clusters: ReturnType<Source['clusters']> = [];
    const source: Source = {
      clusters: () => clusters,
      connect: async () => {
        clusters.push({ cluster: 'lab', current: [job], history: [] });
        setTimeout(() => (clusters[0]!.lastRefresh = Date.now()), 300); // the first poll ends later
        return 'lab';
      },
    };
    let offered: readonly { label: string }[] = [];
    record.answers.push(() => 'Connect', ({ items }) => ((offered = items ?? []), items?.[0]));
    const other = followFile();
    const picked = await resolveTargets(TARGETS.log, source, undefined, undefined, other);
    assert.equal(offered[0]?.label, '42 tiles', 'the job is offered');
    assert.deepEqual(picked.map((t) => t.type === 'job' && t.job.jobId), ['42']);
    assert.equal(other.picked, 0);
  });
});
