/** How a batch script is laid out: shebang, line ends, where directives are, log file names. */
import { compareVersions } from '../profiles/profiles';
import { BYTE_ORDER_MARK, option, opensWithShebang, spanOffsets, newDirectiveText, directiveInsertOffset, type Script } from '../analysis/script';
import type { Rule } from './rule';
import { deleteLine, useOffsets } from './util';

export const missingShebang: Rule = {
  id: 'missing-shebang',
  severity: 'error',
  title: 'No #! line',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script does not start with `#!` and an interpreter, or a byte-order mark (the bytes EF BB BF some Windows editors write) comes before the `#!`, or the file is saved as UTF-16 (two bytes per character).',
    why: 'sbatch refuses it: "This does not look like a batch script. The first line must start with #! followed by the path to an interpreter." (sbatch checks that the first two bytes are `#!`, so a byte-order mark before them counts as no `#!`; the kernel does not see such a shebang either.)',
    fix: 'Start with `#!/bin/bash`; the quick fix adds it. Save a file with a byte-order mark or in UTF-16 as plain UTF-8 (in VS Code the status bar shows "UTF-8 with BOM" or "UTF-16 LE": click it, then Save with Encoding, then UTF-8). HPC Geo\'s Submit Job sends the editor\'s text as UTF-8, so it works there, but sbatch run on the file does not. A script that only writes job scripts (`cat > job.sh <<EOF` with the `#SBATCH` lines inside) is not submitted itself and is not reported.',
    source: 'sbatch(1); Slurm src/sbatch/sbatch.c.',
  },
  check(ctx) {
    if (ctx.script.text.startsWith(`${BYTE_ORDER_MARK}#!`)) {
      ctx.report({ start: 0, end: 1, message: 'A byte-order mark before #!: sbatch refuses the script (it needs #! as the first two bytes: "This does not look like a batch script"), and the kernel will not see the shebang either. Save the file as UTF-8 without BOM.', fix: { title: 'Remove the byte-order mark', edits: [{ start: 0, end: 1, newText: '' }] } });
      return;
    }
    const saved = ctx.script.savedEncoding;
    if (saved && ctx.script.text.startsWith('#!')) {
      // the editor shows the text without the encoding's bytes: no edit changes them, saving as UTF-8 does
      const what = saved === 'UTF-8 with BOM' ? 'with a byte-order mark before #! ("UTF-8 with BOM")' : `as ${saved} (two bytes per character)`;
      ctx.report({ start: 0, end: 2, message: `The file is saved ${what}: sbatch reads bytes and refuses it (it needs #! as the first two bytes: "This does not look like a batch script"), and the kernel will not see the shebang either. HPC Geo's Submit Job sends the text as UTF-8, but sbatch run on the file fails. Save it as UTF-8: in VS Code click "${saved}" in the status bar, then "Save with Encoding", then "UTF-8".` });
      return;
    }
    if (ctx.script.text.startsWith('#!') || ctx.script.text.trim() === '') return;
    const { header } = ctx.script;
    // a generator: its only #SBATCH lines are heredoc text of the job scripts it writes
    if (header.directiveLines.length === 0 && header.generatedDirectives.length > 0) return;
    const broken = brokenStart(ctx.script);
    const end = ctx.script.index.lineEnd(0);
    if (broken?.kind === 'no-hash') {
      ctx.report({ start: 0, end, message: `The first line is ${JSON.stringify(ctx.script.lines[0]!.trim().slice(0, 40))}: its # is missing, so sbatch refuses the script, and none of the #SBATCH lines below are read. Write #!${ctx.script.lines[0]!.trim().replace(/^!\s*/, '')}.`, fix: { title: 'Add the missing #', edits: [{ start: 0, end: ctx.script.lines[0]!.indexOf('!') + 1, newText: '#!' }] } });
      return;
    }
    if (broken?.kind === 'text-above') {
      const at = ctx.script.index.offset(broken.line, 0);
      ctx.report({ start: 0, end, message: `The #! line is line ${broken.line + 1}, with text above it: sbatch needs #! on the very first line and refuses the script, and none of the #SBATCH lines are read. Remove the lines above it.`, fix: { title: 'Remove the lines above #!', edits: [{ start: 0, end: at, newText: '' }] } });
      return;
    }
    ctx.report({ start: 0, end, message: 'The first line must be #! and an interpreter (e.g. #!/bin/bash); sbatch refuses the script without it.', fix: { title: 'Add #!/bin/bash', edits: [{ start: 0, end: 0, newText: '#!/bin/bash\n' }] } });
  },
};

