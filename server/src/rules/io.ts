/** Temp files and SQLite databases on parallel file systems, and a /tmp too small for the work. */
import type { Word } from '../analysis/bash';
import { optionValue, type Invocation } from '../analysis/launchers';
import type { Rule, RuleContext } from './rule';
import { expand, fastTmp, onLustre, variableValues } from './util';

const TMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP', 'SQLITE_TMPDIR'];
const TMP_FLAGS = ['--tmp-dir', '--tmpdir', '--temp-dir', '--tempdir', '--temporary-directory', '--scratch-dir'];
const SQLITE_FILE = /\.(mbtiles|gpkg|sqlite3?|db)$/i;

function tippecanoeTempDir(inv: Invocation): Word | undefined {
  return optionValue(inv.args, ['-t', '--temporary-directory']);
}

export const tempOnLustre: Rule = {
  id: 'temp-on-lustre',
  severity: 'error',
  title: 'Temporary files on a Lustre (parallel) file system',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'A tool is told to put its temporary files on Lustre: tippecanoe `-t`/`--temporary-directory`, a `--tmp-dir` flag, or `TMPDIR` pointing into a Lustre path such as `/cluster/work`.',
    why: 'Tools like tippecanoe and SQLite create hundreds of small temp files. Lustre has high latency for small random I/O and metadata: tippecanoe streamed all features, then sat for hours at one thread and 0% CPU (`cl_sync_io_wait`), the MBTiles stuck at 28 KB. With four nodes writing to the same Lustre directory it effectively deadlocked.',
    fix: 'Use RAM-backed `/dev/shm` (126 GB per node on Betzy) or node-local scratch: `-t /dev/shm`, `TMPDIR=/dev/shm/$SLURM_JOB_ID`. Clean it up at the end of the job. The quick fix points the directory at /dev/shm.',
    source: 'Fields-pipeline field report, "Bug #2: Lustre I/O stalls with tippecanoe temp files".',
  },
  check(ctx) {
    const vars = variableValues(ctx.script);
    const tmp = fastTmp(ctx.profile);
    const report = (w: Word, what: string) => {
      const path = expand(w.text, vars);
      const fs = onLustre(ctx.profile, path);
      if (!fs) return;
      ctx.report({
        start: w.start,
        end: w.end,
        message: `${what} is on Lustre (${fs}): hundreds of small temp files stall there for hours. Use ${tmp} or node-local scratch.`,
        fix: { title: `Use ${tmp}`, edits: [{ start: w.start, end: w.end, newText: tmp }] },
      });
    };
    for (const a of [...ctx.script.shell.assignments, ...ctx.script.shell.commands.flatMap((c) => c.prefixAssignments)]) {
      if (TMP_VARIABLES.includes(a.name) && a.value) report(a.value, a.name);
    }
    for (const inv of ctx.script.invocations) {
      const t = inv.program === 'tippecanoe' ? tippecanoeTempDir(inv) : undefined;
      if (t) report(t, 'tippecanoe\'s temporary directory');
      const flag = optionValue(inv.args, TMP_FLAGS);
      if (flag) report(flag, `The temp directory of ${inv.program || 'this command'}`);
    }
  },
};

function sqliteOutputs(ctx: RuleContext): { word: Word; program: string }[] {
  const out: { word: Word; program: string }[] = [];
  for (const inv of ctx.script.invocations) {
    const o = optionValue(inv.args, ['-o', '--output', '--out', '--output-to-directory']);
    if (o && SQLITE_FILE.test(o.text)) out.push({ word: o, program: inv.program });
    if (['ogr2ogr', 'gdal_translate', 'gdalwarp'].includes(inv.program)) {
      const positional = inv.args.filter((a, i) => !a.text.startsWith('-') && !(inv.args[i - 1]?.text.startsWith('-') && !/^-(overwrite|append|update|progress|q|quiet)$/.test(inv.args[i - 1]!.text)));
      const dest = inv.program === 'ogr2ogr' ? positional[0] : positional.at(-1);
      if (dest && SQLITE_FILE.test(dest.text)) out.push({ word: dest, program: inv.program });
    }
  }
  return out;
}

export const sqliteOnLustre: Rule = {
  id: 'sqlite-on-lustre',
  severity: 'warning',
  title: 'SQLite output (MBTiles, GeoPackage) written on Lustre',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'An MBTiles, GeoPackage or other SQLite file is written directly to a Lustre path.',
    why: 'SQLite does small random writes, locks and journals; on Lustre that runs orders of magnitude slower than on local storage and can stall like tippecanoe\'s temp files did. The fields pipeline wrote 18 GB MBTiles per year.',
    fix: 'Write the database to /dev/shm or node-local scratch, then copy the finished file (or the converted PMTiles) to Lustre in one sequential write.',
    source: 'Fields-pipeline field report ("This applies to tippecanoe, SQLite (WAL mode), and any tool with heavy random I/O").',
  },
  check(ctx) {
    const vars = variableValues(ctx.script);
    for (const { word, program } of sqliteOutputs(ctx)) {
      const fs = onLustre(ctx.profile, expand(word.text, vars));
      if (!fs) continue;
      ctx.report({ start: word.start, end: word.end, message: `${program} writes a SQLite database (${word.text.split('/').pop()}) on Lustre (${fs}): random small writes crawl there. Write it to ${fastTmp(ctx.profile)} and copy the finished file.` });
    }
  },
};

export const tmpTooSmall: Rule = {
  id: 'tmp-too-small',
  severity: 'warning',
  title: 'tippecanoe temp files in a /tmp that is too small',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'tippecanoe runs without `-t` and without `TMPDIR`, so it writes its temp files to `/tmp`, and `/tmp` on this cluster is small (1.5 GB on Betzy).',
    why: 'tippecanoe needs 10 to 20 GB of temp space for tens of millions of features; it fails with "No space left on device" after streaming for half an hour.',
    fix: 'Give tippecanoe `-t /dev/shm` (126 GB on Betzy) or node-local scratch; the quick fix adds `-t /dev/shm`.',
    source: 'Fields-pipeline field report ("/tmp is only 1.5GB (useless)"; "TMPDIR issues (default /tmp too small)" on Saga).',
  },
  check(ctx) {
    const tmp = ctx.profile.tmp;
    if (!tmp || !(tmp.small || (tmp.sizeGB !== undefined && tmp.sizeGB < 10))) return;
    const tmpdirSet = ctx.script.shell.assignments.some((a) => a.name === 'TMPDIR');
    for (const inv of ctx.script.invocations) {
      if (inv.program !== 'tippecanoe' || tippecanoeTempDir(inv) || tmpdirSet || inv.command.prefixAssignments.some((a) => a.name === 'TMPDIR')) continue;
      const w = inv.programWord!;
      const size = tmp.sizeGB !== undefined ? ` (${tmp.sizeGB} GB)` : '';
      ctx.report({
        start: w.start,
        end: w.end,
        message: `tippecanoe writes its temp files to ${tmp.path ?? '/tmp'}, which is too small on ${ctx.profile.name}${size}. Add -t ${fastTmp(ctx.profile)}.`,
        fix: { title: `Add -t ${fastTmp(ctx.profile)}`, edits: [{ start: w.end, end: w.end, newText: ` -t ${fastTmp(ctx.profile)}` }] },
      });
    }
  },
};
