/** Helpers the rules share. */
import type { OptionUse } from '../../../common/sbatch/directives';
import { SBATCH_OPTIONS } from '../../../common/sbatch/options';
import { parseGpuCount } from '../../../common/sbatch/values';
import type { Word } from '../analysis/bash';
import { option, spanOffsets, type Script } from '../analysis/script';
import { partitionOf, type PartitionProfile, type Profile } from '../profiles/profiles';
import type { Finding, Fix, TextEdit } from './rule';

/** Two rows of the distance table, reused between calls (grown when a longer word comes). */
let rows = [new Int32Array(64), new Int32Array(64)];

/**
 * Levenshtein distance of `a` and `b`, or `limit + 1` as soon as it is known to exceed `limit`:
 * only the band of width 2·limit+1 around the diagonal is computed, so the cost is
 * O(limit · length) and a word far longer than every candidate costs nothing.
 */
export function editDistance(a: string, b: string, limit = Math.max(a.length, b.length)): number {
  const over = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return over;
  if (rows[0]!.length <= b.length) rows = [new Int32Array(b.length + 1), new Int32Array(b.length + 1)];
  let [prev, row] = rows as [Int32Array, Int32Array];
  for (let j = 0; j <= b.length; j++) prev[j] = j <= limit ? j : over;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(b.length, i + limit);
    row[0] = i <= limit ? i : over;
    if (from > 1) row[from - 1] = over;
    let best = from > 1 ? over : row[0];
    for (let j = from; j <= to; j++) {
      const d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1), over);
      row[j] = d;
      if (d < best) best = d;
    }
    if (to < b.length) row[to + 1] = over;
    if (best > limit) return over;
    [prev, row] = [row, prev];
  }
  return Math.min(prev[b.length]!, over);
}

const LOWERED = new WeakMap<readonly string[], string[]>();

/** The closest of `candidates` to `word`, when close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[], limit = Math.max(2, Math.floor(word.length / 3))): string | undefined {
  const lower = word.toLowerCase();
  let lowered = LOWERED.get(candidates);
  if (!lowered) LOWERED.set(candidates, (lowered = candidates.map((c) => c.toLowerCase())));
  let best: string | undefined;
  let bestD = limit + 1;
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k]!;
    const d = editDistance(lower, lowered[k]!, bestD - 1);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

export const LONG_OPTION_NAMES = SBATCH_OPTIONS.map((o) => o.name);

/** Document offsets of an option use (whole, name, value). */
export function useOffsets(script: Script, use: OptionUse): { start: number; end: number; nameStart: number; nameEnd: number; valueStart: number; valueEnd: number } {
  const whole = spanOffsets(script, use.span);
  const name = spanOffsets(script, use.nameSpan);
  const value = use.valueSpan ? spanOffsets(script, use.valueSpan) : { start: whole.end, end: whole.end };
  return { start: whole.start, end: whole.end, nameStart: name.start, nameEnd: name.end, valueStart: value.start, valueEnd: value.end };
}

/** A fix that replaces an option's value. */
export function setValueFix(script: Script, use: OptionUse, value: string, title = `Set ${use.written} to ${value}`): Fix {
  const o = useOffsets(script, use);
  return { title, edits: [{ start: o.valueStart, end: o.valueEnd, newText: value }] };
}

/** The edit that removes a whole line, with its line end. */
export function deleteLine(script: Script, line: number): TextEdit {
  const start = script.index.offset(line, 0);
  const nextStart = line + 1 < script.index.lineCount ? script.index.starts[line + 1]! : script.text.length;
  return { start: line + 1 < script.index.lineCount ? start : Math.max(0, start - 1), end: nextStart, newText: '' };
}

/** Whether `path` lies on one of the profile's Lustre file systems. */
export function onLustre(profile: Profile, path: string): string | undefined {
  const p = path.replace(/^["']|["']$/g, '');
  return profile.lustre?.find((root) => p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`));
}

/** The fast place for temp files on this cluster: /dev/shm where the profile has it. */
export function fastTmp(profile: Profile): string {
  return profile.shm?.path ?? '/dev/shm';
}

const variableCache = new WeakMap<Script, Map<string, Word | undefined>>();

/** The variables a script sets, with the last value written (unexpanded); computed once per script. */
export function variableValues(script: Script): Map<string, Word | undefined> {
  let out = variableCache.get(script);
  if (!out) {
    out = new Map<string, Word | undefined>();
    for (const a of script.shell.assignments) out.set(a.name, a.value);
    variableCache.set(script, out);
  }
  return out;
}

/** Resolves `$VAR`/`${VAR}` once against the script's own assignments. */
export function expand(text: string, vars: Map<string, Word | undefined>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => vars.get(name)?.text ?? m);
}

export function requestsGpus(script: Script, profile: Profile): boolean {
  for (const name of ['gpus', 'gpus-per-node', 'gpus-per-task', 'gpus-per-socket']) {
    const u = option(script, name);
    if (u?.value && (parseGpuCount(u.value) ?? 1) > 0) return true;
  }
  if (/(^|,)gpu(:|,|$)/.test(option(script, 'gres')?.value ?? '')) return true;
  return !!jobPartition(script, profile)?.partition.gpus;
}

export function jobPartition(script: Script, profile: Profile): { name: string; partition: PartitionProfile } | undefined {
  return partitionOf(profile, option(script, 'partition')?.value);
}

export function lineOf(script: Script, offset: number): number {
  return script.index.position(offset).line;
}

/** The first command's offset (or the end of the text). */
export function bodyStart(script: Script): number {
  return script.index.offset(script.header.headerEnd, 0);
}

/** A finding that offers to replace [start, end) with the likely intended text, when there is one. */
export function suggest(start: number, end: number, message: string, best: string | undefined, replacement = best): Finding {
  return {
    start,
    end,
    message: best ? `${message}; did you mean ${best}?` : message,
    ...(best && replacement !== undefined ? { fix: { title: `Change to ${best}`, edits: [{ start, end, newText: replacement }] } } : {}),
  };
}

/** The comma-separated items of an option's value, with their document offsets. */
export function listItems(script: Script, use: OptionUse): { item: string; start: number; end: number }[] {
  const out: { item: string; start: number; end: number }[] = [];
  let at = useOffsets(script, use).valueStart;
  for (const item of (use.value ?? '').split(',')) {
    out.push({ item, start: at, end: at + item.length });
    at += item.length + 1;
  }
  return out;
}
