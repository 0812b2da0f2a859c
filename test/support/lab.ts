/**
 * The lab's connection facts, as `test/lab/lab.sh up` prints them, shared by every integration
 * and end-to-end test. The root hook (test/integration/labHook.ts) fills this in once per run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './manifest';

export interface LabFacts {
  stateDir: string;
  host: string;
  user: string;
  /** Lab users by login shell (the same keys log in as each): bash, tcsh, fish. */
  shellUsers: { bash: string; tcsh: string; fish: string };
  home: string;
  account: string;
  cluster: string;
  node: string;
  partitions: string[];
  /** Four nodes shaped like Betzy's normal partition: jobs take at least minNodes whole nodes; each node's loopback address (in /etc/hosts). */
  wide: { partition: string; minNodes: number; nodes: string[]; addresses: string[] };
  ssh: { port: number; hostKey: string };
  totp: { port: number; hostKey: string; secret: string };
  /** A one-time code and then a password, no key (as NRIS asks them); its user and that user's password. */
  password: { port: number; hostKey: string; user: string; password: string; secret: string };
  /** A login node that talks: a Banner (that file), and its user's ~/.bashrc prints in non-interactive shells. */
  noisy: { port: number; hostKey: string; user: string; banner: string };
  /** A user (on the key-only sshd) whose PATH has Slurm only through that /etc/profile.d script. */
  optPath: { user: string; profileScript: string; slurmBin: string };
  keys: { private: string; public: string; encrypted: string; passphrase: string; rsa: string };
  knownHosts: string;
  slurmConf: string;
  /** Whether Slurm holds jobs to their --mem here (task/cgroup on a cgroup v1 memory controller): then a job past it ends OUT_OF_MEMORY. */
  memoryLimits: boolean;
  /** Preemption by partition tier: a job of `high` cancels one of `low` on `node` (PREEMPTED). */
  preempt: { low: string; high: string; node: string };
  slurmVersion: string;
  logs: string;
}

export type LabState = { ok: true; facts: LabFacts } | { ok: false; reason: string };

let state: LabState | undefined;
const toldSuites = new Set<string>();

export const labScript = join(repoRoot, 'test', 'lab', 'lab.sh');

/** Brings the lab up (idempotent). Never throws: a lab that cannot start is a reason to skip. */
export function startLab(): LabState {
  if (state) return state;
  if (process.env.HPC_GEO_SKIP_LAB) {
    state = { ok: false, reason: `HPC_GEO_SKIP_LAB is set (${process.env.HPC_GEO_SKIP_LAB})` };
    return state;
  }
  const run = spawnSync('bash', [labScript, 'up'], { encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 64 << 20 });
  if (run.status === 0) {
    try {
      state = { ok: true, facts: JSON.parse(run.stdout) as LabFacts };
    } catch (e) {
      state = { ok: false, reason: `lab.sh printed facts that are not JSON: ${String(e)}` };
    }
  } else {
    const why = (run.stderr || run.error?.message || '').trim().split('\n').slice(-5).join('\n');
    state = { ok: false, reason: run.status === 3 ? why : `lab.sh up failed (exit ${run.status}): ${why}` };
  }
  return state;
}

/** The facts for a suite that needs the lab; skips the suite, saying why, when there is none. */
export function requireLab(ctx: Mocha.Context): LabFacts {
  const s = state ?? { ok: false, reason: 'the lab root hook did not run (use test/.mocharc.json)' };
  if (!s.ok) {
    const suite = ctx.test?.parent?.fullTitle() ?? '';
    if (!toldSuites.has(suite)) console.log(`      skipped: no lab: ${s.reason}`);
    toldSuites.add(suite);
    ctx.skip();
  }
  return (s as { facts: LabFacts }).facts;
}

/** A failed lab start is a failure, not a skip, when the run is meant to have one (CI). */
export function labIsRequired(): boolean {
  return process.env.HPC_GEO_REQUIRE_LAB === '1';
}

/**
 * Drops every SSH connection of the lab user, as a network failure would: kills the user's session
 * process of each of the lab's sshd, found by its title ("sshd: hpcgeo@notty"; OpenSSH 10, in the
 * Slurm 24.11 root, "sshd-session: hpcgeo" until a channel opens; the one-time-code servers run under their PAM names).
 * By title, not by uid: in the 24.11 root the user's uid is that root's.
 */
export function dropSshSessions(lab: LabFacts): void {
  execFileSync('pkill', ['-f', `^(sshd|sshd-session|hpcgeo-lab-totp|hpcgeo-lab-password): ${lab.user}(@\\S*)?$`]);
}

/** A Slurm command as the lab's administrator (root), as a site's staff run it: `admin('scontrol', 'update', ...)`. */
export function labAdmin(...argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', [labScript, 'admin', ...argv], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
