// The bundles: the extension host and its lazily loaded parts (node), the language server and
// hpc-lint (node), the webview pages (browser).
//   node esbuild.mjs            production build (minified, no source maps)
//   node esbuild.mjs --dev      with inline source maps
//   node esbuild.mjs --watch    dev build, rebuilt on change
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const shared = {
  bundle: true,
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { SERVER_VERSION: JSON.stringify(version) },
};

const node = {
  ...shared,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ssh2's optional native helpers: it falls back to pure JS when they are absent.
  external: ['vscode', 'cpu-features', '*.node'],
  // its ESM build needs import.meta.url, which a CommonJS bundle does not have
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
};

// One page per folder of webview/src holding an index.ts.
const pages = readdirSync('webview/src', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('webview/src', d.name, 'index.ts')))
  .map((d) => d.name);

// The extension host, the language server and hpc-lint load the regex analyser (common/regexAnalyser: scslre, refa,
// regexp-ast-analysis, most of a megabyte) from a bundle of its own
// the first time it checks a user's regex, so that activation does not parse it.
const regexAnalyserApart = {
  name: 'regex-analyser-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/regexAnalyser$/ }, () => ({ path: './regexAnalyser.js', external: true }));
  },
};

// hpc-lint loads the .hpc-geo.yaml parser (common/workspaceConfig/configParser and the yaml library)
// from a bundle of its own, only when there is a .hpc-geo.yaml: a run on scripts alone does not parse it.
const configParserApart = {
  name: 'config-parser-apart',
  setup(build) {
    build.onResolve({ filter: /(^|\/)configParser$/ }, () => ({ path: './configParser.js', external: true }));
  },
};

const builds = [
  { ...node, entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js', plugins: [regexAnalyserApart] },
  { ...node, entryPoints: ['common/regexAnalyser.ts'], outfile: 'dist/regexAnalyser.js' },
  { ...node, entryPoints: ['extension/src/lint/languageClientMain.ts'], outfile: 'dist/languageClient.js' },
  { ...node, entryPoints: ['extension/src/ssh/sshMain.ts'], outfile: 'dist/ssh.js' },
  { ...node, entryPoints: ['extension/src/progress/workspaceConfigMain.ts'], outfile: 'dist/workspaceConfig.js', plugins: [regexAnalyserApart] },
  { ...node, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [regexAnalyserApart] },
  { ...node, entryPoints: ['server/src/cli.ts'], outfile: 'dist/hpc-lint.js', banner: { js: '#!/usr/bin/env node' }, plugins: [regexAnalyserApart, configParserApart] },
  { ...node, entryPoints: ['common/workspaceConfig/configParser.ts'], outfile: 'dist/configParser.js', plugins: [regexAnalyserApart] },
  ...pages.map((page) => ({
    ...shared,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: [join('webview/src', page, 'index.ts')],
    outfile: join('dist/webview', `${page}.js`),
  })),
];

if (!watch) rmSync('dist', { recursive: true, force: true });
// what the server and hpc-lint read at run time, beside them
mkdirSync('dist', { recursive: true });
cpSync('node_modules/web-tree-sitter/tree-sitter.wasm', 'dist/tree-sitter.wasm');
cpSync('node_modules/tree-sitter-bash/tree-sitter-bash.wasm', 'dist/tree-sitter-bash.wasm');
/** The shipped profiles, checked by the parser just built and written as JSON beside the bundles (read without the YAML library); a problem in one fails the build. */
function writeProfiles() {
  const { parseProfile } = createRequire(import.meta.url)('./dist/configParser.js');
  mkdirSync('dist/profiles', { recursive: true });
  for (const file of readdirSync('server/profiles').filter((f) => f.endsWith('.yaml'))) {
    const name = file.slice(0, -'.yaml'.length);
    const { profile, problems } = parseProfile(name, readFileSync(join('server/profiles', file), 'utf8'));
    if (problems.length) throw new Error(`server/profiles/${file}: ${problems[0].message} (line ${problems[0].line + 1})`);
    writeFileSync(join('dist/profiles', `${name}.json`), `${JSON.stringify(profile)}\n`);
  }
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((c) => c.rebuild()));
  writeProfiles();
  for (const c of contexts) await c.watch();
  console.log('esbuild: watching (a change to server/profiles needs a rebuild)');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  execFileSync('chmod', ['+x', 'dist/hpc-lint.js']);
  writeProfiles();
  console.log(`esbuild: built ${builds.map((b) => b.outfile).join(', ')}`);
}
