/**
 * Cluster profiles shipped as YAML in server/profiles/. The schema, the parser of `.hpc-geo.yaml`
 * and the profile helpers live in common/workspaceConfig/schema.ts (the extension reads the same
 * file); this module adds reading the shipped profiles from disk.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseProfile, type Profile } from '../../../common/workspaceConfig/schema';

export * from '../../../common/workspaceConfig/schema';

/**
 * The shipped profiles: their names from the folder, each one parsed the first time it is asked
 * for. A script names one profile (most often none: generic), and parsing all of them on every
 * hpc-lint start cost about 10 ms of its 130.
 */
export class BuiltinProfiles implements ReadonlyMap<string, Profile> {
  private readonly parsed = new Map<string, Profile>();
  private readonly names: string[];

  constructor(private readonly dir: string) {
    this.names = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => basename(f, '.yaml'));
  }

  get size(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  get(name: string): Profile | undefined {
    if (!this.has(name)) return undefined;
    let profile = this.parsed.get(name);
    if (!profile) {
      const parsed = parseProfile(name, readFileSync(join(this.dir, `${name}.yaml`), 'utf8'));
      if (parsed.problems.length) throw new Error(`shipped profile ${name}.yaml is broken: ${parsed.problems[0]!.message} (line ${parsed.problems[0]!.line + 1})`);
      this.parsed.set(name, (profile = parsed.profile));
    }
    return profile;
  }

  keys(): MapIterator<string> {
    return this.names.values();
  }

  *values(): MapIterator<Profile> {
    for (const name of this.names) yield this.get(name)!;
  }

  *entries(): MapIterator<[string, Profile]> {
    for (const name of this.names) yield [name, this.get(name)!];
  }

  [Symbol.iterator](): MapIterator<[string, Profile]> {
    return this.entries();
  }

  forEach(callback: (value: Profile, key: string, map: ReadonlyMap<string, Profile>) => void): void {
    for (const [k, v] of this.entries()) callback(v, k, this);
  }
}

/** The shipped profiles of a folder (parsed when first asked for). */
export function loadBuiltinProfiles(dir: string): ReadonlyMap<string, Profile> {
  return new BuiltinProfiles(dir);
}
