/**
 * Where the engine's files are: the tree-sitter wasm files, the shipped profiles and the rule
 * pages. Bundled (dist/server.js, dist/hpc-lint.js) they sit beside the bundle; run from source
 * (tests, benchmarks) they come from node_modules, server/profiles and docs/rules.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Resources {
  /** web-tree-sitter's runtime. */
  runtimeWasm: string;
  /** The bash grammar. */
  bashWasm: string;
  profilesDir: string;
  docsDir: string;
}

export function resources(here = __dirname): Resources {
  if (existsSync(join(here, 'tree-sitter-bash.wasm'))) {
    return {
      runtimeWasm: join(here, 'tree-sitter.wasm'),
      bashWasm: join(here, 'tree-sitter-bash.wasm'),
      profilesDir: join(here, 'profiles'),
      docsDir: join(here, '..', 'docs', 'rules'),
    };
  }
  let root = here;
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  return {
    runtimeWasm: join(root, 'node_modules', 'web-tree-sitter', 'tree-sitter.wasm'),
    bashWasm: join(root, 'node_modules', 'tree-sitter-bash', 'tree-sitter-bash.wasm'),
    profilesDir: join(root, 'server', 'profiles'),
    docsDir: join(root, 'docs', 'rules'),
  };
}

/** The page of a rule, as a file URI (the link of a diagnostic's code). */
export function ruleDocUri(res: Resources, id: string): string {
  return pathToFileURL(join(res.docsDir, `${id}.md`)).href;
}
