import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engine, lintText } from '../support/engine';
import { repoRoot } from '../support/manifest';

/**
 * The field reports' own scripts: as first written they show exactly the pitfalls the reports
 * describe; as corrected they are clean.
 */
const dir = join(repoRoot, 'test', 'fixtures', 'seeds');

const expected: Record<string, string[]> = {
  'fields-betzy.bad.sbatch': [
    'nodes-below-partition-minimum', 'mem-forbidden', 'errexit-with-background-steps', 'parallel-srun-without-exact',
    'tippecanoe-max-threads', 'tippecanoe-j-not-threads', 'sqlite-on-lustre', 'temp-on-lustre', 'wait-hides-failures',
  ],
  // its --mem=128GB is valid: str_to_mbytes takes an optional B after the unit (issue 11)
  'dr-inference.bad.sbatch': [
    'aws-access-key', 'aws-secret-key', 'database-url-password', 'tensor-int-max',
    // singularity works on Saga (Apptainer's link to itself): an info, no longer an error (issue 11)
    'container-old-name', 'gpu-container-without-flag',
  ],
  // the placeholder left in its --dependency is what is reported (a template value, not a job id)
  'dr-finalize.bad.sbatch': ['unfilled-placeholder'],
  'fields.bad.def': ['pip-externally-managed'],
  'cscal.bad.sbatch': ['missing-time', 'threads-over-allocation'],
  // its --output=logs/tessera_%j.out is one file per task: %j is each array task's own job id
  'tessera-lumi.bad.sbatch': ['container-runtime-missing'],
};

describe('field-report scripts', () => {
  before(engine);

  for (const [file, codes] of Object.entries(expected)) {
    it(`${file} shows its pitfalls: ${codes.length}`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const found = lintText(text, { fileName: file }).map((d) => d.code);
      assert.deepEqual([...new Set(found)].sort(), [...codes].sort());
    });
    const good = file.replace('.bad.', '.good.');
    it(`${good} is clean`, () => {
      const text = readFileSync(join(dir, good), 'utf8');
      assert.deepEqual(lintText(text, { fileName: good }).map((d) => `${d.range.start.line + 1}: ${d.code}: ${d.message}`), []);
    });
  }

  it('never repeats a secret in a message', () => {
    const text = readFileSync(join(dir, 'dr-inference.bad.sbatch'), 'utf8');
    for (const d of lintText(text, { fileName: 'x.sbatch' })) {
      for (const secret of ['AKIAZ7XQ2LNSPV4KD3TB', 'q8Vn3mKp2Lx7Rt5Wz9Yb4Hc6Jd1Fg0SaQeUoIiPl', 'Tr0ub4dor3']) {
        assert.ok(!d.message.includes(secret), `${d.code} repeats a secret`);
      }
    }
  });

  it('computes the seed\'s tensor size and the largest safe batch', () => {
    const text = readFileSync(join(dir, 'dr-inference.bad.sbatch'), 'utf8');
    const d = lintText(text, { fileName: 'x.sbatch' }).find((x) => x.code === 'tensor-int-max')!;
    assert.match(d.message, /2,211,840,000 elements/);
    assert.match(d.message, /largest safe batch is 62/);
    assert.equal(d.fix?.edits[0]?.newText, '62');
  });
});