/**
 * A first line that broke the script rather than a script without one: `!/bin/bash` (the # lost),
 * or text pasted above the `#!` line (within the first 20 lines). Its findings say so once, at the
 * cause, instead of a directive-after-command for every directive that follows.
 */
export function brokenStart(script: Script): { kind: 'no-hash' } | { kind: 'text-above'; line: number } | undefined {
  if (opensWithShebang(script.text)) return undefined;
  if (/^\s*!\s*\/\S/.test(script.lines[0] ?? '')) return { kind: 'no-hash' };
  const line = script.lines.slice(1, 20).findIndex((l) => l.startsWith('#!/') || l.startsWith('#! /'));
  return line < 0 ? undefined : { kind: 'text-above', line: line + 1 };
}

/** A line git leaves in a file with an unresolved conflict. */
export const CONFLICT_MARKER = /^(?:<{7}|={7}|>{7}|\|{7})(?:\s|$)/;

export const mergeConflictMarker: Rule = {
  id: 'merge-conflict-marker',
  severity: 'error',
  title: 'Unresolved merge conflict',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script still holds git\'s conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`).',
    why: 'bash stops at the marker with a syntax error, so the job fails there; a marker in the `#SBATCH` header also ends it, so every directive after it is ignored. Reported once, at the first marker, not once per directive.',
    fix: 'Resolve the conflict: keep one side, delete the markers.',
    source: 'git-merge(1), "HOW CONFLICTS ARE PRESENTED"; sbatch(1).',
  },
  check(ctx) {
    const lines = ctx.script.lines;
    const first = lines.findIndex((l) => CONFLICT_MARKER.test(l));
    if (first < 0) return;
    const count = lines.filter((l) => CONFLICT_MARKER.test(l)).length;
    const ignored = ctx.script.header.headerEnd === first ? ctx.script.header.lateDirectives.length : 0;
    const start = ctx.script.index.offset(first, 0);
    ctx.report({
      start,
      end: ctx.script.index.lineEnd(first),
      message: `Unresolved merge conflict (${count} marker line(s) from line ${first + 1}): bash stops here with a syntax error${ignored ? `, and the ${ignored} #SBATCH line(s) after it are ignored` : ''}. Resolve it and delete the markers.`,
    });
  },
};

export const crlfLineEndings: Rule = {
  id: 'crlf-line-endings',
  severity: 'error',
  title: 'Windows (CRLF) line ends',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'Lines end in `\\r\\n`, as editors on Windows write them.',
    why: 'sbatch refuses such a script ("Batch script contains DOS line breaks"); in a definition file every command gets a stray `\\r` (`$\'\\r\': command not found`).',
    fix: 'Convert to `\\n` line ends (the quick fix does; in VS Code also the "CRLF" item in the status bar).',
    source: 'Slurm src/sbatch/sbatch.c (DOS line breaks check).',
  },
  check(ctx) {
    const first = ctx.script.text.indexOf('\r\n');
    if (first < 0) return;
    const count = ctx.script.text.split('\r\n').length - 1;
    ctx.report({
      start: first,
      end: first + 2,
      message: `${count} line(s) end in CRLF (\\r\\n); ${ctx.script.kind === 'sbatch' ? 'sbatch refuses DOS line breaks' : 'shell commands get a stray \\r'}. Convert to LF.`,
      fix: { title: 'Convert all line ends to LF', edits: [{ start: 0, end: ctx.script.text.length, newText: ctx.script.text.replace(/\r\n/g, '\n') }] },
    });
  },
};

export const directiveAfterCommand: Rule = {
  id: 'directive-after-command',
  severity: 'warning',
  title: '#SBATCH after the first command is ignored',
  kinds: ['sbatch'],
  docs: {
    problem: 'A `#SBATCH` line comes after the first command (a `module load`, `set -e`, a variable). When the header was ended by a broken first line (`!/bin/bash`, text above `#!`) or a merge-conflict marker, that cause is reported once instead (`missing-shebang`, `merge-conflict-marker`). Lines inside a heredoc (`cat > job.sh <<EOF` … `EOF`) are the text of another script and are not reported.',
    why: 'Slurm reads directives only until the first line that is not a comment or blank; later ones are plain comments and the job runs without them, often with the default time or memory.',
    fix: 'Move the directive up into the header; the quick fix does.',
    source: 'sbatch(1): "before any executable commands".',
  },
  check(ctx) {
    const s = ctx.script;
    // one cause ended the header: it is reported once (missing-shebang, merge-conflict-marker)
    if (brokenStart(s) || CONFLICT_MARKER.test(s.lines[s.header.headerEnd] ?? '')) return;
    const firstCommand = s.header.headerEnd + 1;
    for (const span of s.header.lateDirectives) {
      const { start, end } = spanOffsets(s, span);
      const lineText = s.lines[span.line]!;
      const at = directiveInsertOffset(s);
      ctx.report({
        start,
        end,
        message: `Slurm ignores this directive: it comes after the first command (line ${firstCommand}). Move it into the header.`,
        fix: { title: 'Move into the #SBATCH header', edits: [{ start: at, end: at, newText: newDirectiveText(s, lineText) }, deleteLine(s, span.line)] },
      });
    }
  },
};

