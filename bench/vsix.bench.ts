/**
 * Size of the packaged .vsix (npm run package), side by side with what the same runtime would
 * weigh unbundled: our dist plus the production node_modules it would otherwise have to ship.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench } from './types';

const root = join(__dirname, '..');

function du(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, entry) => sum + du(join(path, entry)), 0);
}

const bench: Bench = {
  name: 'vsix',
  async run() {
    const printed = execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { cwd: root, encoding: 'utf8' });
    const vsix = printed.trim().split('\n').pop()!.split(' ')[0]!;
    const size = statSync(join(root, vsix)).size / 1024;
    const prodDirs = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((p) => p.includes('node_modules'));
    // nested node_modules are counted once, through their top-level package
    const top = prodDirs.filter((p) => !prodDirs.some((q) => q !== p && p.startsWith(`${q}/`)));
    const unbundled = (top.reduce((s, p) => s + du(p), 0) + du(join(root, 'dist'))) / 1024;
    const files = execFileSync('unzip', ['-Z1', join(root, vsix)], { encoding: 'utf8' }).trim().split('\n').length;
    return [
      {
        metric: '.vsix size',
        value: size,
        unit: 'KiB',
        alternative: { name: 'dist + production node_modules, unpacked', value: unbundled },
        note: `${files} files in the .vsix`,
      },
    ];
  },
};
export default bench;
