/** ClusterTargets for the lab's two sshd, with a known_hosts file of the test's own. */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshConnection } from '../../extension/src/ssh/connection';
import type { ClusterTarget, HopTarget } from '../../extension/src/ssh/types';
import type { LabFacts } from './lab';

export function freshKnownHosts(lab?: LabFacts): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hpc-geo-kh-')), 'known_hosts');
  if (lab) copyFileSync(lab.knownHosts, file);
  return file;
}

export function labHop(lab: LabFacts, server: 'ssh' | 'totp', knownHosts: string, over: Partial<HopTarget> = {}): HopTarget {
  return {
    alias: server === 'ssh' ? 'lab' : 'lab-totp',
    host: lab.host,
    port: lab[server].port,
    user: lab.user,
    identityFiles: [lab.keys.private],
    identitiesOnly: true,
    keepaliveSeconds: 15,
    knownHostsFiles: [knownHosts],
    strictHostKeyChecking: 'ask',
    ...over,
  };
}

export function labTarget(lab: LabFacts, server: 'ssh' | 'totp', knownHosts: string, over: Partial<ClusterTarget> = {}): ClusterTarget {
  return { ...labHop(lab, server, knownHosts), jumps: [], ...over };
}

/** OpenSSH's `ssh` argv running `argv` on the lab's key-only sshd: what the benches compare with. */
export function opensshArgv(lab: LabFacts, argv: readonly string[]): string[] {
  return ['-i', lab.keys.private, '-p', String(lab.ssh.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${lab.knownHosts}`, '-o', 'IdentitiesOnly=yes', `${lab.user}@${lab.host}`, ...argv];
}

/** Inside a describe: connections passed to the returned function are ended after each test. */
export function endAfterEach(): (c: SshConnection) => SshConnection {
  const open: SshConnection[] = [];
  afterEach(() => {
    while (open.length) open.pop()!.end();
  });
  return (c) => (open.push(c), c);
}
