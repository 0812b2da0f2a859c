// One activation in a fresh process: installs the vscode stub, loads the bundle, calls activate().
// argv: <stub.cjs> <bundle.js>. Prints the milliseconds from require() to activate() returning.
'use strict';
const [stubFile, bundle] = process.argv.slice(2);
const { installVscodeStub, emptyRecord, fakeExtensionContext } = require(stubFile);
const record = emptyRecord();
installVscodeStub(record);
const t0 = process.hrtime.bigint();
const ext = require(bundle);
ext.activate(fakeExtensionContext());
const t1 = process.hrtime.bigint();
if (record.errors.length) throw new Error(record.errors.join('; '));
process.stdout.write(String(Number(t1 - t0) / 1e6));
