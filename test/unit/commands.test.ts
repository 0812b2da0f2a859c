import { strict as assert } from 'node:assert';
import { emptyRecord, fakeExtensionContext, installVscodeStub, type StubRecord } from '../support/vscodeStub';
import { readManifest } from '../support/manifest';
import { lostRow, rowMenuCommands } from '../../extension/src/commands/rows';

describe('commands', () => {
  const manifest = readManifest();
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  let record: StubRecord;
  let uninstall: () => void;
  let ext: { activate(ctx: unknown): void; deactivate(): void };
  let context: ReturnType<typeof fakeExtensionContext>;

  before(() => {
    record = emptyRecord();
    uninstall = installVscodeStub(record);
    ext = require('../../extension/src/extension');
    context = fakeExtensionContext();
    ext.activate(context);
  });

  after(() => {
    ext.deactivate();
    uninstall();
  });

  it('activates without showing an error', () => {
    assert.deepEqual(record.errors, []);
    assert.deepEqual(record.treeViews, ['hpcGeo.jobs', 'hpcGeo.partitions']);
  });

  it('registers every command package.json declares, and no other', () => {
    const registered = [...record.commands.keys()].sort();
    assert.deepEqual(registered, declared);
  });

  it('gives every declared command a title in the HPC Geo category', () => {
    for (const c of manifest.contributes.commands) {
      assert.ok(c.title, `${c.command} has no title`);
      assert.match(c.command, /^hpcGeo\.[a-z][A-Za-z]+$/, `${c.command} is not named hpcGeo.verbNoun`);
    }
  });

  it('refers only to declared commands from menus and welcome views', () => {
    const referenced = new Set<string>();
    for (const items of Object.values(manifest.contributes.menus ?? {})) for (const i of items) referenced.add(i.command);
    for (const w of manifest.contributes.viewsWelcome ?? []) {
      for (const m of w.contents.matchAll(/\(command:([\w.]+)/g)) referenced.add(m[1]!);
    }
    for (const id of referenced) assert.ok(declared.includes(id), `${id} is referenced but not declared`);
  });

  it('runs a command through the error path without throwing', async () => {
    const showLog = record.commands.get('hpcGeo.showLog')!;
    await showLog();
    assert.deepEqual(record.errors, []);
  });

  it('disposes what it registered on deactivate', () => {
    ext.deactivate();
    assert.equal(record.commands.size, 0);
    ext.activate(context); // for after()
  });
});

describe('a row command whose row changed while its menu was open (issue 10)', () => {
  it('is told apart from the palette (no argument) and from a row (the row)', () => {
    assert.equal(lostRow([]), false, 'the Command Palette passes nothing');
    assert.equal(lostRow([{ type: 'job', cluster: 'lab' }]), false);
    assert.equal(lostRow([undefined, []]), true, 'VS Code passes undefined for a row it no longer knows');
  });
  it('applies to the row menus\' commands, not to title-bar actions (those get no row)', () => {
    const rows = rowMenuCommands(readManifest().contributes.menus as never);
    assert.ok(rows.has('hpcGeo.cancelJob') && rows.has('hpcGeo.copyJobId') && rows.has('hpcGeo.tailLog'));
    assert.ok(!rows.has('hpcGeo.refreshJobs') && !rows.has('hpcGeo.showProgress'));
  });
});
