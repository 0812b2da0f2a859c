import type { HistoryStore } from '../../extension/src/jobs/jobService';
import type { JobRecord } from '../../common/slurm/jobs';

/** The job history store in memory, in place of VS Code's workspace state. */
export class MemoryStore implements HistoryStore {
  readonly data = new Map<string, JobRecord[]>();
  get(key: string) {
    return this.data.get(key);
  }
  async set(key: string, value: JobRecord[]) {
    this.data.set(key, value);
  }
}