export const notADirective: Rule = {
  id: 'not-a-directive',
  severity: 'warning',
  title: 'A line that looks like a directive but is not one',
  kinds: ['sbatch'],
  docs: {
    problem: '`#SLURM --x`, `# SBATCH --x`, `#sbatch --x`, an indented `  #SBATCH --x`, or a mistyped `#SBATCH` (`#BATCH`, `#SBTACH`, `#SSBATCH`: one letter missing, added, changed or swapped) on a line that carries an option.',
    why: 'Slurm only reads lines that begin with exactly `#SBATCH` in the first column; the others are comments and their options never apply. (Older Slurm read `#SLURM` with a warning; current releases do not.)',
    fix: 'Write `#SBATCH` at the start of the line; the quick fix does. To switch a directive off on purpose, `##SBATCH` is clearer.',
    source: 'sbatch(1); Slurm src/sbatch/opt.c.',
  },
  check(ctx) {
    const names: Record<string, string> = { 'slurm-prefix': '#SLURM', 'space-after-hash': '# SBATCH', indented: 'an indented #SBATCH', lowercase: 'a lower-case #sbatch' };
    for (const l of ctx.script.header.lookalikes) {
      const { start, end } = spanOffsets(ctx.script, l.span);
      const text = ctx.script.lines[l.span.line]!;
      const rest = l.kind === 'misspelled' ? text.replace(/^\s*#\s*[A-Za-z]+/, '') : text.replace(/^\s*#\s*(sbatch|slurm)/i, '');
      const lineStart = ctx.script.index.offset(l.span.line, 0);
      const written = text.trim().slice(0, text.trim().length - rest.length).trim();
      ctx.report({
        start,
        end,
        message: l.kind === 'misspelled'
          ? `"${written}" is not "#SBATCH": sbatch ignores this line without a word, so its options never apply. Write #SBATCH.`
          : `Slurm ignores ${names[l.kind]} line: only "#SBATCH" at the start of a line is a directive.`,
        fix: { title: 'Make it an #SBATCH directive', edits: [{ start: lineStart, end: lineStart + text.length, newText: `#SBATCH${rest}` }] },
      });
    }
  },
};

export const variableInDirective: Rule = {
  id: 'variable-in-directive',
  severity: 'error',
  title: 'Shell variable in an #SBATCH value',
  kinds: ['sbatch'],
  docs: {
    problem: 'A directive uses `$VAR`, `${VAR}`, a script argument (`$1`, `$@`), `$(cmd)` or backticks: `#SBATCH --output=$HOME/logs/%j.out`, `#SBATCH --job-name=$1`.',
    why: 'Directives are read by sbatch, not by a shell: nothing is expanded. Slurm takes the text literally, so the log goes to a directory named `$HOME` that does not exist and the job fails without a log, or an account named `$ACCOUNT` is refused.',
    fix: 'Write the value out, use a relative path (relative to the submit directory, or `--chdir`), or pass the value on the command line: `sbatch --output="$HOME/logs/%j.out" job.sh`. In file names Slurm\'s own patterns work: `%u` user, `%j` job id, `%x` job name.',
    source: 'sbatch(1): "filename pattern"; Slurm does not run a shell on directives.',
  },
  check(ctx) {
    for (const use of ctx.script.header.options) {
      if (use.value === undefined) continue;
      const m = /\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\{?[0-9@*#]\}?|\$\(|`/.exec(use.value);
      if (!m) continue;
      const o = useOffsets(ctx.script, use);
      const home = /^\$\{?HOME\}?\//.test(use.value)
        ? ' (for $HOME use a path relative to the submit directory, or %u in a path)'
        : /^\$\{?[0-9@*#]/.test(m[0]) ? ' (the script\'s arguments do not exist yet when sbatch reads its header)' : '';
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `Slurm does not expand ${m[0]} in #SBATCH lines: it takes '${use.value}' literally${home}. Write the value out or pass it on the sbatch command line.` });
    }
  },
};

export const unfilledPlaceholder: Rule = {
  id: 'unfilled-placeholder',
  severity: 'info',
  title: 'A template with placeholders a driver fills in',
  kinds: ['sbatch'],
  docs: {
    problem: 'The `#SBATCH` header holds template placeholders: `{{ time }}`, `{% if gpus %}`, `{name}`, `$jobname$`, `<ACCOUNT>`, `@NODES@`.',
    why: 'The file is a template that a workflow tool (Jinja, a Python format string, sed) renders before it is submitted; as it stands sbatch would refuse it, but nobody submits it as it stands. Its placeholder values cannot be checked, so they are not reported as invalid times, counts or shell variables; the rest of the script is checked.',
    fix: 'Nothing to fix here. To check the values, lint a rendered script.',
    source: 'Issue 11 (templates in public repositories); sbatch(1).',
  },
  check(ctx) {
    const all = ctx.script.header.placeholders;
    const first = all[0];
    if (!first) return;
    const { start, end } = spanOffsets(ctx.script, first);
    const more = all.length > 1 ? ` and ${all.length - 1} more` : '';
    ctx.report({ start, end, message: `${first.text}${more}: template placeholder(s). sbatch refuses the file until they are filled in; their values were not checked (lint the rendered script for that).` });
  },
};

function isArrayJob(ctx: Parameters<Rule['check']>[0]): boolean {
  return !!option(ctx.script, 'array');
}

export const arrayLogWithoutIndex: Rule = {
  id: 'array-log-without-index',
  severity: 'warning',
  title: 'Array tasks write to the same log',
  kinds: ['sbatch'],
  docs: {
    problem: 'An array job names `--output`/`--error` without `%a` (the task index) or `%j` (each task\'s own job id; `%A` is the same for every task).',
    why: 'Every task writes to the same file: lines from hundreds of tasks interleave or overwrite each other, and the log of the one task that failed cannot be found.',
    fix: 'Put `%A_%a` in the name: `--output=logs/%x_%A_%a.out` (`%A` array job id, `%a` task index); the quick fix inserts `_%a`.',
    source: 'sbatch(1), "filename pattern"; the romcrop field report (array job management).',
  },
  check(ctx) {
    if (!isArrayJob(ctx)) return;
    for (const name of ['output', 'error']) {
      const use = option(ctx.script, name);
      // %j is each task's own job id (print_fields.c: step_id.job_id; %A is the array's), so a
      // name with %j is already one file per task
      if (!use?.value || /%\d*[aJj]/.test(use.value) || /^(none|\/dev\/null)$/i.test(use.value)) continue;
      const o = useOffsets(ctx.script, use);
      const dot = use.value.lastIndexOf('.');
      const base = dot > use.value.lastIndexOf('/') ? use.value.slice(0, dot) : use.value;
      const ext = use.value.slice(base.length);
      const fixed = `${base}${/%\d*[Aj]/.test(base) ? '' : '_%A'}_%a${ext}`;
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `Every task of this array writes to ${use.value}: add %a (the task index), e.g. ${fixed}.`, fix: { title: `Change to ${fixed}`, edits: [{ start: o.valueStart, end: o.valueEnd, newText: fixed }] } });
    }
  },
};

export const outputDirectoryNotCreated: Rule = {
  id: 'output-directory-not-created',
  severity: 'warning',
  title: 'Log file in a directory Slurm will not create',
  kinds: ['sbatch'],
  docs: {
    problem: '`--output`/`--error` point into a directory (`logs/%j.out`) that this script cannot create in time.',
    why: 'Slurm opens the log before the script runs and, in releases before 23.02 (and on clusters that keep the old behaviour), does not create missing directories: the job fails at once and leaves no log at all. A `mkdir -p logs` inside the script comes too late for this job.',
    fix: 'Create the directory before submitting (`mkdir -p logs && sbatch job.sh`), or write logs to the submit directory. The rule applies when the cluster profile\'s `slurmVersion` is older than 23.02.',
    source: 'sbatch(1), --output; the DR field report checklist ("Log directory exists (mkdir -p dr/logs)").',
  },
  check(ctx) {
    const version = ctx.profile.slurmVersion;
    if (!version || compareVersions(version, '23.02') >= 0) return;
    for (const name of ['output', 'error']) {
      const use = option(ctx.script, name);
      if (!use?.value || !use.value.includes('/') || use.value.startsWith('/dev/')) continue;
      const dir = use.value.slice(0, use.value.lastIndexOf('/'));
      if (!dir || /%/.test(dir)) continue;
      const o = useOffsets(ctx.script, use);
      ctx.report({ start: o.valueStart, end: o.valueEnd, message: `Slurm ${version} does not create '${dir}/'; if it is missing when the job starts, the job fails with no log. Run mkdir -p ${dir} before sbatch.` });
    }
  },
};

