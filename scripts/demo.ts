/**
 * The demo: a real VS Code (code-server) with HPC Geo installed, on a copy of examples/, wired to
 * the lab cluster, with a few jobs running so the Jobs tree is alive. Runs until Ctrl+C.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobActions } from '../extension/src/jobs/jobActions';
import { SshConnection } from '../extension/src/ssh/connection';
import { startCodeServer } from '../test/support/codeServer';
import { startLab } from '../test/support/lab';
import { labTarget } from '../test/support/labTargets';
import { repoRoot } from '../test/support/manifest';
import { ScriptedPrompter } from '../test/support/prompter';

async function main(): Promise<void> {
  const lab = startLab();
  if (!lab.ok) throw new Error(`the lab did not start: ${lab.reason}`);
  const facts = lab.facts;
  const port = Number(process.env.HPC_GEO_DEMO_PORT ?? 8080);
  const vscode = await startCodeServer(facts, port);

  // a few jobs, so the tree has something to show when the lab is connected; if that fails, the
  // demo stops whole (no code-server left behind on its port)
  const submitted: string[] = [];
  try {
    const conn = await SshConnection.open(labTarget(facts, 'ssh', facts.knownHosts), new ScriptedPrompter());
    try {
      const actions = new JobActions(conn, facts.user);
      for (const name of ['array.sbatch', 'progress.sbatch', 'fields_year.sbatch']) {
        const path = await actions.upload('hpc-geo-jobs', name, readFileSync(join(repoRoot, 'examples', 'lab', name), 'utf8'));
        submitted.push(`${name} → job ${(await actions.submit(path, { chdir: path.slice(0, path.lastIndexOf('/')) })).jobId}`);
      }
    } finally {
      conn.end();
    }
  } catch (e) {
    vscode.process.kill();
    throw e;
  }

  console.log(`
HPC Geo demo is running.

  Open:  http://127.0.0.1:${port}/?folder=${encodeURIComponent(vscode.workspace)}

  In VS Code: trust the folder, click the HPC Geo icon, "Connect to Cluster" → lab
  (accept its host key), or → lab-totp and type the one-time code:
      oathtool --totp -b ${facts.totp.secret}
  Logins as on other clusters: lab-password asks that code and then the password
  ${facts.password.password} (as NRIS does); lab-noisy is a login node whose ~/.bashrc prints
  text; lab-opt finds Slurm only through /etc/profile.d.
  Jobs submitted on the lab: ${submitted.join(', ')}
  Then try: click a running job (live log), right-click an array (progress, resubmit failed),
  open pitfalls.sbatch (Problems panel, quick fixes), "HPC Geo: Show Pipeline Progress".

  Stop with Ctrl+C (the lab keeps running: bash test/lab/lab.sh down).
`);
  // stop code-server but keep its folder: the demo workspace may hold the user's edits
  const stop = () => {
    vscode.process.kill();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise<void>((resolve) => vscode.process.on('exit', () => resolve()));
}

main().catch((e: unknown) => {
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
