import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { jobEndWords, type TailJob } from '../../common/logs/protocol';
import type { JobRecord, JobState } from '../../common/slurm/jobs';
import type { ClusterJobs } from '../../extension/src/jobs/jobService';
import { jobFacts, JobEndWatch } from '../../extension/src/logs/jobEndWatch';

/** A record as parseSqueue/parseSacct give it: an array task's id split into its array and task fields. */
const job = (jobId: string, state: JobState, more: Partial<JobRecord> = {}): JobRecord => {
  const m = /^(\d+)_(.+)$/.exec(jobId);
  return { jobId, ...(m ? { arrayJobId: m[1]!, arrayTaskId: m[2]! } : {}), name: 'fields', state, rawState: state, source: state === 'RUNNING' || state === 'PENDING' ? 'squeue' : 'sacct', ...more };
};
const data = (current: JobRecord[], history: JobRecord[] = [], more: Partial<ClusterJobs> = {}): ClusterJobs => ({ cluster: 'lab', current, history, refreshing: false, lastRefresh: 1, ...more });

describe('the job behind a log page', () => {
  it('is in the queue while squeue lists it, or a pending chunk of its array', () => {
    assert.deepEqual(jobFacts('42', data([job('42', 'RUNNING')])), { jobId: '42', ended: false });
    assert.deepEqual(jobFacts('28_3', data([job('28_[3-5%3]', 'PENDING')])), { jobId: '28_3', ended: false });
    assert.deepEqual(jobFacts('28_9', data([job('28_[1,7-11:2]', 'PENDING')])), { jobId: '28_9', ended: false });
    assert.deepEqual(jobFacts('28_0', data([job('28_[3-5%3]', 'PENDING')])), { jobId: '28_0', ended: true }, 'a chunk of other tasks of the array is not this one');
    assert.deepEqual(jobFacts('28_3', data([job('28_4', 'RUNNING')])), { jobId: '28_3', ended: true }, 'another task of the array running is not this one');
    assert.deepEqual(jobFacts('4', data([job('42', 'RUNNING')])), { jobId: '4', ended: true });
  });

  it('has ended once squeue no longer lists it; how, once sacct has recorded the end', () => {
    assert.deepEqual(jobFacts('42', data([], [job('42', 'RUNNING')])), { jobId: '42', ended: true }, 'a record sacct read while it ran says nothing of its end');
    assert.deepEqual(jobFacts('42', data([], [job('42', 'FAILED', { exitCode: '3:0' })])), { jobId: '42', ended: true, state: 'FAILED', exitCode: '3:0' });
    assert.deepEqual(jobFacts('28_3', data([], [job('28_3', 'OUT_OF_MEMORY', { exitCode: '0:125' })])), { jobId: '28_3', ended: true, state: 'OUT_OF_MEMORY', exitCode: '0:125' });
  });

  it('is not known before the first squeue, after a failed one, or on a cluster not watched', () => {
    assert.equal(jobFacts('42', undefined), undefined);
    assert.equal(jobFacts('42', data([], [], { lastRefresh: undefined })), undefined, 'watching just began: current is empty until squeue answers');
    assert.equal(jobFacts('42', data([], [], { error: 'Connection lost' })), undefined);
  });

  it('is told in words a person reads', () => {
    assert.equal(jobEndWords({ jobId: '42', ended: true, state: 'COMPLETED', exitCode: '0:0' }), 'Job 42 ended (COMPLETED)');
    assert.equal(jobEndWords({ jobId: '42', ended: true, state: 'FAILED', exitCode: '3:0' }), 'Job 42 ended (FAILED, exit code 3)');
    assert.equal(jobEndWords({ jobId: '42', ended: true, state: 'CANCELLED', exitCode: '0:15' }), 'Job 42 ended (CANCELLED, signal 15)');
    assert.equal(jobEndWords({ jobId: '42', ended: true }), 'Job 42 left the queue');
  });

  it('is posted when it changes, once each time, and not after dispose', () => {
    const feed = new (class extends EventEmitter {
      state: ClusterJobs = data([], [], { lastRefresh: undefined });
      jobs = (cluster: string) => (cluster === 'lab' ? this.state : undefined);
    })();
    const posted: TailJob[] = [];
    const watch = new JobEndWatch(feed, 'lab', '42', (j) => posted.push(j));
    assert.deepEqual(posted, [], 'nothing known yet');
    const change = (state: ClusterJobs, cluster = 'lab') => {
      feed.state = state;
      feed.emit('change', cluster);
    };
    change(data([job('42', 'RUNNING')]));
    change(data([job('42', 'RUNNING')]));
    change(data([], [job('42', 'RUNNING')], { error: 'Connection lost' }));
    change(data([], [job('42', 'RUNNING')]));
    change(data([], [job('42', 'COMPLETED', { exitCode: '0:0' })]), 'other');
    change(data([], [job('42', 'COMPLETED', { exitCode: '0:0' })]));
    assert.deepEqual(posted, [{ jobId: '42', ended: false }, { jobId: '42', ended: true }, { jobId: '42', ended: true, state: 'COMPLETED', exitCode: '0:0' }]);
    assert.deepEqual(watch.current, { jobId: '42', ended: true, state: 'COMPLETED', exitCode: '0:0' });
    watch.dispose();
    change(data([job('42', 'PENDING')]));
    assert.equal(posted.length, 3);
    assert.equal(feed.listenerCount('change'), 0);
  });
});
