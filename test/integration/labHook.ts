/**
 * Mocha root hook: brings the lab up once before any test. When the machine cannot run it (not
 * root, not Debian) the integration suites are skipped with the reason; with HPC_GEO_REQUIRE_LAB=1
 * (the README's test command sets it) a lab that does not come up fails the run instead.
 */
import { labIsRequired, startLab } from '../support/lab';

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    this.timeout(16 * 60_000);
    const state = startLab();
    if (state.ok) {
      console.log(`lab: Slurm ${state.facts.slurmVersion} on ${state.facts.node}, sshd on ${state.facts.host}:${state.facts.ssh.port} and :${state.facts.totp.port} (one-time code)`);
    } else if (labIsRequired()) {
      throw new Error(`the lab did not start: ${state.reason}`);
    } else {
      console.log(`lab: not available, integration tests will be skipped: ${state.reason}`);
    }
  },
};
