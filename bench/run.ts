/**
 * Runs every bench/*.bench.ts and prints one table of figures. Figures only: nothing here is an
 * assertion. `npm run bench [-- name-filter]`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench, BenchRow } from './types';

function fmt(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();
  const rows: (BenchRow & { bench: string })[] = [];
  for (const file of files) {
    const bench = (require(join(__dirname, file)) as { default: Bench }).default;
    process.stderr.write(`bench: ${bench.name}...\n`);
    try {
      for (const row of await bench.run()) rows.push({ bench: bench.name, ...row });
    } catch (e) {
      rows.push({ bench: bench.name, metric: 'FAILED', value: NaN, unit: '', note: String(e) });
    }
  }
  const table = [
    ['bench', 'metric', 'HPC Geo', 'alternative', 'alternative value', 'ratio', 'note'],
    ...rows.map((r) => [
      r.bench,
      r.metric,
      `${fmt(r.value)} ${r.unit}`,
      r.alternative?.name ?? '',
      r.alternative ? `${fmt(r.alternative.value)} ${r.unit}` : '',
      r.alternative && r.alternative.value ? `${(r.value / r.alternative.value).toPrecision(3)}×` : '',
      r.note ?? '',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(table[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table.slice(1)) console.log(line(row));
  if (rows.some((r) => r.metric === 'FAILED')) process.exitCode = 1;
}

void main();
