/**
 * Benchmark inputs made from the project's own scripts: the field-report fixtures and every
 * rule example, varied deterministically, written to out/bench/corpus.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../server/src/engine';
import { EXAMPLES } from '../server/src/rules/examples';

const root = join(__dirname, '..');

export function sbatchSources(): string[] {
  const dir = join(root, 'test', 'fixtures', 'seeds');
  const seeds = readdirSync(dir).filter((f) => f.endsWith('.sbatch')).map((f) => readFileSync(join(dir, f), 'utf8'));
  const examples = RULES.filter((r) => r.kinds.includes('sbatch')).flatMap((r) => [...EXAMPLES[r.id]!.bad, ...EXAMPLES[r.id]!.good]).map((e) => (typeof e === 'string' ? e : e.text)).filter((t) => t.startsWith('#!'));
  return [...seeds, ...examples];
}

/** At least `n` sbatch scripts on disk; returns their paths. */
export function writeCorpus(n: number): string[] {
  const dir = join(root, 'out', 'bench', 'corpus');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources = sbatchSources();
  const files: string[] = [];
  for (let i = 0; files.length < n; i++) {
    const base = sources[i % sources.length]!;
    // vary: repeat the body a few times so sizes differ like real scripts do
    const lines = base.split('\n');
    const headerEnd = lines.findIndex((l, k) => k > 0 && l.trim() !== '' && !l.startsWith('#'));
    const body = headerEnd > 0 ? lines.slice(headerEnd).join('\n') : '';
    const text = `${base}${`\n# part ${i}\n${body}`.repeat(i % 4)}`;
    const file = join(dir, `job_${String(i).padStart(4, '0')}.sbatch`);
    writeFileSync(file, text);
    files.push(file);
  }
  return files;
}

/** A realistic script of about `lines` lines: one header, many pipeline stages. */
export function bigScript(lines: number): string {
  const good = readFileSync(join(root, 'test', 'fixtures', 'seeds', 'fields-betzy.good.sbatch'), 'utf8');
  const dr = readFileSync(join(root, 'test', 'fixtures', 'seeds', 'dr-inference.good.sbatch'), 'utf8');
  const body = [good, dr].map((t) => t.split('\n').filter((l) => !l.startsWith('#')).join('\n')).join('\n');
  let text = good;
  for (let i = 0; text.split('\n').length < lines; i++) text += `\n# stage ${i}\nstage_${i}() {\n${body.replace(/^/gm, '  ')}\n}\n`;
  return text.split('\n').slice(0, lines).join('\n');
}
