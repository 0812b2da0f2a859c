/** The lint engine from source, as the server and the CLI use it (real tree-sitter, real profiles). */
import type { Parser } from 'web-tree-sitter';
import { loadBash } from '../../server/src/analysis/bash';
import type { ScriptKind } from '../../server/src/analysis/script';
import { detectKind, lint, type Diagnostic, type LintOptions } from '../../server/src/engine';
import { loadBuiltinProfiles, type Profile, type WorkspaceConfig } from '../../server/src/profiles/profiles';
import { resources } from '../../server/src/resources';

let parser: Parser | undefined;
let builtins: ReadonlyMap<string, Profile> | undefined;

export async function engine(): Promise<void> {
  const res = resources();
  parser ??= await loadBash(res);
  builtins ??= loadBuiltinProfiles(res.profilesDir);
}

/** The loaded parser, for tests that call `lint` with options of their own. */
export function testParser(): Parser {
  if (!parser) throw new Error('call engine() in a before hook first');
  return parser;
}

export function lintText(text: string, opts: { profile?: string; kind?: ScriptKind; fileName?: string; workspace?: WorkspaceConfig } = {}): Diagnostic[] {
  if (!parser || !builtins) throw new Error('call engine() in a before hook first');
  const options: LintOptions = {
    kind: opts.kind ?? detectKind(opts.fileName ?? 'job.sbatch', text),
    builtinProfiles: builtins,
    ...(opts.workspace ? { workspace: opts.workspace } : {}),
    ...(opts.profile ? { defaultProfile: opts.profile, forceProfile: true } : {}),
  };
  return lint(parser, text, options).diagnostics;
}

/** Applies a fix's edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: readonly { start: number; end: number; newText: string }[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
