/**
 * The lab for the benches that measure against it: brought up, with a kept ssh2 connection to its
 * key-only sshd, closed when the measurement ends. Without a lab, the one row that says why.
 */
import { SshConnection } from '../extension/src/ssh/connection';
import { startLab, type LabFacts } from '../test/support/lab';
import { labTarget } from '../test/support/labTargets';
import { ScriptedPrompter } from '../test/support/prompter';
import type { BenchRow } from './types';

export async function withLab(metric: string, unit: string, measure: (lab: LabFacts, conn: SshConnection) => Promise<BenchRow[]>): Promise<BenchRow[]> {
  const state = startLab();
  if (!state.ok) return [{ metric, value: NaN, unit, note: `no lab: ${state.reason}` }];
  const conn = await SshConnection.open(labTarget(state.facts, 'ssh', state.facts.knownHosts), new ScriptedPrompter());
  try {
    return await measure(state.facts, conn);
  } finally {
    conn.end();
  }
}
