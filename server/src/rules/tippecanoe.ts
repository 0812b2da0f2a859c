/** tippecanoe's two traps: `-j` is a filter, and its shard count on many-CPU nodes. */
import { optionMatch } from '../analysis/launchers';
import type { Profile } from '../profiles/profiles';
import type { Rule } from './rule';
import { expand, variableValues } from './util';

export const tippecanoeJNotThreads: Rule = {
  id: 'tippecanoe-j-not-threads',
  severity: 'error',
  title: 'tippecanoe -j is a feature filter, not a thread count',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: '`tippecanoe -j 256` (or `-j$(nproc)`) written to set the number of threads.',
    why: 'In tippecanoe `-j` is `--feature-filter`, a JSON filter expression. A number there is read as a filter, silently, and the thread count does not change.',
    fix: 'Remove `-j` and set the environment variable `TIPPECANOE_MAX_THREADS` instead; the quick fix does both.',
    source: 'Fields-pipeline field report, "Why other fixes don\'t work" (-j256); tippecanoe README (-j, --feature-filter).',
  },
  check(ctx) {
    for (const inv of ctx.script.invocations) {
      if (inv.program !== 'tippecanoe') continue;
      const match = optionMatch(inv.args, ['-j', '--feature-filter']);
      const value = match?.value;
      if (!match || !value || !/^(\d+|\$\(\s*nproc[^)]*\)|`nproc[^`]*`|\$\{?SLURM_\w+\}?|\$\{?\w*(THREADS|CPUS|NPROC)\w*\}?)$/i.test(value.text)) continue;
      const removeStart = match.flag.start;
      let removeEnd = value.end;
      while (ctx.script.text[removeEnd] === ' ') removeEnd++;
      const cmdStart = inv.command.start;
      const facts = shardFacts(ctx.profile);
      const asked = /^\d+$/.test(value.text) ? Number(value.text) : undefined;
      const threads = facts ? String(Math.min(asked ?? facts.safeThreads, facts.safeThreads)) : asked !== undefined ? value.text : '$SLURM_CPUS_PER_TASK';
      ctx.report({
        start: removeStart,
        end: value.end,
        message: `tippecanoe -j is a feature filter (a JSON expression), not a thread count: '${value.text}' is taken as a filter. Set TIPPECANOE_MAX_THREADS=${threads} instead.`,
        fix: {
          title: 'Use TIPPECANOE_MAX_THREADS instead of -j',
          edits: [
            { start: cmdStart, end: cmdStart, newText: `TIPPECANOE_MAX_THREADS=${threads} ` },
            { start: removeStart, end: removeEnd, newText: '' },
          ],
        },
      });
    }
  },
};

const pow2floor = (n: number) => (n < 1 ? 0 : 2 ** Math.floor(Math.log2(n)));

/**
 * tippecanoe's shard arithmetic (main.cpp): CPUS = power of 2 at or below the online CPUs
 * (or TIPPECANOE_MAX_THREADS); MAX_FILES = 3/4 of the open-file limit; TEMP_FILES =
 * (MAX_FILES - 10) / 2, capped at CPUS * 4. When the cap does not apply, TEMP_FILES is usually
 * not a power of 2 and tiling aborts with "N shards not a power of 2".
 */
export function tippecanoeShards(cpus: number, openFiles: number): { tempFiles: number; capped: boolean; crashes: boolean; safeThreads: number } {
  const c = pow2floor(cpus);
  const maxFiles = Math.floor((openFiles * 3) / 4);
  const uncapped = Math.floor((maxFiles - 10) / 2);
  const capped = uncapped > c * 4;
  const tempFiles = capped ? c * 4 : uncapped;
  const isPow2 = tempFiles > 0 && (tempFiles & (tempFiles - 1)) === 0;
  return { tempFiles, capped, crashes: !capped && !isPow2, safeThreads: Math.max(1, pow2floor((uncapped - 1) / 4)) };
}

function shardFacts(profile: Profile) {
  // both facts are needed: guessing the open-file limit would guess the verdict
  const cpus = profile.cpusPerNode?.logical;
  const openFiles = profile.openFilesLimit;
  if (!cpus || !openFiles) return undefined;
  return { cpus, openFiles, ...tippecanoeShards(cpus, openFiles) };
}

export const tippecanoeMaxThreads: Rule = {
  id: 'tippecanoe-max-threads',
  severity: 'error',
  title: 'tippecanoe without TIPPECANOE_MAX_THREADS on a node with too many CPUs',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'tippecanoe runs on a node with many logical CPUs (256 on Betzy) and `TIPPECANOE_MAX_THREADS` is not set low enough.',
    why: [
      'tippecanoe aborts with `Internal error: 745 shards not a power of 2` after streaming every feature (30 minutes lost per attempt). Its arithmetic:',
      '',
      '```',
      'CPUS       = largest power of 2 <= online CPUs (or TIPPECANOE_MAX_THREADS)   256 on Betzy',
      'MAX_FILES  = open-file limit * 3 / 4                                          ~1500',
      'TEMP_FILES = (MAX_FILES - 10) / 2                                             745',
      'if TEMP_FILES > CPUS * 4: TEMP_FILES = CPUS * 4   (a power of 2: safe)       1024 > 745: not capped',
      'shards     = TEMP_FILES / threads                 must be a power of 2       745: crash',
      '```',
      '',
      'So tiling is safe only when `CPUS * 4 < TEMP_FILES`, i.e. when the power of 2 at or below the CPU count is at most `(TEMP_FILES - 1) / 4`: 186 for an open-file limit of 2000, which rounds down to 128 threads. The field report states the threshold as "more than 186 logical CPUs"; because tippecanoe first rounds the CPU count down to a power of 2, nodes with 187 to 255 CPUs still get 128 and are safe, and 256 is where it breaks. tippecanoe\'s changelog calls this fixed, but the fix only works when the `CPUS * 4` cap applies.',
    ].join('\n'),
    fix: 'Set `TIPPECANOE_MAX_THREADS` to the largest safe power of 2 (128 on Betzy) before tippecanoe, in the job script or inherited by the container (Apptainer passes the environment through). The quick fix prefixes the command with it.',
    source: 'Fields-pipeline field report, "Bug #1: Tippecanoe \'shards not a power of 2\'"; tippecanoe main.cpp.',
  },
  check(ctx) {
    const facts = shardFacts(ctx.profile);
    if (!facts) return;
    const vars = variableValues(ctx.script);
    const setTo = (text: string | undefined) => (text === undefined ? undefined : Number(expand(text, vars)));
    const scriptValue = setTo(vars.get('TIPPECANOE_MAX_THREADS')?.text);
    const uses: { start: number; end: number; prefix: string | undefined; inPython: boolean }[] = ctx.script.invocations
      .filter((i) => i.program === 'tippecanoe')
      .map((i) => ({ start: i.command.start, end: i.programWord!.end, prefix: i.command.prefixAssignments.find((a) => a.name === 'TIPPECANOE_MAX_THREADS')?.value?.text, inPython: false }));
    for (const p of ctx.script.python) {
      const m = /["']tippecanoe["']/.exec(p.code);
      if (m) uses.push({ start: p.start + m.index, end: p.start + m.index + m[0].length, prefix: /TIPPECANOE_MAX_THREADS["']?\]?\s*[=:]\s*["']?(\d+)/.exec(p.code)?.[1], inPython: true });
    }
    for (const use of uses) {
      const threads = setTo(use.prefix) ?? scriptValue;
      const effective = threads !== undefined && Number.isFinite(threads) ? Math.min(threads, facts.cpus) : facts.cpus;
      const { crashes, tempFiles } = tippecanoeShards(effective, facts.openFiles);
      if (!crashes) continue;
      const why = threads === undefined ? `tippecanoe sees all ${facts.cpus} logical CPUs of a ${ctx.profile.name} node` : `TIPPECANOE_MAX_THREADS=${threads} is still too many`;
      ctx.report({
        start: use.start,
        end: use.end,
        message: `${why}: with an open-file limit of ${facts.openFiles} it makes ${tempFiles} shards, not a power of 2, and aborts after streaming all features. Set TIPPECANOE_MAX_THREADS=${facts.safeThreads}${use.inPython ? ' in the environment passed to it' : ''}.`,
        ...(use.inPython ? {} : { fix: { title: `Set TIPPECANOE_MAX_THREADS=${facts.safeThreads}`, edits: [{ start: use.start, end: use.start, newText: `TIPPECANOE_MAX_THREADS=${facts.safeThreads} ` }] } }),
      });
    }
  },
};
