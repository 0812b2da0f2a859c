import { strict as assert } from 'node:assert';
import { SshConnection } from '../../extension/src/ssh/connection';
import { JobActions } from '../../extension/src/jobs/jobActions';
import { jobShellArgv, JobShellTerminal } from '../../extension/src/jobs/jobShellTerminal';
import type { PtyChannel } from '../../extension/src/ssh/types';
import { requireLab, type LabFacts } from '../support/lab';
import { freshKnownHosts, labTarget } from '../support/labTargets';
import { ScriptedPrompter } from '../support/prompter';
import { waitFor } from '../support/wait';

/** Issue 10 item 9: the job shell, driven as VS Code drives a Pseudoterminal, over the lab's sshd into a running job. */
describe('the job shell against the lab', function () {
  this.timeout(180_000);
  let lab: LabFacts;
  let conn: SshConnection;
  let actions: JobActions;
  let jobId: string;

  before(async function () {
    lab = requireLab(this);
    conn = await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter());
    actions = new JobActions(conn, lab.user);
    const s = await actions.upload(`${lab.home}/hpc-geo-tests`, 'shell.sbatch', '#!/bin/bash\n#SBATCH --job-name=shell-host\n#SBATCH --output=/dev/null\nsleep 300\n');
    ({ jobId } = await actions.submit(s, { chdir: `${lab.home}/hpc-geo-tests` }));
    await waitFor('the job running', async () => ((await conn.exec(['squeue', '-h', '-j', jobId, '-o', '%T'])).stdout.toString().trim() === 'RUNNING' ? true : undefined), 60_000, 500);
  });

  after(async () => {
    if (conn) {
      if (jobId) await conn.exec(['scancel', jobId], { allowNonZero: true });
      conn.end();
    }
  });

  /** A terminal as VS Code opens one: open with a size, then a resize straight away (the panel laying out). */
  function openShell(): { shell: JobShellTerminal; text: () => string; closed: () => boolean; events: string[] } {
    let out = '';
    let closed = false;
    // what reaches the channel, in order: the shell's output and the window changes sent to srun
    const events: string[] = [];
    const open = async (size: { cols: number; rows: number }): Promise<PtyChannel> => {
      const ch = await conn.pty(jobShellArgv(jobId), size);
      ch.on('data', () => events[events.length - 1] !== 'data' && events.push('data'));
      const setWindow = ch.setWindow.bind(ch);
      ch.setWindow = (rows, cols, height, width) => (events.push(`resize ${cols}x${rows}`), setWindow(rows, cols, height, width));
      return ch;
    };
    const shell = new JobShellTerminal(open, `job ${jobId}`);
    shell.onDidWrite((d) => (out += d));
    shell.onDidClose(() => (closed = true));
    shell.open({ columns: 100, rows: 30 });
    shell.setDimensions({ columns: 120, rows: 40 });
    shell.setDimensions({ columns: 132, rows: 43 });
    return { shell, text: () => out, closed: () => closed, events };
  }

  it('holds window changes until the shell has started (srun\'s "pty: accept failure"), then passes the last one on', async () => {
    // srun's pty thread accepts slurmstepd's connection with signals unblocked: a SIGWINCH (sshd
    // sends one per window change) arriving before that fails it with "pty: accept failure:
    // Interrupted system call" (SchedMD bug 3979), and later resizes are lost. VS Code resizes a
    // terminal right after opening it; the shell's first output comes only after the accept.
    const { shell, text, events } = openShell();
    try {
      shell.handleInput('echo "in job $SLURM_JOB_ID"; stty size\r');
      await waitFor('the shell answering', async () => (text().includes(`in job ${jobId}`) ? true : undefined), 60_000, 200);
      // the size after open was held back until the shell had started, then sent: stty sees it
      await waitFor('stty size', async () => (/43 132/.test(text()) ? true : undefined), 20_000, 200);
      assert.doesNotMatch(text(), /accept failure|Interrupted system call/);
      assert.equal(events[0], 'data', `no window change before the shell's first output: ${events.join(', ')}`);
      assert.deepEqual(events.filter((e) => e.startsWith('resize')), ['resize 132x43'], 'only the last size held back is sent');
    } finally {
      shell.close();
    }
  });

  it('says when the shell ends and keeps the terminal (and its text) until a key is pressed', async () => {
    const { shell, text, closed } = openShell();
    shell.handleInput('echo still-here; exit\r');
    await waitFor('the end said', async () => (/has ended/.test(text()) ? true : undefined), 60_000, 200);
    assert.match(text(), /still-here/);
    assert.match(text(), new RegExp(`The shell in job ${jobId} has ended \\(it exited, or the job ended\\)\\. Press any key to close this terminal\\.`));
    assert.equal(closed(), false, 'the terminal stays open, its text readable');
    shell.handleInput('x');
    assert.equal(closed(), true, 'a key closes it');
  });

  it('says so in the terminal when the connection ends it (a disconnect)', async () => {
    const { shell, text, closed } = openShell();
    shell.handleInput('echo ready\r');
    await waitFor('the shell answering', async () => (text().includes('ready') ? true : undefined), 60_000, 200);
    shell.end('Disconnected from lab.');
    assert.match(text(), /Disconnected from lab\. Press any key to close this terminal\./);
    assert.equal(closed(), false);
  });
});
