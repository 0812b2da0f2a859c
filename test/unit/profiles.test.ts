import { strict as assert } from 'node:assert';
import { loadBuiltinProfiles, parseWorkspaceConfig, resolveProfile } from '../../server/src/profiles/profiles';
import { resources } from '../../server/src/resources';
import { tippecanoeShards } from '../../server/src/rules/tippecanoe';
import { engine, lintText } from '../support/engine';

describe('cluster profiles', () => {
  const builtins = loadBuiltinProfiles(resources().profilesDir);

  it('ships generic, betzy, saga, lumi, poznan (and the lab)', () => {
    for (const name of ['generic', 'betzy', 'saga', 'lumi', 'poznan', 'lab']) assert.ok(builtins.has(name), name);
    const betzy = builtins.get('betzy')!;
    assert.equal(betzy.partitions?.normal?.minNodes, 4);
    assert.equal(betzy.mem, 'forbidden');
    assert.deepEqual(betzy.cpusPerNode, { physical: 128, logical: 256 });
    assert.equal(builtins.get('saga')!.mem, 'required');
    assert.deepEqual(builtins.get('lumi')!.containerRuntimes, ['singularity']);
  });

  it('reports a broken workspace file at the right line and column', () => {
    const text = 'defaultProfile: betzy\nprofiles:\n  mine:\n    extends: saga\nrules:\n  tensor-int-max: off\n  tensor-int-max: error\n';
    const { problems } = parseWorkspaceConfig(text);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.deepEqual([problems[0]!.line, problems[0]!.character], [6, 2]);
    assert.match(problems[0]!.message, /unique|duplicate/i);
  });

  it('reports wrong values with their positions', () => {
    const text = 'profiles:\n  mine:\n    mem: sometimes\n    partitions:\n      gpu: { maxTime: 3 days, minNodes: zero }\n    colour: blue\nrules:\n  tensor-int-max: loud\n';
    const { config, problems } = parseWorkspaceConfig(text);
    const at = problems.map((p) => [p.line, p.character, p.message.split(':')[0]]);
    assert.deepEqual(at, [
      [2, 9, 'profiles.mine.mem'],
      [4, 22, 'profiles.mine.partitions.gpu.maxTime'],
      [4, 40, 'profiles.mine.partitions.gpu.minNodes'],
      [5, 4, 'profiles.mine.colour'],
      [7, 18, 'rules.tensor-int-max'],
    ]);
    assert.deepEqual(config.profiles.mine?.partitions, { gpu: {} });
  });

  it('extends a profile and merges partitions', () => {
    const { config } = parseWorkspaceConfig('profiles:\n  mysaga:\n    extends: saga\n    partitions:\n      normal: { maxTime: 2-00:00:00 }\n');
    const all = new Map(builtins);
    for (const [k, v] of Object.entries(config.profiles)) all.set(k, v);
    const p = resolveProfile('mysaga', all)!;
    assert.equal(p.mem, 'required');
    assert.equal(p.partitions?.normal?.maxTime, '2-00:00:00');
    assert.equal(p.partitions?.normal?.default, true);
    assert.ok(p.partitions?.a100);
  });

  it('does tippecanoe\'s shard arithmetic as the field report describes', () => {
    assert.deepEqual(tippecanoeShards(256, 2000), { tempFiles: 745, capped: false, crashes: true, safeThreads: 128 });
    assert.equal(tippecanoeShards(128, 2000).crashes, false);
    assert.equal(tippecanoeShards(200, 2000).crashes, false, '200 CPUs round down to 128');
    assert.equal(tippecanoeShards(64, 1024).crashes, false);
  });
});

describe('profile choice and configuration', () => {
  before(engine);
  const script = '#!/bin/bash\n#SBATCH --nodes=1\n#SBATCH --mem=8G\nsrun x\n';

  it('takes the profile from a # hpc-geo: cluster= comment', () => {
    const codes = lintText(`# hpc-geo: cluster=betzy\n${script}`).map((d) => d.code);
    assert.ok(codes.includes('mem-forbidden'));
  });

  it('falls back to the workspace default, then generic', () => {
    const ws = parseWorkspaceConfig('defaultProfile: betzy\n').config;
    assert.ok(lintText(script, { workspace: ws }).some((d) => d.code === 'nodes-below-partition-minimum'));
    assert.ok(!lintText(script).some((d) => d.code === 'nodes-below-partition-minimum'));
  });

  it('warns about an unknown profile name at the comment', () => {
    const d = lintText(`#!/bin/bash\n# hpc-geo: cluster=betsy\nsrun x\n`).find((x) => x.code === 'unknown-profile')!;
    assert.equal(d.range.start.line, 1);
    assert.match(d.message, /betzy/);
  });

  it('applies severity overrides and suppressions', () => {
    const ws = parseWorkspaceConfig('rules:\n  missing-time: off\n  invalid-memory: warning\n').config;
    const text = '#!/bin/bash\n#SBATCH --mem=8GB\n#SBATCH --job-name=x\nsrun x\n';
    const d = lintText(text, { workspace: ws });
    assert.deepEqual(d.map((x) => [x.code, x.severity]), [['invalid-memory', 'warning']]);
    const suppressed = '#!/bin/bash\n# hpc-lint disable=invalid-memory\n#SBATCH --mem=8GB\n#SBATCH --time=5 # hpc-lint disable=ambiguous-time\nsrun x\n';
    assert.deepEqual(lintText(suppressed).map((x) => x.code), []);
    assert.deepEqual(lintText(text.replace('\n', '\n# hpc-lint disable-file=invalid-memory,missing-time\n')).map((x) => x.code), []);
  });
});
