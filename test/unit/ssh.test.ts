import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promptLabel } from '../../extension/src/ssh/connection';
import { appendKnownHost, checkHostKey, fingerprint, hostFieldMatches, knownHostName, keyType } from '../../extension/src/ssh/knownHosts';
import { commandLine, quoteArg, REMOTE_DECODER, remoteCommand } from '../../extension/src/ssh/quote';
import { hostileArgs } from '../support/hostileArgs';
import { inlineIncludes, SshConfigFile } from '../../extension/src/ssh/sshConfig';
import { ClusterList } from '../../extension/src/clusters/clusters';

describe('shell quoting', () => {
  it('quotes every argument so that sh reads it back unchanged', () => {
    const args = ['plain', '', "it's", 'a b', '$(rm -rf ~)', '`id`', 'x;y', '\n', 'é🌍', "'", "''", '\\', '*', '-n'];
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${args.map(quoteArg).join(' ')}`]);
    assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), args);
  });

  it('sends a remote command that every login shell passes to /bin/sh unchanged', () => {
    // sshd runs `$SHELL -c <command>`: the part the login shell reads holds nothing it treats specially
    assert.doesNotMatch(REMOTE_DECODER, /['\\!\n]/);
    assert.match(remoteCommand(['printf', "x\\'; touch P; echo '"]), /^\/bin\/sh -c '[^']*' sh [0-9a-f ]+$/);
    const args = hostileArgs(300, 'hpc-geo-unit-canary');
    const shells = ['sh', 'bash', 'tcsh', 'fish', 'zsh'].filter((sh) => spawnSync(sh, ['-c', 'true']).status === 0);
    assert.ok(shells.includes('sh'));
    for (const sh of shells) {
      const cwd = mkdtempSync(join(tmpdir(), 'q-'));
      const out = execFileSync(sh, ['-c', remoteCommand(['printf', '%s\\0', ...args])], { cwd });
      assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), args, sh);
      assert.ok(!existsSync(join(cwd, 'hpc-geo-unit-canary')), `${sh} executed nothing`);
    }
  });

  it('leaves plainly safe words bare and refuses an empty command', () => {
    assert.equal(commandLine(['squeue', '-h', '--format=%i|%T', '-u', 'me@x']), "squeue -h '--format=%i|%T' -u me@x");
    assert.throws(() => commandLine([]));
  });
});

describe('known_hosts', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const other = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 9)]);

  it('names non-22 ports in brackets and reads the key type', () => {
    assert.equal(knownHostName('betzy.sigma2.no', 22), 'betzy.sigma2.no');
    assert.equal(knownHostName('10.0.0.1', 2222), '[10.0.0.1]:2222');
    assert.equal(keyType(blob), 'ssh-ed25519');
    assert.match(fingerprint(blob), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('matches patterns, negations and hashed names', () => {
    assert.ok(hostFieldMatches('*.sigma2.no,!login-3.sigma2.no', 'betzy.sigma2.no'));
    assert.ok(!hostFieldMatches('*.sigma2.no,!login-3.sigma2.no', 'login-3.sigma2.no'));
    assert.ok(hostFieldMatches('[127.0.0.1]:22220', '[127.0.0.1]:22220'));
    assert.ok(!hostFieldMatches('[127.0.0.1]:22220', '1:22220'));
    assert.ok(hostFieldMatches('login-?.SIGMA2.no', 'login-3.sigma2.no'), '? and case');
    assert.ok(!hostFieldMatches('login-?.sigma2.no', 'login-12.sigma2.no'));
    assert.ok(hostFieldMatches('*', 'anything') && hostFieldMatches('a*b*c', 'aXbYc') && !hostFieldMatches('a*b*c', 'aXbY'));
    assert.ok(hostFieldMatches('10.0.*.1', '10.0.7.1') && !hostFieldMatches('10.0.*.1', '10.0.7.10'), 'dots are literal');
    const dir = mkdtempSync(join(tmpdir(), 'kh-'));
    appendKnownHost(join(dir, 'kh'), 'saga.sigma2.no', 22, blob, true);
    const field = readFileSync(join(dir, 'kh'), 'utf8').split(' ')[0]!;
    assert.ok(hostFieldMatches(field, 'saga.sigma2.no'));
    assert.ok(!hostFieldMatches(field, 'betzy.sigma2.no'));
  });

  it('tells match, unknown, changed and revoked apart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-'));
    const f = join(dir, 'known_hosts');
    writeFileSync(f, `# comment\nbetzy ssh-ed25519 ${blob.toString('base64')}\nsaga ssh-rsa AAAAB3NzaC1yc2E=\n@revoked lumi ssh-ed25519 ${other.toString('base64')}\n`);
    assert.equal(checkHostKey([f], 'betzy', 22, blob).status, 'match');
    assert.equal(checkHostKey([f], 'betzy', 22, other).status, 'changed');
    assert.deepEqual(checkHostKey([f], 'saga', 22, blob), { status: 'unknown', otherTypes: ['ssh-rsa'] });
    assert.equal(checkHostKey([f], 'lumi', 22, other).status, 'revoked');
    assert.equal(checkHostKey([join(dir, 'missing')], 'betzy', 22, blob).status, 'unknown');
  });
});

