import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/manifest';

/** Each file in test/grammar is a vscode-tmgrammar-test case: source lines with scope assertions. */
describe('TextMate grammars', () => {
  const dir = join(repoRoot, 'test', 'grammar');
  const cli = join(repoRoot, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');
  const grammars = [
    join(repoRoot, 'node_modules', 'tm-grammars', 'grammars', 'shellscript.json'),
    join(repoRoot, 'syntaxes', 'sbatch.tmLanguage.json'),
    join(repoRoot, 'syntaxes', 'apptainer.tmLanguage.json'),
  ];
  const cases = readdirSync(dir).filter((f) => /\.test\.\w+$/.test(f));

  it('has test cases for both grammars', () => {
    assert.ok(cases.some((f) => f.endsWith('.sbatch')));
    assert.ok(cases.some((f) => f.endsWith('.def')));
  });

  for (const file of cases) {
    it(`tokenizes ${file} as its assertions say`, () => {
      const args = [cli, ...grammars.flatMap((g) => ['-g', g]), join(dir, file)];
      const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    });
  }
});
