import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES } from '../../server/src/rules/examples';
import { engine, lintText } from '../support/engine';
import { repoRoot } from '../support/manifest';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '#SBATCH ', '--', '-', '=', '"', "'", '\\', '#', '\n', '\r\n', ' ', '\t', '$', '${', '}', '$(', ')', '`', '&', '|', '||', '&&', ';', '<<EOF\n', '<<\'PY\'\n', 'EOF\n', 'PY\n',
  'srun ', 'tippecanoe -j ', 'apptainer exec --nv ', 'singularity exec ', 'python3 -c "', 'os.cpu_count()', 'wait\n', 'set -e\n', '--mem=', '--time=', '--array=', '%a', '%j', '/cluster/work/', '/dev/shm',
  'TILE_BATCH_SIZE=', 'AKIAABCDEFGHIJKLMNOP', 'postgres://u:p@h/', '%post\n', '%environment\n', 'Bootstrap: docker\n', 'From: ubuntu:24.04\n', 'pip install x\n', '\u00e9', '\u{1F30D}', '\u0000', '\uFFFD', '9999999999999999999',
];

describe('fuzz: the engine on random and mutated scripts', function () {
  this.timeout(120_000);
  before(engine);

  it('lints 10,000 scripts without an exception, a failing rule or a range outside the text', () => {
    const seeds = readdirSync(join(repoRoot, 'test', 'fixtures', 'seeds')).map((f) => readFileSync(join(repoRoot, 'test', 'fixtures', 'seeds', f), 'utf8'));
    const examples = Object.values(EXAMPLES).flatMap((x) => [...x.bad, ...x.good]).map((e) => (typeof e === 'string' ? e : e.text));
    const corpus = [...seeds, ...examples];
    const random = rng(20261121);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    let diagnostics = 0;
    for (let i = 0; i < 10_000; i++) {
      let text: string;
      if (i % 4 === 0) {
        text = Array.from({ length: 1 + Math.floor(random() * 40) }, () => pick(PIECES)).join('');
      } else {
        text = pick(corpus);
        for (let m = 0, n = 1 + Math.floor(random() * 6); m < n; m++) {
          const at = Math.floor(random() * (text.length + 1));
          const op = random();
          if (op < 0.4) text = text.slice(0, at) + pick(PIECES) + text.slice(at);
          else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 20));
          else if (op < 0.85) text = text.slice(0, at) + text.slice(Math.floor(random() * text.length)).slice(0, 80) + text.slice(at);
          else text = text.slice(0, at);
        }
      }
      const kind = random() < 0.2 ? 'apptainer' : 'sbatch';
      const profile = pick(['generic', 'betzy', 'saga', 'lumi', 'poznan', 'lab']);
      let found;
      try {
        found = lintText(text, { kind, profile });
      } catch (e) {
        assert.fail(`case ${i} (${kind}, ${profile}) threw ${String(e)}\n${JSON.stringify(text)}`);
      }
      for (const d of found) {
        assert.notEqual(d.code, 'internal-error', `case ${i}: ${d.message}\n${JSON.stringify(text)}`);
        assert.ok(d.start >= 0 && d.start <= d.end && d.end <= text.length, `case ${i}: ${d.code} range ${d.start}-${d.end} outside ${text.length}`);
        const lines = text.split('\n');
        assert.ok(d.range.end.line < lines.length && d.range.start.character <= lines[d.range.start.line]!.length, `case ${i}: ${d.code} position outside the text`);
        for (const e of d.fix?.edits ?? []) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length, `case ${i}: ${d.code} fix outside the text`);
      }
      diagnostics += found.length;
    }
    assert.ok(diagnostics > 10_000, `the fuzz corpus should trigger rules (${diagnostics})`);
  });
});
