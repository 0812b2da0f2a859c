/**
 * Activation time of the bundled extension: require() of dist/extension.js until activate()
 * returns, under the stub `vscode` module, each sample in a fresh Node process. Side by side: an
 * empty extension bundled the same way (the floor any extension pays).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { median, type Bench } from './types';

const root = join(__dirname, '..');
const SAMPLES = 21;

function sample(stub: string, bundle: string): number {
  return Number(execFileSync(process.execPath, [join(__dirname, 'activationChild.cjs'), stub, bundle], { encoding: 'utf8' }));
}

const bench: Bench = {
  name: 'activation',
  async run() {
    const work = join(root, 'out', 'bench');
    mkdirSync(work, { recursive: true });
    const stub = join(work, 'vscodeStub.cjs');
    buildSync({ entryPoints: [join(root, 'test/support/vscodeStub.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: stub, logLevel: 'error' });
    execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'ignore' });
    const empty = join(work, 'emptyExtension.js');
    writeFileSync(join(work, 'emptyExtension.ts'), 'export function activate(): void {}\nexport function deactivate(): void {}\n');
    buildSync({ entryPoints: [join(work, 'emptyExtension.ts')], bundle: true, minify: true, platform: 'node', format: 'cjs', outfile: empty, logLevel: 'error' });

    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      ours.push(sample(stub, join(root, 'dist', 'extension.js')));
      floor.push(sample(stub, empty));
    }
    return [
      {
        metric: 'require + activate() (median)',
        value: median(ours),
        unit: 'ms',
        alternative: { name: 'empty extension', value: median(floor) },
        note: `${SAMPLES} fresh processes each, stub vscode`,
      },
    ];
  },
};
export default bench;
