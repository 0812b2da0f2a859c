/**
 * Cluster profiles shipped as YAML in server/profiles/. The schema, the parser of `.hpc-geo.yaml`
 * and the profile helpers live in common/workspaceConfig/schema.ts (the extension reads the same
 * file); this module adds reading the shipped profiles from disk.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseProfile, type Profile } from '../../../common/workspaceConfig/schema';

export * from '../../../common/workspaceConfig/schema';

/** The shipped profiles, read once from their folder. */
export function loadBuiltinProfiles(dir: string): Map<string, Profile> {
  const out = new Map<string, Profile>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const name = basename(file, '.yaml');
    const { profile, problems } = parseProfile(name, readFileSync(join(dir, file), 'utf8'));
    if (problems.length) throw new Error(`shipped profile ${file} is broken: ${problems[0]!.message} (line ${problems[0]!.line + 1})`);
    out.set(name, profile);
  }
  return out;
}

