/**
 * The product's job service on a lab connection, as the lab suites use it: one SSH connection,
 * polled only when a test refreshes (every refresh reads sacct), watching the lab user's jobs.
 */
import { JobService } from '../../extension/src/jobs/jobService';
import { JobActions } from '../../extension/src/jobs/jobActions';
import { SshConnection } from '../../extension/src/ssh/connection';
import type { LabFacts } from './lab';
import { freshKnownHosts, labTarget } from './labTargets';
import { MemoryStore } from './memoryStore';
import { ScriptedPrompter } from './prompter';

export interface LabJobs {
  conn: SshConnection;
  actions: JobActions;
  service: JobService;
  /** Cancels `jobs` (all the lab user's when not given: other suites share the user), then closes the service and the connection. */
  end(jobs?: readonly string[]): Promise<void>;
}

export async function labJobs(lab: LabFacts, store = new MemoryStore(), intervalMs = 60_000): Promise<LabJobs> {
  const conn = await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter());
  const service = new JobService(async () => conn, store, () => undefined, { historyDays: 1, minIntervalMs: intervalMs, maxIntervalMs: intervalMs, sacctEvery: 1, maxHistory: 5000 });
  service.watch({ name: 'lab', user: lab.user });
  return {
    conn,
    actions: new JobActions(conn, lab.user),
    service,
    async end(jobs) {
      service.dispose();
      if (!jobs || jobs.length) await conn.exec(['scancel', ...(jobs ?? [`--user=${lab.user}`])], { allowNonZero: true });
      conn.end();
    },
  };
}
