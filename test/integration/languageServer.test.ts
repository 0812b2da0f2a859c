import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeAction, CompletionItem, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { CLUSTER_FACTS_NOTIFICATION } from '../../common/lint/protocol';
import { SBATCH_OPTIONS } from '../../common/sbatch/options';
import { hostileCases } from '../support/hostile';
import { LspTestClient } from '../support/lspClient';
import { repoRoot } from '../support/manifest';
import { waitFor } from '../support/wait';

function applyLsp(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

describe('language server over JSON-RPC (dist/server.js --stdio)', function () {
  this.timeout(30_000);
  let lsp: LspTestClient;
  let ws: string;

  before(async function () {
    if (!existsSync(join(repoRoot, 'dist', 'server.js'))) throw new Error('dist/server.js is missing: run npm run build');
    ws = mkdtempSync(join(tmpdir(), 'hpc-geo-ws-'));
    writeFileSync(join(ws, '.hpc-geo.yaml'), 'defaultProfile: betzy\nrules:\n  missing-time: off\n');
    lsp = new LspTestClient();
    const init = await lsp.initialize(ws);
    assert.ok(init.capabilities.hoverProvider);
    assert.ok(init.capabilities.completionProvider);
  });

  after(async () => {
    await lsp?.close();
    rmSync(ws, { recursive: true, force: true });
  });

  const script = '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --account=nn12037k\n#SBATCH --mem=64G\n#SBATCH --time=4-00:00:00\nsrun hostname\n';

  it('publishes diagnostics on open, with the workspace profile, codes and documentation links', async () => {
    const uri = `file://${ws}/job.sbatch`;
    await lsp.open(uri, 'sbatch', script);
    const diags = await lsp.diagnosticsFor(uri, 1);
    assert.deepEqual(diags.map((d) => d.code), ['mem-forbidden']);
    const d = diags[0]!;
    assert.equal(d.source, 'hpc-lint');
    assert.deepEqual(d.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 17 } });
    assert.ok(existsSync(fileURLToPath(d.codeDescription!.href)), d.codeDescription!.href);
  });

  it('offers the fix, disable comments and the documentation, and the fix clears the diagnostic', async () => {
    const uri = `file://${ws}/job.sbatch`;
    const diags = await lsp.diagnosticsFor(uri, 1);
    const actions = await lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diags[0]!.range, context: { diagnostics: diags } });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Remove --mem'), titles.join(' | '));
    assert.ok(titles.includes('Disable mem-forbidden for this line'));
    assert.ok(titles.includes('Disable mem-forbidden for this file'));
    assert.ok(titles.includes('Show documentation for mem-forbidden'));
    const fix = actions.find((a) => a.title === 'Remove --mem')!;
    const fixed = applyLsp(script, fix.edit!.changes![uri]!);
    assert.ok(!fixed.includes('--mem'));
    // send the edit as the client would: a full-text change, version 2
    await lsp.change(uri, 2, [{ text: fixed }]);
    assert.deepEqual(await lsp.diagnosticsFor(uri, 2), []);
  });

  it('follows incremental edits', async () => {
    const uri = `file://${ws}/inc.sbatch`;
    await lsp.open(uri, 'sbatch', script);
    await lsp.diagnosticsFor(uri, 1);
    // turn --mem=64G into --mem-per-cpu=2G by a ranged change on line 3
    await lsp.change(uri, 2, [{ range: { start: { line: 3, character: 8 }, end: { line: 3, character: 17 } }, text: '--time=1:30' }]);
    const codes = (await lsp.diagnosticsFor(uri, 2)).map((d) => d.code).sort();
    assert.deepEqual(codes, ['ambiguous-time', 'duplicate-option']);
  });

  it('disables a rule for one line with a comment', async () => {
    const uri = `file://${ws}/disabled.sbatch`;
    await lsp.open(uri, 'sbatch', script.replace('#SBATCH --mem=64G', '# hpc-lint disable=mem-forbidden\n#SBATCH --mem=64G'));
    assert.deepEqual(await lsp.diagnosticsFor(uri, 1), []);
  });

  it('offers fix-all as a source action', async () => {
    const uri = `file://${ws}/many.sbatch`;
    const text = '#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --account=x\n#SBATCH --mem=8GB\n#SBATCH --time=2:00\n#SBATCH --part=normal\nsrun x\n';
    await lsp.open(uri, 'sbatch', text);
    const diags = await lsp.diagnosticsFor(uri, 1);
    assert.ok(diags.length >= 3, JSON.stringify(diags.map((d) => d.code)));
    const actions = await lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.equal(actions.length, 1);
    const fixed = applyLsp(text, actions[0]!.edit!.changes![uri]!);
    await lsp.change(uri, 2, [{ text: fixed }]);
    const left = (await lsp.diagnosticsFor(uri, 2)).filter((d) => d.code !== 'unknown-option');
    assert.deepEqual(left.map((d) => d.code), [], fixed);
  });

  it('explains an option on hover, with the profile\'s limits', async () => {
    const uri = `file://${ws}/hover.sbatch`;
    await lsp.open(uri, 'sbatch', script);
    await lsp.diagnosticsFor(uri, 1);
    const time = await lsp.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 10 } });
    const text = (time.contents as { value: string }).value;
    assert.match(text, /\*\*--time\*\*/);
    assert.match(text, /betzy.*normal.*at most 4-00:00:00/);
    const mem = await lsp.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 15 } });
    assert.match((mem.contents as { value: string }).value, /forbidden/);
  });

  it('completes option names and partition values from the profile', async () => {
    const uri = `file://${ws}/complete.sbatch`;
    const text = '#!/bin/bash\n#SBATCH --part\n#SBATCH --partition=\nsrun x\n';
    await lsp.open(uri, 'sbatch', text);
    await lsp.diagnosticsFor(uri, 1);
    const names = await lsp.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 14 } });
    assert.ok(names.some((c) => c.label === '--partition'));
    const values = await lsp.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 20 } });
    assert.deepEqual(values.map((c) => c.label).sort(), ['accel', 'normal']);
  });

  // Item 15 of issue 10. `visible` stands in for the editor's filter: an item shows when the text
  // of its range before the cursor starts its filterText (VS Code matches fuzzily; a prefix is stricter).
  const lineOf = (text: string, line: number) => text.split('\n')[line]!;
  const visible = (items: CompletionItem[], text: string, pos: { line: number; character: number }) =>
    items.filter((c) => {
      const e = c.textEdit as TextEdit;
      return (c.filterText ?? c.label).startsWith(lineOf(text, pos.line).slice(e.range.start.character, pos.character));
    });
  const complete = async (uri: string, text: string, line: number, character = lineOf(text, line).length) => {
    await lsp.change(uri, ++versions[uri]!, [{ text }]);
    return lsp.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } });
  };
  const versions: Record<string, number> = {};
  const openForCompletion = async (name: string, text: string) => {
    const uri = `file://${ws}/${name}`;
    versions[uri] = 1;
    await lsp.open(uri, 'sbatch', text);
    await lsp.diagnosticsFor(uri, 1);
    return uri;
  };
  const accept = (text: string, item: CompletionItem) => applyLsp(text, [item.textEdit as TextEdit]);

  it('completion: accepting an option gives --partition= and asks for its values; an = typed after it, or one already there, never doubles', async () => {
    const text = '#!/bin/bash\n#SBATCH --part\nsrun x\n';
    const uri = await openForCompletion('equals.sbatch', text);
    const partition = (await complete(uri, text, 1)).find((c) => c.label === '--partition')!;
    assert.equal(partition.command?.command, 'editor.action.triggerSuggest');
    const accepted = accept(text, partition);
    assert.equal(lineOf(accepted, 1), '#SBATCH --partition=');
    // the user types `=` by habit: the values still show, and taking one removes the extra `=`
    const typed = accepted.replace('--partition=', '--partition==');
    const values = visible(await complete(uri, typed, 1), typed, { line: 1, character: lineOf(typed, 1).length });
    assert.deepEqual(values.map((c) => c.label).sort(), ['accel', 'normal']);
    assert.equal(lineOf(accept(typed, values.find((c) => c.label === 'normal')!), 1), '#SBATCH --partition=normal');
    // completing a name that already has its `=value`
    const middle = '#!/bin/bash\n#SBATCH --part=normal\nsrun x\n';
    const item = (await complete(uri, middle, 1, '#SBATCH --part'.length)).find((c) => c.label === '--partition')!;
    assert.equal(lineOf(accept(middle, item), 1), '#SBATCH --partition=normal');
  });

  it('completion: the options people use first come first, then the rest alphabetically', async () => {
    const text = '#!/bin/bash\n#SBATCH --\nsrun x\n';
    const uri = await openForCompletion('order.sbatch', text);
    const items = await complete(uri, text, 1);
    const order = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((c) => c.label);
    assert.deepEqual(order.slice(0, 10), ['--time', '--mem', '--cpus-per-task', '--nodes', '--ntasks', '--partition', '--account', '--array', '--output', '--gpus']);
    const rest = order.slice(10);
    assert.deepEqual(rest, [...rest].sort());
  });

  it('completion: every option\'s value position offers only values hpc-lint accepts, never an empty list (an editor would fill it with words of open files)', async () => {
    const body = "srun python3 finalize.py --tile 33LWF\nprintf '#%.0s' 1 2\n";
    const uri = await openForCompletion('values.sbatch', `#!/bin/bash\n#SBATCH --\n${body}`);
    const offered: string[] = [];
    for (const o of SBATCH_OPTIONS.filter((x) => x.arg === 'required' && !['help', 'usage', 'version', 'wrap'].includes(x.name))) {
      const text = `#!/bin/bash\n#SBATCH --${o.name}=\n${body}`;
      const items = await complete(uri, text, 1);
      assert.ok(items.length > 0, `--${o.name}= got no items`);
      for (const c of items) {
        assert.ok(!/33LWF|\.0s/.test(c.label), `--${o.name}: ${c.label}`);
        const edit = c.textEdit as TextEdit;
        if (edit.newText !== '' && !edit.newText.startsWith('=') && o.kind !== 'dependency') offered.push(`#SBATCH --${o.name}=${edit.newText}`);
      }
    }
    // each offered value, linted: no invalid value
    const check = `file://${ws}/values-check.sbatch`;
    const text = `#!/bin/bash\n${offered.join('\n')}\nsrun x\n`;
    await lsp.open(check, 'sbatch', text);
    const bad = (await lsp.diagnosticsFor(check, 1)).filter((d) => /^invalid-|^ambiguous-time$/.test(String(d.code)));
    assert.deepEqual(bad.map((d) => `${lineOf(text, d.range.start.line)}: ${String(d.code)}`), []);
    assert.ok(offered.length > 50, String(offered.length));
  });

  it('completion: partitions of the connected cluster (hpcGeo/clusterFacts from the extension\'s sinfo), by the cluster comment or as the one connected cluster', async () => {
    const facts = (cluster: string, connected: boolean, partitions: { name: string; maxTime?: string; default?: boolean }[]) => lsp.connection.sendNotification(CLUSTER_FACTS_NOTIFICATION, { cluster, connected, partitions });
    await facts('lab', true, [{ name: 'normal', maxTime: '2-00:00:00', default: true }, { name: 'debug', maxTime: '30:00' }]);
    const named = '#!/bin/bash\n# hpc-geo: cluster=lab\n#SBATCH --partition=\nsrun x\n';
    const uri = await openForCompletion('facts.sbatch', named);
    const values = await complete(uri, named, 2);
    assert.deepEqual(values.map((c) => c.label).sort(), ['debug', 'long', 'normal', 'wide']);
    assert.match(values.find((c) => c.label === 'debug')!.detail ?? '', /00:30:00.*sinfo on lab/);
    // no comment: the workspace's profile (betzy) and the one connected cluster
    const plain = '#!/bin/bash\n#SBATCH --partition=\nsrun x\n';
    assert.deepEqual((await complete(uri, plain, 1)).map((c) => c.label).sort(), ['accel', 'debug', 'normal']);
    // two connected: which one is not known, so only the profile's
    await facts('saga', true, [{ name: 'bigmem' }]);
    assert.deepEqual((await complete(uri, plain, 1)).map((c) => c.label).sort(), ['accel', 'normal']);
    // disconnected: gone
    await facts('saga', false, []);
    await facts('lab', false, []);
    assert.deepEqual((await complete(uri, named, 2)).map((c) => c.label).sort(), ['long', 'normal', 'wide']);
  });

  it('lints shell scripts only when they carry #SBATCH', async () => {
    const plain = `file://${ws}/plain.sh`;
    await lsp.open(plain, 'shellscript', '#!/bin/bash\necho $((1+1)) | tee x\n');
    assert.deepEqual(await lsp.diagnosticsFor(plain, 1), []);
    const job = `file://${ws}/job.sh`;
    await lsp.open(job, 'shellscript', '#!/bin/bash\n#SBATCH --mem=1GiB\nsrun x\n');
    assert.ok((await lsp.diagnosticsFor(job, 1)).some((d) => d.code === 'invalid-memory'));
  });

  it('lints Apptainer definition files', async () => {
    const uri = `file://${ws}/fields.def`;
    await lsp.open(uri, 'apptainer', readFileSync(join(repoRoot, 'test/fixtures/seeds/fields.bad.def'), 'utf8'));
    const d = await lsp.diagnosticsFor(uri, 1);
    assert.deepEqual(d.map((x) => [x.code, x.range.start.line]), [['pip-externally-managed', 9]]);
  });

  it('reports a byte-order mark that the editor keeps out of the text (VS Code: "UTF-8 with BOM"), and no more once saved without', async () => {
    const file = join(ws, 'bom.sbatch');
    const text = '#!/bin/bash\n#SBATCH --time=01:00:00\nsrun hostname\n';
    writeFileSync(file, `\uFEFF${text}`);
    const uri = `file://${file}`;
    await lsp.open(uri, 'sbatch', text);
    const d = (await lsp.diagnosticsFor(uri, 1)).filter((x) => x.code === 'missing-shebang');
    assert.deepEqual(d.map((x) => [x.code, x.range.start, x.range.end]), [['missing-shebang', { line: 0, character: 0 }, { line: 0, character: 2 }]]);
    assert.match(String(d[0]!.message), /saved with a byte-order mark.*"Save with Encoding", then "UTF-8"/);
    // "Save with Encoding → UTF-8" writes the same text without the mark: the save lints it again
    writeFileSync(file, text);
    lsp.diagnostics.delete(uri);
    await lsp.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    assert.deepEqual((await lsp.diagnosticsFor(uri, 1)).filter((x) => x.code === 'missing-shebang'), []);
    // UTF-16, which VS Code decodes too ("UTF-16 LE" in the status bar)
    const u16 = join(ws, 'u16.sbatch');
    writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await lsp.open(`file://${u16}`, 'sbatch', text);
    const w = (await lsp.diagnosticsFor(`file://${u16}`, 1)).filter((x) => x.code === 'missing-shebang');
    assert.match(String(w[0]?.message), /^The file is saved as UTF-16 LE .*click "UTF-16 LE" in the status bar/);
  });

  it('reports a broken .hpc-geo.yaml on the file itself, at the line and column', async () => {
    const uri = `file://${ws}/.hpc-geo.yaml`;
    const before = lsp.published.length;
    await lsp.open(uri, 'yaml', 'defaultProfile: betzy\nprofiles:\n  mine:\n    mem: sometimes\n');
    const d = await lsp.diagnosticsFor(uri);
    assert.equal(d[0]?.code, 'config-error');
    assert.deepEqual(d[0]?.range.start, { line: 3, character: 9 });
    assert.match(d[0]?.codeDescription?.href ?? '', /docs\/rules\/config-error\.md$/);
    // VS Code asks the server for code actions and hovers on the open file too: they must not
    // replace its problems with an empty set (they did: the problems vanished from the Problems panel)
    const range = { start: { line: 3, character: 9 }, end: { line: 3, character: 9 } };
    assert.deepEqual(await lsp.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } }), []);
    assert.equal(await lsp.request('textDocument/hover', { textDocument: { uri }, position: range.start }), null);
    await lsp.change(uri, 2, [{ text: 'defaultProfile: betzy\nrules:\n  gpu-contianer-without-flag: off\n' }]);
    await waitFor('the edited file\'s problems', async () => (lsp.diagnostics.get(uri)?.diagnostics[0]?.code === 'unknown-rule-id' ? true : undefined), 10_000);
    await lsp.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } });
    await new Promise((done) => setTimeout(done, 300));
    assert.deepEqual(lsp.published.slice(before).filter((p) => p.uri === uri).map((p) => p.diagnostics.map((x) => x.code).join(',')).filter((c) => !c), [], 'never an empty set for the file');
    assert.equal(lsp.diagnostics.get(uri)?.diagnostics[0]?.code, 'unknown-rule-id');
  });

  it('survives binary content and a huge document', async () => {
    const bin = `file://${ws}/bin.sbatch`;
    await lsp.open(bin, 'sbatch', '\u0000\u0001\u0002ELF');
    assert.equal((await lsp.diagnosticsFor(bin, 1))[0]?.code, 'binary-file');
    // VS Code opens a script with a NUL byte "anyway" only as Binary: by its name it is still a script
    const opened = `file://${ws}/opened-anyway.sbatch`;
    await lsp.open(opened, 'code-text-binary', '#!/bin/bash\nsrun host\u0000name\n');
    assert.deepEqual((await lsp.diagnosticsFor(opened, 1)).map((d) => [d.code, d.range.start]), [['binary-file', { line: 1, character: 9 }]]);
    const other = `file://${ws}/image.png`;
    await lsp.open(other, 'code-text-binary', '\u0089PNG\u0000');
    assert.deepEqual(await lsp.diagnosticsFor(other, 1), [], 'another binary file is no script');
    const big = `file://${ws}/big.sbatch`;
    await lsp.open(big, 'sbatch', `#!/bin/bash\n${'echo x\n'.repeat(900_000)}`);
    assert.equal((await lsp.diagnosticsFor(big, 1, 20_000))[0]?.code, 'file-too-large');
    assert.deepEqual(lsp.stderr.filter((l) => /Error|exception/i.test(l)), []);
  });

  // each took 8–80 s before the fix and blocked every other document meanwhile
  const pathological = `#!/bin/bash\n#SBATCH --time=2h\n${'|'.repeat(100_000)}\n`;

  it('publishes an ordinary document\'s diagnostics promptly while a pathological one is linted', async () => {
    const slow = `file://${ws}/pipes.sbatch`;
    const plain = `file://${ws}/plain.sbatch`;
    await lsp.open(slow, 'sbatch', pathological);
    await lsp.open(plain, 'sbatch', script);
    // a hang guard (one bounded lint is about 1 s), not a speed figure
    assert.deepEqual((await lsp.diagnosticsFor(plain, 1, 5000)).map((d) => d.code), ['mem-forbidden']);
    const codes = (await lsp.diagnosticsFor(slow, 1, 5000)).map((d) => d.code);
    assert.ok(codes.includes('too-complex') && codes.includes('invalid-time'), codes.join(' '));
  });

  it('lints only the newest version: edits that arrive during a long lint make its result stale, never published', async () => {
    const uri = `file://${ws}/edited.sbatch`;
    await lsp.open(uri, 'sbatch', script);
    await lsp.diagnosticsFor(uri, 1);
    await lsp.change(uri, 2, [{ text: pathological }]);
    // a hover lints the version it sees at once; the edits behind it arrive while that lint runs
    const hovered = lsp.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    const end = { line: pathological.split('\n').length - 1, character: 0 };
    for (let v = 3; v <= 10; v++) await lsp.change(uri, v, [v < 10 ? { range: { start: end, end }, text: `# ${v}` } : { text: script }]);
    await hovered;
    assert.deepEqual((await lsp.diagnosticsFor(uri, 10, 8000)).map((d) => d.code), ['mem-forbidden']);
    // what is guaranteed: never an older version after a newer one, the newest last, and at most the
    // long lint's own version in between (when it ended before the server had read the next edit,
    // which a busy machine can make happen; usually none is published: [1, 10])
    const versions = lsp.published.filter((p) => p.uri === uri).map((p) => p.version!);
    assert.deepEqual(versions.filter((v) => v !== 2), [1, 10], JSON.stringify(versions));
    assert.deepEqual([...versions].sort((a, b) => a - b), versions, `in order: ${JSON.stringify(versions)}`);
  });

  it('lints every generated hostile case without a crash, with ranges inside the document', async function () {
    this.timeout(120_000);
    const cases = hostileCases();
    for (const [i, c] of cases.entries()) {
      const uri = `file://${ws}/hostile-${i}.sbatch`;
      await lsp.open(uri, 'sbatch', c.text);
      const lines = c.text.split('\n');
      const diags = await lsp.diagnosticsFor(uri, 1, 10_000);
      for (const d of diags) {
        assert.ok(d.range.end.line < lines.length && d.range.start.character <= lines[d.range.start.line]!.length && d.range.end.character <= lines[d.range.end.line]!.length, `${c.name}: ${String(d.code)} outside the document`);
        assert.notEqual(d.code, 'internal-error', `${c.name}: ${d.message}`);
      }
      await lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
    assert.deepEqual(lsp.stderr.filter((l) => /Error|exception/i.test(l)), []);
  });
});
