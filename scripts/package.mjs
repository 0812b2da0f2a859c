// Builds the production bundles and packs the .vsix with @vscode/vsce.
// Prints the .vsix path and size; the .vsix holds only what runs (see .vscodeignore).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = join('build', `${name}-${version}.vsix`);
mkdirSync('build', { recursive: true });
execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
execFileSync(
  process.execPath,
  ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const bytes = statSync(out).size;
console.log(`${out} ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`);
