import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingSpecs, SETTINGS_SECTION } from '../../common/settings';
import { readManifest, repoRoot } from '../support/manifest';

describe('manifest', () => {
  const manifest = readManifest();

  it('activates lazily: no "*" and no onStartupFinished', () => {
    for (const e of manifest.activationEvents ?? []) {
      assert.notEqual(e, '*');
      assert.notEqual(e, 'onStartupFinished');
    }
    assert.ok(manifest.activationEvents?.includes('onLanguage:sbatch'));
    assert.ok(manifest.activationEvents?.includes('onLanguage:apptainer'));
  });

  it('declares the Jobs view, and the Partitions view folded below it, in the HPC Geo container', () => {
    assert.deepEqual(manifest.contributes.views['hpcGeo']?.map((v) => v.id), ['hpcGeo.jobs', 'hpcGeo.partitions']);
    assert.equal((manifest.contributes.views['hpcGeo']?.[1] as { visibility?: string } | undefined)?.visibility, 'collapsed');
  });

  it('has settings that agree with common/settings.ts in both directions', () => {
    const props = manifest.contributes.configuration.properties;
    const declared = Object.keys(props).sort();
    const schema = Object.keys(settingSpecs).map((k) => `${SETTINGS_SECTION}.${k}`).sort();
    assert.deepEqual(declared, schema);
    for (const [key, spec] of Object.entries(settingSpecs)) {
      const p = props[`${SETTINGS_SECTION}.${key}`]!;
      assert.equal(p.type, spec.type, `type of ${key}`);
      assert.deepEqual(p.default, spec.default, `default of ${key}`);
    }
  });

  it('lets no workspace set where to connect or whether to store passphrases (machine scope), and says so for untrusted workspaces', () => {
    const props = manifest.contributes.configuration.properties;
    const sensitive = ['clusters', 'ssh.configFile', 'ssh.rememberPassphrases'].map((k) => `${SETTINGS_SECTION}.${k}`);
    for (const [key, spec] of Object.entries(settingSpecs)) {
      const scope = props[`${SETTINGS_SECTION}.${key}`]!.scope;
      assert.equal(scope, (spec as { scope?: string }).scope, `scope of ${key} agrees with common/settings.ts`);
    }
    for (const key of sensitive) assert.equal(props[key]!.scope, 'machine', key);
    const untrusted = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(untrusted?.supported, 'limited');
    assert.ok(untrusted?.description && untrusted.description.length > 20);
    assert.deepEqual([...(untrusted?.restrictedConfigurations ?? [])].sort(), [...sensitive].sort());
  });

  it('points languages and grammars at files that exist, with matching scope names', () => {
    for (const l of manifest.contributes.languages) {
      if (l.configuration) assert.ok(existsSync(join(repoRoot, l.configuration)), l.configuration);
    }
    for (const g of manifest.contributes.grammars) {
      const grammar = JSON.parse(readFileSync(join(repoRoot, g.path), 'utf8')) as { scopeName: string };
      assert.equal(grammar.scopeName, g.scopeName);
      assert.ok(manifest.contributes.languages.some((l) => l.id === g.language), `no language ${g.language}`);
    }
  });

  it('packages by allowlist: .vscodeignore starts by excluding everything', () => {
    const lines = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    assert.equal(lines[0], '**');
    assert.ok(lines.includes('!dist/**'));
    assert.ok(lines.includes('!docs/rules/**'), 'rule pages ship for "Show documentation"');
    assert.ok(lines.includes('dist/hpc-lint.js'), 'the CLI stays out of the .vsix');
  });
});
