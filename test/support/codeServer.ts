/**
 * A real VS Code (code-server 4.100.3, VS Code 1.100) with the built .vsix installed, on a
 * workspace that is a fresh copy of examples/, configured to reach the lab. For the end-to-end
 * tests and the demo.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabFacts } from './lab';
import { repoRoot } from './manifest';

export interface CodeServer {
  url: string;
  workspace: string;
  home: string;
  process: ChildProcess;
  /** Stops code-server and removes its home, after copying its logs to `keepLogsIn` if given. */
  stop(keepLogsIn?: string): Promise<void>;
}

/** Installs code-server if needed (test/e2e/install-code-server.sh); its package folder. */
export function installCodeServer(): string {
  const r = spawnSync('bash', [join(repoRoot, 'test', 'e2e', 'install-code-server.sh')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`code-server could not be installed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return r.stdout.trim().split('\n').pop()!;
}

export function builtVsix(): string {
  const dir = join(repoRoot, 'build');
  const vsix = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.vsix')).sort().pop() : undefined;
  if (!vsix) throw new Error('no .vsix in build/: run npm run package');
  return join(dir, vsix);
}

/**
 * An ssh config naming the lab's servers, with a known_hosts of its own (empty at first): lab (a
 * key), lab-totp (key + one-time code), lab-password (one-time code + password, no key), lab-noisy
 * (a login node whose ~/.bashrc talks), lab-opt (Slurm only through /etc/profile.d).
 */
export function labSshConfig(lab: LabFacts, dir: string): string {
  const known = join(dir, 'known_hosts');
  writeFileSync(known, '');
  const host = (name: string, port: number, user = lab.user, key = true) =>
    `Host ${name}\n  HostName ${lab.host}\n  Port ${port}\n  User ${user}\n${key ? `  IdentityFile ${lab.keys.private}\n  IdentitiesOnly yes\n` : ''}  UserKnownHostsFile ${known}\n`;
  const file = join(dir, 'ssh_config');
  writeFileSync(
    file,
    [host('lab', lab.ssh.port), host('lab-totp', lab.totp.port), host('lab-password', lab.password.port, lab.password.user, false), host('lab-noisy', lab.noisy.port, lab.noisy.user), host('lab-opt', lab.ssh.port, lab.optPath.user)].join('\n'),
  );
  return file;
}

function waitHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () =>
      get(url, (res) => {
        res.resume();
        resolve();
      }).on('error', () => (Date.now() > deadline ? reject(new Error(`code-server did not answer at ${url}`)) : setTimeout(attempt, 250)));
    attempt();
  });
}

export async function startCodeServer(lab: LabFacts, port: number, opts: { keepRunning?: boolean } = {}): Promise<CodeServer> {
  const pkg = installCodeServer();
  const entry = join(pkg, 'out', 'node', 'entry.js');
  const home = mkdtempSync(join(tmpdir(), 'hpc-geo-vscode-'));
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  const workspace = join(home, 'examples');
  mkdirSync(join(userData, 'User'), { recursive: true });
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'editor.minimap.enabled': false,
    'hpcGeo.lint.defaultProfile': 'lab',
  };
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // where to connect is a machine setting: in code-server (a remote window) VS Code applies those from
  // the machine's own settings only, not the browser user's. Written to User/settings.json it was
  // read at start and dropped at the first settings change (a colour theme picked): every cluster vanished.
  mkdirSync(join(userData, 'Machine'), { recursive: true });
  writeFileSync(join(userData, 'Machine', 'settings.json'), JSON.stringify({ 'hpcGeo.ssh.configFile': labSshConfig(lab, home) }, null, 2));
  const install = spawnSync(process.execPath, [entry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', builtVsix()], { encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0) throw new Error(`installing the .vsix failed: ${install.stderr || install.stdout}`);
  const proc = spawn(process.execPath, [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--user-data-dir', userData, '--extensions-dir', extensions, workspace], {
    stdio: opts.keepRunning ? 'inherit' : 'ignore',
    detached: false,
  });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  const stop = async (keepLogsIn?: string) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill();
      await exited;
    }
    if (keepLogsIn && existsSync(join(userData, 'logs'))) cpSync(join(userData, 'logs'), keepLogsIn, { recursive: true });
    rmSync(home, { recursive: true, force: true });
  };
  return { url, workspace, home, process: proc, stop };
}
