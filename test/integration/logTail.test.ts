import { strict as assert } from 'node:assert';
import type { TailToPage } from '../../common/logs/protocol';
import type { LogLine } from '../../common/logs/stream';
import type { JobRecord } from '../../common/slurm/jobs';
import { JobService, type HistoryStore } from '../../extension/src/jobs/jobService';
import { JobEndWatch } from '../../extension/src/logs/jobEndWatch';
import { LogTailer, type TailStatus } from '../../extension/src/logs/tailer';
import { TailSession } from '../../extension/src/logs/tailSession';
import { SshConnection } from '../../extension/src/ssh/connection';
import { requireLab, type LabFacts } from '../support/lab';
import { freshKnownHosts, labTarget } from '../support/labTargets';
import { ScriptedPrompter } from '../support/prompter';
import { waitFor } from '../support/wait';

class Collector {
  lines: string[] = [];
  /** Every line delivered, resets or not. */
  seen: string[] = [];
  open: string | undefined;
  resets: string[] = [];
  statuses: TailStatus[] = [];
  listener = {
    lines: (ls: LogLine[], open: LogLine | undefined) => {
      this.lines.push(...ls.map((l) => l.text));
      this.seen.push(...ls.map((l) => l.text));
      this.open = open?.text;
    },
    reset: (reason: string) => {
      this.resets.push(reason);
      this.lines = [];
    },
    status: (s: TailStatus) => this.statuses.push(s),
  };
}

