import { strict as assert } from 'node:assert';
import { parseWorkspaceConfig } from '../../common/workspaceConfig/configParser';
import { loadBuiltinProfiles, resolveProfile } from '../../server/src/profiles/profiles';
import { candidateConfigFiles, parentDir, resolveWorkspaceConfig, type ConfigReader } from '../../common/workspaceConfig/resolve';
import { resources } from '../../server/src/resources';
import { tippecanoeShards } from '../../server/src/rules/tippecanoe';
import { engine, lintText } from '../support/engine';
import { checkConfigRuleId } from '../../server/src/engine';

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
    const text = '#!/bin/bash\n#SBATCH --mem=8GiB\n#SBATCH --job-name=x\nsrun x\n';
    const d = lintText(text, { workspace: ws });
    assert.deepEqual(d.map((x) => [x.code, x.severity]), [['invalid-memory', 'warning']]);
    const suppressed = '#!/bin/bash\n# hpc-lint disable=invalid-memory\n#SBATCH --mem=8GiB\n#SBATCH --time=5 # hpc-lint disable=ambiguous-time\nsrun x\n';
    assert.deepEqual(lintText(suppressed).map((x) => x.code), []);
    assert.deepEqual(lintText(text.replace('\n', '\n# hpc-lint disable-file=invalid-memory,missing-time\n')).map((x) => x.code), []);
  });

  it('warns at an unknown rule id in # hpc-lint disable=, with the nearest id, so that a typo does not fail to suppress in silence', () => {
    const text = '#!/bin/bash\n#SBATCH --time=10\n# hpc-lint disable=ambiguous-time, invalid-memroy\n#SBATCH --mem=8GiB\n# hpc-lint disable-file=NO-SUCH-RULE\nsrun x\n';
    const d = lintText(text);
    const unknown = d.filter((x) => x.code === 'unknown-rule-id');
    assert.deepEqual(unknown.map((x) => [x.severity, x.range.start.line, text.slice(x.start, x.end)]), [['warning', 2, 'invalid-memroy'], ['warning', 4, 'NO-SUCH-RULE']]);
    assert.match(unknown[0]!.message, /^unknown rule id invalid-memroy; did you mean invalid-memory\?/);
    assert.match(unknown[1]!.message, /^unknown rule id NO-SUCH-RULE\b/);
    assert.ok(d.some((x) => x.code === 'invalid-memory'), 'the typo suppressed nothing');
    // rule ids, the engine's own codes and all are known; the warning is suppressed as any finding
    assert.deepEqual(lintText('#!/bin/bash\n# hpc-lint disable-file=all\n# hpc-lint disable=nope\nsrun x\n'), []);
    assert.deepEqual(lintText('#!/bin/bash\n#SBATCH --time=10\n# hpc-lint disable=too-complex,missing-account\nsrun x\n').map((x) => x.code), []);
    // the engine's findings that no comment reaches (the file is not linted, or they are not about the script) say so
    const unreachable = lintText('#!/bin/bash\n#SBATCH --time=10\n# hpc-lint disable=binary-file,invalid-encoding\nsrun x\n');
    assert.deepEqual(unreachable.map((x) => [x.code, x.message]), ['binary-file', 'invalid-encoding'].map((id) => ['unknown-rule-id', `${id} is a finding of hpc-lint itself: no comment can suppress it: the file is not linted when it is there, or it is not about the script`]));
  });

  it('reads disable comments as people write them, and says so at one it cannot read (a newcomer\'s try, issue 15)', () => {
    const base = '#!/bin/bash\n#SBATCH --time=10:00:00\n';
    const mem = '#SBATCH --mem=8GiB\n';
    const codes = (comment: string) => lintText(`${base}${comment}\n${mem}srun x\n`).map((x) => x.code);
    // a colon after hpc-lint, any case, a reason after the ids, a space after a comma: all suppress
    for (const c of ['# hpc-lint: disable=invalid-memory', '# HPC-LINT DISABLE=INVALID-MEMORY', '# hpc-lint disable=invalid-memory because the site takes GiB', '# hpc-lint disable=missing-time, invalid-memory']) assert.deepEqual(codes(c), [], c);
    // what looks like a directive but is none suppresses nothing, and says so at the comment
    for (const c of ['# hpc-lint enable=invalid-memory', '# hpc-lint disable=', '# hpc-lint disable invalid-memory', '#hpc-lint: ignore=invalid-memory']) {
      const d = lintText(`${base}${c}\n${mem}srun x\n`);
      assert.deepEqual(d.map((x) => [x.code, x.range.start.line]), [['unknown-rule-id', 2], ['invalid-memory', 3]], c);
      assert.match(d[0]!.message, /^This hpc-lint comment is not understood, so it suppresses nothing: write # hpc-lint disable=ID/);
    }
    // prose that names the linter is no directive
    assert.deepEqual(codes('# hpc-lint checks this file in CI'), ['invalid-memory']);
  });

  it('names the choice a wrong severity was meant as (warn, Warning: a newcomer\'s try, issue 15)', () => {
    const { problems } = parseWorkspaceConfig('rules:\n  missing-time: warn\n  missing-account: Warning\n  invalid-memory: loud\n');
    assert.deepEqual(problems.map((p) => p.message), [
      "rules.missing-time: 'warn' is not one of error, warning, info, off; did you mean warning?",
      "rules.missing-account: 'Warning' is not one of error, warning, info, off; did you mean warning?",
      "rules.invalid-memory: 'loud' is not one of error, warning, info, off",
    ]);
  });

  it('warns at an unknown rule id under rules: of .hpc-geo.yaml, with the nearest id', () => {
    const text = 'rules:\n  missing-time: off\n  missing-tme: off\n  NO-SUCH-RULE: error\n  too-complex: off\n';
    const { problems } = parseWorkspaceConfig(text, { checkRuleId: checkConfigRuleId });
    assert.deepEqual(problems.map((p) => [p.severity, p.code, p.line, p.character, p.endCharacter]), [
      ['warning', 'unknown-rule-id', 2, 2, 13],
      ['warning', 'unknown-rule-id', 3, 2, 14],
      ['warning', 'unknown-rule-id', 4, 2, 13],
    ]);
    assert.match(problems[0]!.message, /^unknown rule id missing-tme; did you mean missing-time\?/);
    assert.match(problems[1]!.message, /^unknown rule id NO-SUCH-RULE\b/);
    assert.match(problems[2]!.message, /not a rule: its severity cannot be set here \(a # hpc-lint disable= comment suppresses it\)$/);
    // one no comment reaches is not said to be reached by one (a newcomer tried, issue 15)
    assert.match(checkConfigRuleId('binary-file')!, /cannot be set here \(no comment can suppress it/);
    assert.deepEqual(parseWorkspaceConfig(text).problems, [], 'without the rule list (the extension host) nothing is said');
  });
});

describe('.hpc-geo.yaml resolver (common/workspaceConfig/resolve, shared by the server and the extension)', () => {
  const files: Record<string, string> = {
    '/ws/.hpc-geo.yaml': 'defaultProfile: betzy\n',
    '/ws/lab/.hpc-geo.yaml': 'defaultProfile: lab\n',
    '/elsewhere/.hpc-geo.yaml': 'defaultProfile: saga\n',
  };
  const disk: ConfigReader = { openText: () => undefined, readFile: (f) => files[f] };

  it('takes the nearest file at or above the document, inside the innermost workspace folder', async () => {
    assert.equal((await resolveWorkspaceConfig('/ws/lab/deep/job.sbatch', ['/ws'], disk))?.config.defaultProfile, 'lab');
    assert.equal((await resolveWorkspaceConfig('/ws/other/job.sbatch', ['/ws'], disk))?.config.defaultProfile, 'betzy');
    // never above the workspace folder that holds the document
    assert.equal(await resolveWorkspaceConfig('/ws/lab/x/job.sbatch', ['/ws/lab/x'], disk), undefined);
    assert.deepEqual(candidateConfigFiles('/ws/a/b/job.sbatch', ['/ws', '/ws/a']), ['/ws/a/b/.hpc-geo.yaml', '/ws/a/.hpc-geo.yaml']);
    // a loose file outside every folder: its own folder only
    assert.deepEqual(candidateConfigFiles('/elsewhere/deep/job.sbatch', ['/ws']), ['/elsewhere/deep/.hpc-geo.yaml']);
  });

  it('prefers an open editor\'s unsaved text over the file on disk, also where no file exists yet', async () => {
    const open: Record<string, string> = { '/ws/lab/.hpc-geo.yaml': 'defaultProfile: saga\n', '/ws/new/.hpc-geo.yaml': 'defaultProfile: lumi\n' };
    const reader: ConfigReader = { openText: (f) => open[f], readFile: (f) => files[f] };
    const got = await resolveWorkspaceConfig('/ws/lab/job.sbatch', ['/ws'], reader);
    assert.equal(got?.config.defaultProfile, 'saga');
    assert.equal(got?.file, '/ws/lab/.hpc-geo.yaml');
    assert.equal((await resolveWorkspaceConfig('/ws/new/job.sbatch', ['/ws'], reader))?.config.defaultProfile, 'lumi');
  });

  it('works with asynchronous readers and Windows paths', async () => {
    const win: Record<string, string> = { 'C:\\ws\\.hpc-geo.yaml': 'defaultProfile: poznan\n' };
    const reader: ConfigReader = { openText: async () => undefined, readFile: async (f) => win[f] };
    assert.equal((await resolveWorkspaceConfig('C:\\ws\\jobs\\run.sbatch', ['C:\\ws'], reader))?.config.defaultProfile, 'poznan');
    assert.equal(parentDir('C:\\ws'), 'C:\\');
    assert.equal(parentDir('/ws'), '/');
  });
});
