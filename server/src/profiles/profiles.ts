/**
 * Cluster profiles shipped as YAML in server/profiles/, and as JSON in dist/profiles/ (checked and
 * converted at build time, esbuild.mjs). The schema and the profile helpers live in
 * common/workspaceConfig/schema.ts, the YAML parser in configParser.ts (the extension reads the
 * same files); this module adds reading the shipped profiles from disk.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../../common/workspaceConfig/schema';

export * from '../../../common/workspaceConfig/schema';

/**
 * The YAML parser of .hpc-geo.yaml and of the profiles, loaded the first time it is needed: in
 * hpc-lint's bundle it is a bundle of its own (dist/configParser.js, esbuild.mjs), so that a run
 * without .hpc-geo.yaml does not load the YAML library.
 */
export function configParser(): typeof import('../../../common/workspaceConfig/configParser') {
  return require('../../../common/workspaceConfig/configParser') as typeof import('../../../common/workspaceConfig/configParser');
}

/**
 * The shipped profiles: their names from the folder, each one parsed the first time it is asked
 * for. A script names one profile (most often none: generic), and parsing all of them on every
 * hpc-lint start cost about 10 ms of its 130.
 */
export class BuiltinProfiles implements ReadonlyMap<string, Profile> {
  private readonly parsed = new Map<string, Profile>();
  private readonly names: string[];

  constructor(private readonly dir: string) {
    const names = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.json')).map((f) => f.slice(0, f.lastIndexOf('.')));
    this.names = [...new Set(names)].sort();
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
      const json = join(this.dir, `${name}.json`);
      profile = existsSync(json) ? { ...(JSON.parse(readFileSync(json, 'utf8')) as Profile), name } : shippedProfile(name, readFileSync(join(this.dir, `${name}.yaml`), 'utf8'));
      this.parsed.set(name, profile);
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

/** A shipped profile's YAML, parsed and checked: a problem in it is a bug of ours, thrown. */
export function shippedProfile(name: string, yaml: string): Profile {
  const parsed = configParser().parseProfile(name, yaml);
  if (parsed.problems.length) throw new Error(`shipped profile ${name}.yaml is broken: ${parsed.problems[0]!.message} (line ${parsed.problems[0]!.line + 1})`);
  return parsed.profile;
}
