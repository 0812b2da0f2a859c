import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import type { JobRecord } from '../../common/slurm/jobs';
import { rowsToRedraw, type DrawnTree } from '../../extension/src/jobs/treeRedraw';
import { emptyRecord, installVscodeStub } from '../support/vscodeStub';

type Node = { type: string; cluster: string; job?: JobRecord };

const tree = (root: string[], rows: Record<string, [string, string[]]>): DrawnTree => ({ root, rows: new Map(Object.entries(rows).map(([id, [key, children]]) => [id, { key, children }])) });

describe('tree redraws (rows that changed, not the whole tree)', () => {
  const before = tree(['c'], { c: ['lab', ['run', 'fin']], run: ['Running', ['j1', 'j2']], fin: ['Finished', ['j3']], j1: ['1 0:10', []], j2: ['2 0:10', []], j3: ['3', []] });

  it('redraws nothing when nothing changed, and only a row whose text changed', () => {
    assert.deepEqual(rowsToRedraw(before, before), []);
    const after = tree(['c'], { ...Object.fromEntries(before.rows), c: ['lab', ['run', 'fin']], run: ['Running', ['j1', 'j2']], fin: ['Finished', ['j3']], j1: ['1 0:15', []], j2: ['2 0:10', []], j3: ['3', []] });
    assert.deepEqual(rowsToRedraw(before, after), ['j1']);
  });

  it('redraws both parents of a row that moved, never a row beneath one redrawn', () => {
    const after = tree(['c'], { c: ['lab', ['run', 'fin']], run: ['Running', ['j2']], fin: ['Finished', ['j1', 'j3']], j1: ['1 COMPLETED', []], j2: ['2 0:15', []], j3: ['3', []] });
    assert.deepEqual(rowsToRedraw(before, after), ['run', 'fin']);
  });

  it('redraws all when the top-level rows changed, or at first', () => {
    assert.equal(rowsToRedraw(before, tree(['c', 'd'], { ...Object.fromEntries([...before.rows].map(([k, v]) => [k, [v.key, [...v.children]]])), d: ['other', []] } as Record<string, [string, string[]]>)), 'all');
    assert.equal(rowsToRedraw(undefined, before), 'all');
  });
});

describe('the Jobs view redraws per poll', () => {
  let uninstall: () => void;
  let JobsProvider: new (service: unknown, state: (c: string) => string) => {
    onDidChangeTreeData: (l: (e: unknown) => void) => unknown;
    getChildren(n?: Node): Node[];
    dispose(): void;
  };
  before(() => {
    uninstall = installVscodeStub(emptyRecord());
    ({ JobsProvider } = require('../../extension/src/jobs/jobsProvider'));
  });
  after(() => uninstall());

  const job = (jobId: string, state: JobRecord['state'], elapsed: string): JobRecord => ({ jobId, name: `job${jobId}`, state, rawState: state, elapsed, timeLimit: '1:00:00', partition: 'normal', source: state === 'RUNNING' ? 'squeue' : 'sacct' });

  it('redraws only the running job whose time moved, as the same row object, and the cluster\'s rows when a job ends', () => {
    const service = Object.assign(new EventEmitter(), {
      data: { cluster: 'lab', current: [job('1', 'RUNNING', '0:10'), job('2', 'RUNNING', '0:10')], history: [] as JobRecord[], refreshing: false, lastRefresh: 1 },
      clusters() {
        return [this.data];
      },
      jobs() {
        return this.data;
      },
      historyDays: 7,
    });
    const provider = new JobsProvider(service, () => 'connected');
    const fired: (Node[] | undefined)[] = [];
    provider.onDidChangeTreeData((e) => fired.push(e as Node[] | undefined));
    try {
      service.emit('change', 'lab');
      assert.ok(fired.length === 1 && fired[0] === undefined, 'the first draw is of all');
      const [cluster] = provider.getChildren();
      const [running] = provider.getChildren(cluster);
      const row1 = provider.getChildren(running).find((n) => n.job?.jobId === '1');
      assert.ok(row1, 'job 1 is under Running');

      // a poll later: job 1 ran on; the cluster's row would show the poll's time before, and redraw all
      service.data = { ...service.data, current: [job('1', 'RUNNING', '0:15'), job('2', 'RUNNING', '0:10')], lastRefresh: 2 };
      fired.length = 0;
      service.emit('change', 'lab');
      assert.equal(fired.length, 1);
      assert.deepEqual(fired[0]!.map((n) => n.job?.jobId), ['1']);
      assert.equal(fired[0]![0], row1, 'the row VS Code holds, updated in place');
      assert.equal(row1!.job!.elapsed, '0:15');

      // nothing changed: nothing is redrawn
      fired.length = 0;
      service.emit('change', 'lab');
      assert.equal(fired.length, 0);

      // job 1 ended: Recently finished appears (the cluster's children changed), so the cluster's rows are redrawn
      service.data = { ...service.data, current: [job('2', 'RUNNING', '0:20')], history: [job('1', 'COMPLETED', '0:16')] };
      service.emit('change', 'lab');
      assert.deepEqual(fired[0]!.map((n) => n.type), ['cluster']);
    } finally {
      provider.dispose();
    }
  });
});