describe('~/.ssh/config', () => {
  function home(config: string, files: Record<string, string> = {}): string {
    const h = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(h, '.ssh'));
    writeFileSync(join(h, '.ssh', 'config'), config);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(h, '.ssh', name, '..'), { recursive: true });
      writeFileSync(join(h, '.ssh', name), text);
    }
    return h;
  }

  it('resolves a host as OpenSSH does: first value wins, tokens, defaults', () => {
    const h = home('Host betzy\n  HostName login-%h.sigma2.no\n  User digifarm\n  IdentityFile ~/.ssh/id_%r\nHost *\n  User nobody\n  ServerAliveInterval 60\n  StrictHostKeyChecking yes\n');
    const c = SshConfigFile.read(undefined, { home: h, localUser: 'me' });
    const t = c.target('betzy');
    assert.equal(t.host, 'login-betzy.sigma2.no');
    assert.equal(t.user, 'digifarm');
    assert.equal(t.port, 22);
    assert.deepEqual(t.identityFiles, [join(h, '.ssh', 'id_digifarm')]);
    assert.equal(t.keepaliveSeconds, 60);
    assert.equal(t.strictHostKeyChecking, 'yes');
    const plain = c.target('me2@other.example:2200');
    assert.deepEqual([plain.user, plain.host, plain.port], ['me2', 'other.example', 2200]);
    assert.equal(plain.keepaliveSeconds, 60, 'Host * applies');
  });

  it('inlines Include files with globs, and lists aliases without wildcards', () => {
    const h = home('Include conf.d/*.conf\nHost saga\n  HostName saga.sigma2.no\n', { 'conf.d/a.conf': 'Host lumi\n  HostName lumi.csc.fi\n', 'conf.d/b.conf': 'Host *.internal\n  User x\n' });
    const c = SshConfigFile.read(undefined, { home: h, localUser: 'me' });
    assert.deepEqual(c.aliases(), ['lumi', 'saga']);
    assert.equal(c.target('lumi').host, 'lumi.csc.fi');
  });

  it('resolves a ProxyJump chain through the config, and refuses a loop', () => {
    const h = home('Host gw\n  HostName gw.example\n  User u\nHost inner\n  HostName 10.1.2.3\n  ProxyJump gw,me@mid:2022\nHost a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
    const c = SshConfigFile.read(undefined, { home: h, localUser: 'me' });
    assert.deepEqual(c.target('inner').jumps.map((j) => `${j.user}@${j.host}:${j.port}`), ['u@gw.example:22', 'me@mid:2022']);
    assert.throws(() => c.target('a'), /loop/);
  });
});

describe('the cluster list', () => {
  it('is read again only when the settings, the ssh config, an Include\'d file or an Include\'s folder changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcgeo-clusters-'));
    const config = join(dir, 'config');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(config, `Include ${dir}/conf.d/*.conf\nHost saga\n  HostName saga.sigma2.no\n`);
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'Host betzy\n  HostName betzy.sigma2.no\n');
    const list = new ClusterList();
    const names = (r: { clusters: { name: string }[] }) => r.clusters.map((c) => c.name).filter((n) => n !== 'local');
    const touch = (f: string, s: number) => utimesSync(f, s, s);
    const first = list.get([], config);
    assert.deepEqual(names(first), ['betzy', 'saga']);
    assert.equal(list.get([], config).clusters, first.clusters, 'nothing changed: the same list, not read again');

    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'Host betzy lumi\n  User me\n');
    touch(join(dir, 'conf.d', 'a.conf'), 1_000_000);
    assert.deepEqual(names(list.get([], config)), ['betzy', 'lumi', 'saga'], "an Include'd file changed");

    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'Host fram\n');
    touch(join(dir, 'conf.d'), 2_000_000);
    assert.deepEqual(names(list.get([], config)), ['betzy', 'lumi', 'fram', 'saga'], 'a file was added to the folder of an Include glob');

    const bad = [{ name: 'x' }] as unknown as Parameters<ClusterList['get']>[0];
    assert.equal(list.get(bad, config).problems.length, 1, 'the settings changed: read again, with its problem');
    assert.deepEqual(list.get(bad, config).problems, [], 'the same problem is not said again at every ask');
  });
});