describe('log tail against the lab', function () {
  this.timeout(120_000);
  let lab: LabFacts;
  let conn: SshConnection;
  const tailers: LogTailer[] = [];
  const dir = () => `${lab.home}/hpc-geo-tail`;

  before(async function () {
    lab = requireLab(this);
    conn = await SshConnection.open(labTarget(lab, 'ssh', freshKnownHosts(lab)), new ScriptedPrompter());
    await conn.exec(['mkdir', '-p', dir()]);
  });
  afterEach(() => {
    while (tailers.length) tailers.pop()!.stop();
  });
  after(async () => {
    if (conn) {
      await conn.exec(['rm', '-rf', dir()]);
      conn.end();
    }
  });

  function tail(path: string, c: Collector, lines = 100): LogTailer {
    const t = new LogTailer(conn, path, c.listener, lines);
    tailers.push(t);
    return t;
  }

  it('follows a running job that prints progress, live', async () => {
    const script = `${dir()}/progress.sbatch`;
    await conn.exec(['sh', '-c', 'cat > "$1"', 'sh', script], { stdin: '#!/bin/bash\n#SBATCH --output=progress-%j.out\nfor i in $(seq 1 5); do echo "year 200$i: zonal stats done"; printf "tiles %d%%\\r" $((i*20)); sleep 1; done\necho finished\n' });
    const jobId = (await conn.exec(['sbatch', '--parsable', `--chdir=${dir()}`, script])).stdout.toString().trim();
    const c = new Collector();
    await tail(`${dir()}/progress-${jobId}.out`, c).start();
    await waitFor('finished', async () => (c.lines.includes('finished') ? true : undefined), 60_000, 100);
    assert.deepEqual(c.lines.filter((l) => l.startsWith('year')), ['year 2001: zonal stats done', 'year 2002: zonal stats done', 'year 2003: zonal stats done', 'year 2004: zonal stats done', 'year 2005: zonal stats done']);
    assert.ok(c.lines.every((l) => !l.includes('\r')), 'progress redraws collapsed');
  });

  it('opens the tail of a 200 MB log moving bytes for the lines shown, not for the file', async () => {
    const big = `${dir()}/big.log`;
    await conn.exec(['sh', '-c', 'yes "2026-11-21 08:00:00 INFO tile z14/8123/5412 written (58,000,000 features so far)" | head -c 209715200 > "$1"; printf "\\nthe last line\\n" >> "$1"', 'sh', big], { timeoutMs: 120_000 });
    const c = new Collector();
    const t = tail(big, c, 1000);
    await t.start();
    assert.equal(c.lines.length, 1000);
    assert.equal(c.lines.at(-1), 'the last line');
    assert.ok(t.bytesMoved < 256 * 1024, `moved ${t.bytesMoved} bytes`);
  });

  it('opens a 300 MB log of carriage-return progress bars moving bytes for the lines shown, in bounded memory', async () => {
    const bars = `${dir()}/bars.log`;
    await conn.exec(['sh', '-c', 'yes " 45%|████      | 450/1000 [00:10<00:12, 42.1it/s]" | tr "\\n" "\\r" | head -c 314572800 > "$1"; printf "\\rdone 100%%\\n" >> "$1"', 'sh', bars], { timeoutMs: 120_000 });
    const c = new Collector();
    const t = tail(bars, c, 1000);
    const rss = process.memoryUsage().rss;
    await t.start();
    const grown = process.memoryUsage().rss - rss;
    assert.deepEqual(c.lines, ['done 100%'], 'the redraws collapsed to the last state');
    assert.ok(t.bytesMoved < 256 * 1024, `moved ${t.bytesMoved} bytes`);
    assert.ok(grown < 128 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(0)} MiB`);
  });

  it('opens a 300 MB log that is one line reading no more than 4 MiB, and says what it left out', async () => {
    const one = `${dir()}/oneline.log`;
    await conn.exec(['sh', '-c', 'head -c 314572800 /dev/zero | tr "\\0" x > "$1"; printf "\\nlast\\n" >> "$1"', 'sh', one], { timeoutMs: 120_000 });
    const c = new Collector();
    const t = tail(one, c, 1000);
    await t.start();
    assert.ok(t.bytesMoved <= 4 * 1024 * 1024, `moved ${t.bytesMoved} bytes`);
    assert.equal(c.lines.length, 3, c.lines.map((l) => l.slice(0, 80)).join('\n'));
    assert.equal(c.lines[0], `[… the first ${(314572806 - 4 * 1024 * 1024).toLocaleString('en-US')} bytes of the log are not shown …]`);
    assert.match(c.lines[1]!, /^\[… [\d,]+ characters cut …\] x+$/);
    assert.equal(c.lines[2], 'last');
  });

  it("waits for a log that does not exist yet, without showing tail's own complaint as a line of the log", async () => {
    const later = `${dir()}/later.log`;
    const c = new Collector();
    await tail(later, c).start();
    assert.ok(c.statuses.includes('waiting'));
    // GNU tail first says "tail: cannot open 'X' for reading: No such file or directory": a note, not the log
    const spoke = () => c.statuses.filter((s) => s === 'waiting').length > 1 || c.seen.length > 0;
    await waitFor("tail's note on the missing file", async () => (spoke() ? true : undefined), 20_000, 50);
    await conn.exec(['sh', '-c', 'echo "now it exists" > "$1"', 'sh', later]);
    await waitFor('the first line', async () => (c.lines.includes('now it exists') ? true : undefined), 20_000, 100);
    assert.deepEqual(c.seen, ['now it exists']);
    // its appearance is its start, not a rotation
    assert.ok(!c.resets.some((r) => /replaced/.test(r)), c.resets.join(' | '));
  });

  it('starts over when the log is truncated, and when it is replaced', async () => {
    const log = `${dir()}/rot.log`;
    await conn.exec(['sh', '-c', 'printf "one\\ntwo\\n" > "$1"', 'sh', log]);
    const c = new Collector();
    await tail(log, c).start();
    assert.deepEqual(c.lines, ['one', 'two']);
    await conn.exec(['sh', '-c', ': > "$1"; sleep 0.5; echo fresh >> "$1"', 'sh', log]);
    await waitFor('after truncation', async () => (c.lines.includes('fresh') ? true : undefined), 20_000, 100);
    assert.ok(c.resets.some((r) => /truncated/.test(r)));
    await conn.exec(['sh', '-c', 'mv "$1" "$1.1"; echo rotated > "$1"', 'sh', log]);
    await waitFor('after rotation', async () => (c.lines.includes('rotated') ? true : undefined), 20_000, 100);
    assert.ok(c.resets.some((r) => /replaced/.test(r)));
  });

  it('holds lines back while paused and shows them on resume', async () => {
    const log = `${dir()}/pause.log`;
    await conn.exec(['sh', '-c', 'echo a > "$1"', 'sh', log]);
    const c = new Collector();
    const t = tail(log, c);
    await t.start();
    await waitFor('following', async () => (c.statuses.includes('following') ? true : undefined), 10_000, 50);
    t.pause();
    await conn.exec(['sh', '-c', 'echo b >> "$1"; echo c >> "$1"', 'sh', log]);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(c.lines, ['a'], 'nothing while paused');
    t.resume();
    await waitFor('b and c', async () => (c.lines.join() === 'a,b,c' ? true : undefined), 10_000, 50);
  });

  /** The `tail` processes of the lab user that follow `path` (the pattern's brackets keep pgrep's own shell out). */
  async function remoteTails(path: string): Promise<number> {
    const r = await conn.exec(['pgrep', '-c', '-u', lab.user, '-f', `[t]ail -c .* -F .*${path}`], { allowNonZero: true });
    return Number(r.stdout.toString().trim()) || 0;
  }

  it('a page that says ready again and again follows with one remote tail, shows each line once, and leaves none after dispose', async () => {
    const log = `${dir()}/reload.log`;
    await conn.exec(['sh', '-c', 'echo first > "$1"', 'sh', log]);
    const posted: TailToPage[] = [];
    const session = new TailSession({ path: log, initialLines: 100, source: async () => conn, post: (m) => posted.push(m), warn: () => undefined });
    const shown = () => posted.flatMap((m) => (m.type === 'lines' ? m.lines.map((l) => l.text) : []));
    const following = () => posted.filter((m) => m.type === 'status' && m.status === 'following').length;
    try {
      // VS Code reloads a hidden page when it is shown again: each load says ready; two arrive together
      await Promise.all([session.open(), session.open()]);
      await session.open();
      await session.open();
      await waitFor('the tail to follow', async () => (following() >= 1 ? true : undefined), 20_000, 50);
      await waitFor('one remote tail', async () => ((await remoteTails(log)) === 1 ? true : undefined), 10_000, 100).catch(async (e) => {
        throw new Error(`${await remoteTails(log)} remote tails after four readys (${String(e)})`);
      });
      posted.length = 0;
      await conn.exec(['sh', '-c', 'echo second >> "$1"', 'sh', log]);
      await waitFor('the new line', async () => (shown().includes('second') ? true : undefined), 20_000, 50);
      await conn.exec(['sh', '-c', 'echo third >> "$1"', 'sh', log]);
      await waitFor('the line after', async () => (shown().includes('third') ? true : undefined), 20_000, 50);
      assert.deepEqual(shown(), ['second', 'third'], 'each new line once');
    } finally {
      session.dispose();
    }
    await waitFor('no remote tail after dispose', async () => ((await remoteTails(log)) === 0 ? true : undefined), 10_000, 100).catch(async (e) => {
      throw new Error(`${await remoteTails(log)} remote tails after dispose (${String(e)})`);
    });
  });

  it('a page loaded again after a disconnect gets its lines back and why it stopped, opening nothing (issue 10)', async () => {
    const log = `${dir()}/kept.log`;
    await conn.exec(['sh', '-c', 'printf "one\\ntwo\\nthree\\n" > "$1"', 'sh', log]);
    const posted: TailToPage[] = [];
    let sources = 0;
    const session = new TailSession({ path: log, initialLines: 2, source: async () => (sources++, conn), post: (m) => posted.push(m), warn: () => undefined });
    const shown = () => posted.flatMap((m) => (m.type === 'lines' ? m.lines.map((l) => l.text) : []));
    try {
      await session.open();
      await waitFor('the lines', async () => (shown().includes('three') ? true : undefined), 20_000, 50);
      session.stop('Disconnected from lab: connect again, then Reopen.');
      assert.equal(session.isStopped, true);
      // VS Code reloads the hidden page when it is shown again: a fresh page, the same session
      posted.length = 0;
      session.replay();
      assert.deepEqual(shown(), ['two', 'three'], 'the last initialLines lines it had');
      const last = posted.at(-1) as { type: string; status?: string; detail?: string; bytesMoved?: number };
      assert.deepEqual([last.type, last.status, last.detail], ['status', 'stopped', 'Disconnected from lab: connect again, then Reopen.']);
      assert.ok((last.bytesMoved ?? 0) > 0, 'with the bytes the tail had moved');
      assert.equal(sources, 1, 'no new open, so no login');
      await waitFor('no remote tail while stopped', async () => ((await remoteTails(log)) === 0 ? true : undefined), 10_000, 100);
      // Reopen follows again from the log's end
      await session.open();
      assert.equal(session.isStopped, false);
    } finally {
      session.dispose();
    }
  });

  it("a job's log page hears from the Jobs view's polls that the job ended, and how (FAILED, exit code 3)", async () => {
    const script = `${dir()}/ends.sbatch`;
    await conn.exec(['sh', '-c', 'cat > "$1"', 'sh', script], { stdin: '#!/bin/bash\n#SBATCH --output=ends-%j.out\necho started\nsleep 3\necho "tile z14 failed"\nexit 3\n' });
    const store = new Map<string, JobRecord[]>();
    const history: HistoryStore = { get: (k) => store.get(k), set: async (k, v) => void store.set(k, v) };
    // the Jobs view's service, polling by itself as it does in the extension
    const service = new JobService(async () => conn, history, () => undefined, { historyDays: 1, minIntervalMs: 300, maxIntervalMs: 600, sacctEvery: 1, maxHistory: 100 });
    const jobId = (await conn.exec(['sbatch', '--parsable', `--chdir=${dir()}`, script])).stdout.toString().trim();
    const posted: TailToPage[] = [];
    const session = new TailSession({ path: `${dir()}/ends-${jobId}.out`, initialLines: 100, source: async () => conn, post: (m) => posted.push(m), warn: () => undefined });
    service.watch({ name: 'lab', user: lab.user });
    const watch = new JobEndWatch(service, 'lab', jobId, (job) => posted.push({ type: 'job', job }));
    try {
      await session.open();
      const jobs = () => posted.flatMap((m) => (m.type === 'job' ? [m.job] : []));
      await waitFor('how the job ended', async () => (jobs().some((j) => j.state) ? true : undefined), 90_000, 100);
      assert.deepEqual(jobs()[0], { jobId, ended: false }, 'first in the queue');
      assert.deepEqual(jobs().at(-1), { jobId, ended: true, state: 'FAILED', exitCode: '3:0' });
      assert.ok(jobs().every((j, i) => i === 0 || JSON.stringify(j) !== JSON.stringify(jobs()[i - 1])), 'each change told once');
      const shown = () => posted.flatMap((m) => (m.type === 'lines' ? m.lines.map((l) => l.text) : []));
      await waitFor('the last line', async () => (shown().includes('tile z14 failed') ? true : undefined), 20_000, 100);
      assert.deepEqual(shown(), ['started', 'tile z14 failed'], 'the log as written, beside the news of its job');
    } finally {
      watch.dispose();
      session.dispose();
      service.dispose();
    }
  });
});
