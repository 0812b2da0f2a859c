/** One figure of a benchmark, with the alternative it is measured against in the same run. */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** The alternative measured side by side, when there is one. */
  alternative?: { name: string; value: number };
  note?: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchRow[]>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The median time in ms of `runs` synchronous calls of `f`. */
export function timeMedian(f: () => unknown, runs = 3): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return median(times);
}