describe('the local runner', () => {
  it('reads files without blocking the event loop (a hung NFS mount), and within a deadline', function () {
    this.timeout(30_000); // a hang guard: the child is given 15 s for what takes milliseconds
    const dir = mkdtempSync(join(tmpdir(), 'local-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]); // opening it for reading blocks until a writer comes, as a hung mount does
    const script = `
      const { LocalRunner } = require(${JSON.stringify(join(__dirname, '..', '..', 'extension', 'src', 'ssh', 'local.ts'))});
      const { openSync, writeSync, closeSync } = require('node:fs');
      const r = new LocalRunner();
      const fifo = ${JSON.stringify(fifo)};
      (async () => {
        const timedOut = await r.readRange(fifo, 0, 5, { timeoutMs: 500 }).then(() => 'read', (e) => e.message);
        let loopRan = false;
        const read = r.readRange(fifo, 0, 5).then(() => 'settled', () => 'settled'); // a pipe cannot be read at an offset: an error, but an answer
        await new Promise((done) => setImmediate(done)); // the event loop runs while the open waits
        loopRan = true;
        // a writer, held open until the second read has settled: both waiting opens go on, even one
        // that a loaded machine's worker thread only reaches after the first (a writer that closed
        // at once would leave that open waiting for ever)
        const writer = openSync(fifo, 'w');
        writeSync(writer, 'hello');
        const settled = await read;
        closeSync(writer);
        console.log(JSON.stringify({ timedOut, loopRan, read: settled }));
        process.exit(0);
      })();`;
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(run.status, 0, `the child finished (signal ${run.signal}): ${run.stderr}`);
    assert.deepEqual(JSON.parse(run.stdout), { timedOut: `read of ${fifo} on this machine did not answer within 1 s (the file system may hang there).`, loopRan: true, read: 'settled' });
  });
});


describe('hostile inputs to the SSH layer (generated, issue 15)', () => {
  // each case: a name, and a function that must finish within the budget without throwing
  const BUDGET_MS = 2000; // a hang guard: every case takes milliseconds; the quadratic ones took seconds to minutes
  const big = 200_000;
  const corpus: [string, () => void][] = [];
  for (const n of [1000, big]) {
    corpus.push([`a prompt ending in ${n} ": " then a letter`, () => assert.ok(promptLabel(`Code${': '.repeat(n)}x`).endsWith('x'))]);
    corpus.push([`a prompt of ${n} colons and spaces`, () => assert.equal(promptLabel(': '.repeat(n)), 'login')]);
    corpus.push([`an Include line with ${n} spaces before its argument`, () => assert.deepEqual(SshConfigFile.read(undefined, fakeHome(`Include${' '.repeat(n)}none-such-${n}\nHost a\n`)).aliases(), ['a'])]);
    corpus.push([`an Include line of ${n} "= " pairs`, () => assert.deepEqual(SshConfigFile.read(undefined, fakeHome(`include${'= '.repeat(n)}\nHost b\n`)).aliases(), ['b'])]);
    corpus.push([`a config line of ${n} spaces and tabs`, () => assert.deepEqual(SshConfigFile.read(undefined, fakeHome(`${' \t'.repeat(n)}\nHost c\n`)).aliases(), ['c'])]);
    corpus.push([`an argument of ${n} quotes, backslashes and fish escapes`, () => {
      const arg = "\\'".repeat(n / 2);
      const cmd = remoteCommand(['printf', '%s', arg]);
      assert.ok(cmd.length < REMOTE_DECODER.length + 50 + 2.01 * commandLine(['printf', '%s', arg]).length, 'hex: twice the command line, and the hex words');
      assert.match(cmd, /^\/bin\/sh -c '[^']*' sh [0-9a-f ]+$/);
    }]);
  }

  // known_hosts patterns and Include globs: `*` and `?` were made into `.*` and `.` of a RegExp
  corpus.push(['a known_hosts pattern of three stars against a 3,000-letter name', () => assert.equal(hostFieldMatches('*a*a*a*b', 'a'.repeat(3000)), false)]);
  corpus.push(['a known_hosts pattern of 500 stars and question marks', () => assert.equal(hostFieldMatches('*?'.repeat(500) + 'x', 'y'.repeat(3000)), false)]);
  corpus.push(['an Include glob of many stars against a long file name', () => {
    const h = fakeHome('');
    writeFileSync(join(h.home, '.ssh', 'a'.repeat(200)), 'Host g\n');
    assert.deepEqual(SshConfigFile.read(undefined, { ...h }).aliases(), []);
    assert.equal(inlineIncludes(`Include ${'*a'.repeat(4)}b\n`, h), '\n');
  }]);

  function fakeHome(config: string): { home: string; localUser: string } {
    const h = mkdtempSync(join(tmpdir(), 'hostile-home-'));
    mkdirSync(join(h, '.ssh'));
    writeFileSync(join(h, '.ssh', 'config'), config);
    return { home: h, localUser: 'me' };
  }

  it('finishes every case within its budget, without a crash, in bounded memory', () => {
    const heap = process.memoryUsage().heapUsed;
    for (const [name, run] of corpus) {
      const t = performance.now();
      run();
      const ms = performance.now() - t;
      if (process.env.HOSTILE_TIMES) console.log(`${Math.round(ms)} ms  ${name}`);
      assert.ok(ms < BUDGET_MS, `${name}: ${Math.round(ms)} ms`);
    }
    assert.ok(process.memoryUsage().heapUsed - heap < 512 * 1024 * 1024, 'memory bounded');
  });
});
