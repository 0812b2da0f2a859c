/**
 * `percentOf` as it was before issue 15 (quadratic on a line of `0,0,0,…`), kept to check that the
 * linear one reads the same percentages (test/unit/progress.test.ts) and to measure it beside the
 * new one on bounded lines (bench/hostileProgress.bench.ts).
 */
export function oldPercentOf(line: string): number | undefined {
  const tqdm = /(\d{1,3})%\|/.exec(line);
  if (tqdm) return Math.min(100, Number(tqdm[1]));
  const pct = /(\d{1,3}(?:\.\d+)?)\s*%/.exec(line);
  if (pct) return Math.min(100, Number(pct[1]));
  // eslint-disable-next-line regexp/no-super-linear-move -- the old one, run on bounded lines only
  const frac = /\b(\d[\d,]*)\s*\/\s*(\d[\d,]*)\b/.exec(line);
  if (frac) {
    const [n, d] = [Number(frac[1]!.replace(/,/g, '')), Number(frac[2]!.replace(/,/g, ''))];
    if (d > 0 && n <= d) return Math.round((n / d) * 100);
  }
  return undefined;
}
