/** Shell code that does not do what it reads as: bash's own rules, not Slurm's. */
import type { Command, Word } from '../analysis/bash';
import { option } from '../analysis/script';
import type { Rule, RuleContext } from './rule';
import { errexitAt } from './shellRobustness';
import { CONFLICT_MARKER } from './slurmScript';

/** Words that close or continue a compound command: alone at a command's place they close nothing. */
const CLOSERS = new Set(['done', 'fi', 'esac', 'then', 'do', 'elif', 'else']);

export const shellSyntaxError: Rule = {
  id: 'shell-syntax-error',
  severity: 'warning',
  title: 'A keyword that closes nothing: bash stops at this line',
  kinds: ['sbatch'],
  docs: {
    problem: 'A `done`, `fi`, `esac`, `then`, `do`, `elif` or `else` starts a command (at the start of a line or after `;`) where no loop, `if` or `case` is open: one too many after an edit, or the opening line was deleted or commented out. Reported only where the rest of the script parses, so that a construct the parser does not know is not taken for a mistake.',
    why: 'bash reads a script one command at a time. It runs every line above this one, then stops with "syntax error near unexpected token `done\'" and exit status 2: the job fails half-way, after the setup and before the work, often with its first steps\' output looking fine.',
    fix: 'Remove the extra keyword, or put back the line that opened the block. `bash -n script.sh` checks a whole script without running it.',
    source: 'bash(1), SHELL GRAMMAR ("Compound Commands"); a stray `done` was among the real problems that public scripts showed (issue 11).',
  },
  check(ctx) {
    const { shell, lines } = ctx.script;
    if (!shell.complete || shell.hasErrors || lines.some((l) => CONFLICT_MARKER.test(l))) return;
    for (const c of shell.commands) {
      if (!CLOSERS.has(c.name.raw) || c.substituted) continue;
      // at the start of a line or after a `;` (`echo ok; done`), where a command begins
      const at = ctx.script.index.position(c.start);
      const before = (lines[at.line] ?? '').slice(0, at.character).trimEnd();
      if (before !== '' && !before.endsWith(';')) continue;
      ctx.report({ start: c.name.start, end: c.name.end, message: `This ${c.name.raw} closes nothing that is open: bash runs the lines above it, then stops here with "syntax error near unexpected token \`${c.name.raw}'" and the job fails. Remove it, or restore the line that opened the block.` });
      return;
    }
  },
};

/** Dashes a word processor or a web page puts for `--` or `-`. */
const TYPO_DASH = /^[\u2012-\u2015\u2212\uFE58\uFE63\uFF0D]{1,2}(?=[A-Za-z])/;
const CURLY_QUOTE = /^[\u201C\u201D\u2018\u2019\u201E\u00AB\u00BB]/;

export const typographicCharacterInCommand: Rule = {
  id: 'typographic-character-in-command',
  severity: 'warning',
  title: 'A typographic dash or quote where the shell needs - or "',
  kinds: ['sbatch'],
  docs: {
    problem: 'An argument starts with an en or em dash (`srun —cpu_bind=cores`, `python fit.py –epochs 3`) or a word is quoted with curly quotes (`echo “done”`): text copied from a formatted page, a chat or a word processor, which turns `--` into a dash and `"` into “ ”.',
    why: 'To the shell and the program these are ordinary letters. `—cpu_bind=cores` is not an option: srun takes it for the program to run ("—cpu_bind=cores: No such file or directory"); argparse stops with "unrecognized arguments"; a curly-quoted string keeps its quotes and is split at its spaces.',
    fix: 'Type the hyphens and quotes again (`--cpu_bind=cores`, `"done"`); the quick fix replaces the character.',
    source: 'bash(1), QUOTING (only \' " and \\ quote); an em dash for `--` (`—cpu_bind=cores`) was among the real problems that public scripts showed (issue 11).',
  },
  check(ctx) {
    const seen = new Set<number>();
    for (const c of ctx.script.shell.commands) {
      for (const w of [c.name, ...c.args]) {
        const dash = TYPO_DASH.exec(w.raw);
        const quote = CURLY_QUOTE.exec(w.raw);
        if (!dash && !quote) continue;
        const line = ctx.script.index.position(w.start).line;
        if (seen.has(line)) continue;
        seen.add(line);
        if (dash) {
          // `–n 4` was `-n 4`; `—epochs`, `–cpu_bind=cores` were `--`
          const rest = w.raw.slice(dash[0].length);
          const hyphens = /^[A-Za-z](?![A-Za-z])/.test(rest) ? '-' : '--';
          ctx.report({ start: w.start, end: w.end, message: `'${w.raw}' starts with a typographic dash (${dash[0]}), not ${hyphens === '-' ? 'a hyphen' : 'two hyphens'}, as text pasted from a formatted page has it: ${c.base} does not see an option here. Write ${hyphens}${rest}.`, fix: { title: `Change to ${hyphens}${rest}`, edits: [{ start: w.start, end: w.start + dash[0].length, newText: hyphens }] } });
        } else {
          const q = quote![0];
          const straight = q === '\u2018' || q === '\u2019' ? '\'' : '"';
          const edits = [...w.raw].flatMap((ch, i) => (CURLY_QUOTE.test(ch) ? [{ start: w.start + i, end: w.start + i + 1, newText: straight }] : []));
          ctx.report({ start: w.start, end: w.end, message: `${q} is a typographic quote, not ${straight}: the shell does not quote with it, so the word keeps it as a letter and splits at spaces. Write ${straight}.`, fix: { title: `Change to ${straight}`, edits } });
        }
      }
    }
  },
};

export const returnOutsideFunction: Rule = {
  id: 'return-outside-function',
  severity: 'warning',
  title: 'return outside a function in a job script',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job script calls `return` outside any function (`[ -f input.tif ] || return 1`), as code written to be sourced does. A `return` whose error is sent to `/dev/null` (`return 1 2>/dev/null || exit 1`, which works sourced or run) or in a subshell (`(return 0 2>/dev/null)`, the test for being sourced) is meant and not reported.',
    why: 'sbatch runs the script, it does not source it, and in a script `return` outside a function is an error: bash prints "return: can only `return\' from a function or sourced script" and goes on with the next line. The check meant to stop the job stops nothing, and the job runs without its input.',
    fix: 'Use `exit` (with the status: `exit 1`); the quick fix changes it.',
    source: 'bash(1), SHELL BUILTIN COMMANDS, return; `return` at top level was among the real problems that public scripts showed (issue 11).',
  },
  check(ctx) {
    if (!ctx.script.header.directiveLines.length) return;
    for (const c of ctx.script.shell.commands) {
      // `(return 0 2>/dev/null)` asks whether the file is sourced; `return 1 2>/dev/null || exit 1`
      // works sourced or run: whoever silences return's error knows it may fail
      if (c.name.raw !== 'return' || c.inFunction || c.substituted || c.inSubshell || /^[ \t]*(?:2>|&>)[ \t]*\/dev\/null/.test(ctx.script.text.slice(c.end, c.end + 40))) continue;
      ctx.report({ start: c.name.start, end: c.name.end, message: 'return outside a function does not end a job script: bash says "can only `return\' from a function or sourced script" and runs on. Use exit.', fix: { title: 'Change to exit', edits: [{ start: c.name.start, end: c.name.end, newText: 'exit' }] } });
    }
  },
};

/** Commands whose output is text to read, not a command to run. */
const PRINTS = new Set(['echo', 'printf', 'date', 'hostname', 'pwd', 'whoami', 'expr', 'seq', 'wc', 'nproc', 'squeue', 'sacct', 'sinfo', 'id', 'uname', 'du', 'df', 'ls', 'nvidia-smi', 'free']);
/** Commands that change the shell they run in: in a substitution they change a subshell. */
const CHANGES_SHELL = new Set(['module', 'ml', 'cd', 'export', 'declare', 'local', 'readonly', 'typeset', 'source', '.', 'conda', 'set', 'ulimit', 'umask', 'alias', 'unset']);

/** Whether a word is one whole `$( )` or backtick substitution. */
function wholeSubstitution(w: Word): boolean {
  const raw = w.raw;
  if (raw.length > 2 && raw.startsWith('`') && raw.endsWith('`')) return raw.indexOf('`', 1) === raw.length - 1;
  if (!raw.startsWith('$(') || !raw.endsWith(')') || raw.startsWith('$((')) return false;
  let depth = 0;
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === '(') depth++;
    else if (raw[i] === ')' && --depth === 0) return i === raw.length - 1;
  }
  return false;
}

export const substitutionOutputRun: Rule = {
  id: 'substitution-output-run',
  severity: 'warning',
  title: 'A command substitution alone on a line: its output is run as a command',
  kinds: ['sbatch'],
  docs: {
    problem: 'A line is only a command substitution: `` `echo "Starting at $(date)"` ``, `$(date)`, `$(module load gcc)`. A substitution of a command that prints a command to run, with the words after it (`$(which python) fit.py`) or reading it from a file (`$(sed -n "${SLURM_ARRAY_TASK_ID}p" commands.txt)`), is the usual way to run one and is not reported.',
    why: 'The shell replaces the substitution with the command\'s output and then runs that output: `Starting: command not found` in the log, or a word of the date run as a program. A `module load`, `cd` or `export` inside `$( )` runs in a subshell, so its effect is gone on the next line and the job runs without the module.',
    fix: 'Drop the backticks or `$( )`: `echo "Starting at $(date)"`, `module load gcc`. The quick fix does.',
    source: 'bash(1), Command Substitution; a backticked command whose output got executed was among the real problems that public scripts showed (issue 11).',
  },
  check(ctx) {
    const cmds = ctx.script.shell.commands;
    for (const c of cmds) {
      if (c.args.length || c.prefixAssignments.length || !wholeSubstitution(c.name)) continue;
      const open = c.name.raw.startsWith('`') ? 1 : 2;
      const body = c.name.raw.slice(open, -1).trim();
      // `export`, `declare` and `local` are declarations, not commands, to the parser
      const base = cmds.find((x) => x.start > c.name.start && x.end <= c.name.end)?.base ?? /^(export|declare|local|readonly|typeset)\b/.exec(body)?.[1];
      if (!base) continue;
      const prints = PRINTS.has(base);
      // `if $(... | grep -q x)`: an empty output leaves the substitution's status, as meant
      if ((!prints && !CHANGES_SHELL.has(base)) || (prints && c.tested)) continue;
      ctx.report({
        start: c.name.start,
        end: c.name.end,
        message: prints ? `The output of ${base} is run as a command here (the shell runs what a substitution prints). Drop the ${open === 1 ? 'backticks' : '$( )'}.` : `${base} runs in a subshell here, so its effect is gone on the next line; and its output, if any, is run as a command. Drop the ${open === 1 ? 'backticks' : '$( )'}.`,
        fix: { title: `Run ${base} itself`, edits: [{ start: c.name.start, end: c.name.end, newText: body }] },
      });
    }
  },
};

/** A shell pattern (`*`, `?`, `[...]`) matched against a path as the shell does (no `*` across a `/`). */
export function globMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] === '[') {
      const close = pattern.indexOf(']', p + 2);
      if (close > 0) {
        const set = pattern.slice(p + 1, close);
        const negate = set.startsWith('!') || set.startsWith('^');
        const chars = negate ? set.slice(1) : set;
        let hit = false;
        for (let i = 0; i < chars.length; i++) {
          if (chars[i + 1] === '-' && i + 2 < chars.length) {
            if (name[n]! >= chars[i]! && name[n]! <= chars[i + 2]!) hit = true;
            i += 2;
          } else if (chars[i] === name[n]) hit = true;
        }
        if (hit !== negate) {
          p = close + 1;
          n++;
          continue;
        }
      }
    } else if (p < pattern.length && ((pattern[p] === '?' && name[n] !== '/') || pattern[p] === name[n])) {
      p++;
      n++;
      continue;
    }
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
      continue;
    }
    // a `*` matches within one path component
    if (star < 0 || name[mark] === '/') return false;
    p = star + 1;
    n = ++mark;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** `$SLURM_SUBMIT_DIR` as a cd's whole argument: where the job starts (unless --chdir), so going there changes nothing. */
const SUBMIT_DIR = /^"?\$\{?SLURM_SUBMIT_DIR\}?"?\/?$/;

/** A name the log pattern gives, with each %-field filled in as sbatch fills it in. */
function sampleLogName(pattern: string, jobName: string): string {
  return pattern.replace(/%(\d*)([%AaJjNnstux])/g, (_m, _w: string, f: string) => ({ '%': '%', A: '4242', a: '7', J: '4242', j: '4242', N: 'node01', n: '0', s: '0', t: '0', u: 'user', x: jobName })[f] ?? f);
}

function recursive(args: readonly Word[]): boolean {
  return args.some((a) => a.text === '--recursive' || /^-[a-zA-Z]*[rR]/.test(a.text));
}

export const rmOwnLog: Rule = {
  id: 'rm-own-log',
  severity: 'warning',
  title: 'The job deletes its own log while writing it',
  kinds: ['sbatch'],
  docs: {
    problem: 'The job script runs `rm` on names that match its own output or error file: `rm -f *.out *.err` or `rm slurm-*.out` with the default `slurm-%j.out`, `rm logs/*.log` with `--output=logs/%x-%j.log`, `rm -rf logs` with the log inside it. Tidying up old logs at the start of a job is what it is meant to do. An `rm` after a `cd` is not reported: the names are then of another directory.',
    why: 'The log is already open: `rm` removes its name, and everything the job writes after it goes into a file nobody can open. When the job fails, there is no log to tell why; `sacct` shows the state and nothing more.',
    fix: 'Delete old logs before submitting, or name what to delete so that it cannot match this job\'s log (`find . -name "slurm-*.out" ! -name "slurm-${SLURM_JOB_ID}.out" -delete`), or put the logs of each run in a directory of their own.',
    source: 'sbatch(1), --output (filename pattern; slurmstepd opens the file when the job starts); unlink(2). `rm -f *.out *.err` deleting the job\'s own open logs was among the real problems that public scripts showed (issue 11).',
  },
  check(ctx) {
    const jobName = option(ctx.script, 'job-name')?.value ?? 'job';
    const array = !!option(ctx.script, 'array');
    const logs = ['output', 'error'].map((o) => option(ctx.script, o)?.value).filter((v): v is string => !!v && !v.startsWith('/dev/'));
    if (!option(ctx.script, 'output')) logs.push(array ? 'slurm-%A_%a.out' : 'slurm-%j.out');
    const samples = logs.map((l) => ({ pattern: l, name: sampleLogName(l.replace(/^\.\//, ''), jobName) }));
    // after a cd, the names are of another directory, which the text does not tell (a cd to the
    // submit directory, where the job starts, changes nothing)
    const firstCd = ctx.script.shell.commands.find((c) => ['cd', 'pushd'].includes(c.base) && !SUBMIT_DIR.test(c.args[0]?.raw ?? ''))?.start ?? Infinity;
    for (const c of ctx.script.shell.commands) {
      if (c.base !== 'rm' || c.substituted || c.start > firstCd) continue;
      for (const a of c.args) {
        if (a.text.startsWith('-') || a.text.includes('$')) continue;
        let target = a.text.replace(/^\.\//, '');
        while (target.endsWith('/')) target = target.slice(0, -1);
        // an absolute log is where a relative name points only when the job was submitted there
        const hit = samples.find((s) => (s.name.startsWith('/') === target.startsWith('/')) && (globMatches(target, s.name) || (recursive(c.args) && target !== '' && s.name.startsWith(`${target}/`))));
        if (!hit) continue;
        ctx.report({ start: a.start, end: a.end, message: `${a.text} matches this job's own log (${hit.pattern}): rm removes it while the job writes to it, and all later output is lost. Delete old logs before submitting, or leave out this job's.` });
        break;
      }
    }
  },
};

/** Variables that are never empty in a job. */
const ALWAYS_SET = new Set(['HOME', 'PWD', 'SLURM_SUBMIT_DIR', 'SLURM_JOB_ID', 'SLURM_JOBID', 'USER', 'LOGNAME']);

export const rmEmptyVariable: Rule = {
  id: 'rm-empty-variable',
  severity: 'warning',
  title: 'rm -r of a path that starts with a variable the script never sets',
  kinds: ['sbatch'],
  docs: {
    problem: '`rm -rf "$WORKDIR"/*`, `rm -r $SCRATCH/`: a recursive `rm` of everything under a variable the script does not set (it comes from the environment, a site\'s prolog or the submitting shell) and that is not guarded with `${VAR:?}`. A deeper path (`$TMPDIR/ray/*`) is not reported: with the variable empty it names nothing, and rm fails. Nor is a variable the script makes sure of first (`: "${WORKDIR:?}"`, `[ -n "$OUTDIR" ] || exit 1`, `[[ -d $SLURM_TMPDIR ]] &&`), or one a file it sources may set.',
    why: 'When the variable is unset or empty, the path becomes `/*` or `/`: `rm -rf` then deletes everything the user can write from the root down, home and project directories included, on a cluster file system with no snapshot. `$SLURM_TMPDIR` and `$SCRATCH` are set on some clusters and not on others, so a script that was safe where it was written is not when moved.',
    fix: 'Write `${VAR:?}` (the quick fix): the shell then stops with "VAR: parameter null or not set" instead of deleting. Better still, set the variable in the script from something you checked.',
    source: 'bash(1), Parameter Expansion, ${parameter:?word}; ShellCheck SC2115.',
  },
  check(ctx) {
    const own = new Set(ctx.script.shell.assignments.map((a) => a.name));
    for (const c of ctx.script.shell.commands) {
      if (c.base !== 'rm' || !recursive(c.args)) continue;
      for (const a of c.args) {
        // only what is left when the variable is empty: `/`, `/*`, `/.*` (a deeper path that is
        // then missing makes rm fail, not delete)
        const m = /^"?\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))"?\/"?(?:\*|\.\*|\*\.\*)?"?$/.exec(a.raw);
        const name = m?.[1] ?? m?.[2];
        if (!m || !name || ALWAYS_SET.has(name) || own.has(name) || loopVariable(ctx, name) || guarded(ctx, name, c.start)) continue;
        const at = a.start + a.raw.indexOf('$');
        const len = m[1] ? name.length + 3 : name.length + 1;
        ctx.report({ start: at, end: at + len, message: `If ${name} is empty or unset, this deletes from the root down (${a.raw.replace(/^"?\$\{?\w+\}?"?/, '')}): the script never sets it. Write \${${name}:?} so the shell stops instead.`, fix: { title: `Write \${${name}:?}`, edits: [{ start: at, end: at + len, newText: `\${${name}:?}` }] } });
        break;
      }
    }
  },
};

/**
 * Whether the script makes sure of the variable before `offset`: `${NAME:?}` anywhere before, a
 * test of it (`[ -n "$NAME" ]`, `[[ -d $NAME ]]`, `-z`), or a sourced file that may set it.
 */
function guarded(ctx: RuleContext, name: string, offset: number): boolean {
  const before = ctx.script.text.slice(0, offset);
  if (before.includes(`\${${name}:?`) || before.includes(`\${${name}?`)) return true;
  if (new RegExp(`-[nzdef][ \\t]+"?\\$\\{?${name}\\b`).test(before)) return true;
  return ctx.script.shell.commands.some((c) => c.start < offset && ['source', '.'].includes(c.base));
}

/** Whether `for NAME in` or `read ... NAME` sets the variable (not assignments to tree-sitter). */
function loopVariable(ctx: RuleContext, name: string): boolean {
  return ctx.script.text.includes(`for ${name} `) || ctx.script.shell.commands.some((c: Command) => ['read', 'mapfile', 'readarray', 'getopts'].includes(c.base) && c.args.some((a) => a.text === name));
}

export const cdUncheckedBeforeRm: Rule = {
  id: 'cd-unchecked-before-rm',
  severity: 'warning',
  title: 'An unchecked cd before an rm of everything here',
  kinds: ['sbatch'],
  docs: {
    problem: 'The script changes directory with a `cd` whose failure nothing catches (no `|| exit`, no `set -e`, no `trap ... ERR`), and then deletes relative to where it is: `rm -rf *`, `rm -r ./*`, `rm -rf tmp_*`. Only the last `cd` before the `rm` counts; an `rm` that runs only if its own `cd` worked (`cd build && rm -rf ./*`), a check of `$PWD` between them, and a `cd "$SLURM_SUBMIT_DIR"` (failing, it leaves the job where it started anyway) are not reported.',
    why: 'When the `cd` fails (a typo, a directory a previous job did not create, a file system not mounted on this node), the shell prints an error and stays where it was: the job\'s working directory, usually the submit directory with the code and the results. The `rm` then deletes those.',
    fix: 'Write `cd "$DIR" || exit 1`, or use absolute paths in the `rm`. The quick fix adds `|| exit 1`, and for `cd $DIR` also writes `"${DIR:?}"`: with DIR empty, `cd $DIR` goes to your home and succeeds.',
    source: 'bash(1), cd; ShellCheck SC2164 ("Use cd ... || exit in case cd fails").',
  },
  check(ctx) {
    const cmds = ctx.script.shell.commands;
    // an rm in a list (`cd build && rm -rf ./*`) runs only where the cd before it went
    const wipes = cmds.filter((c) => c.base === 'rm' && !c.substituted && !c.tested && recursive(c.args) && c.args.some((a) => !a.text.startsWith('-') && !a.text.startsWith('/') && !a.text.includes('$') && /^(\.\/)?[^/]*\*/.test(a.text)));
    const text = ctx.script.text;
    for (const wipe of wipes) {
      // the cd the rm runs after: the last one before it
      const c = cmds.filter((x) => ['cd', 'pushd'].includes(x.base) && x.end <= wipe.start && !x.substituted && !x.inSubshell).at(-1);
      if (!c || c.tested || c.background || !c.args.length || errexitAt(ctx, c.start)) continue;
      const target = c.args[0]!;
      // failing there leaves the job where it started; an ERR trap or a look at $PWD stops it
      if (SUBMIT_DIR.test(target.raw) || /\btrap\b[^\n]*\bERR\b/.test(text.slice(0, c.start)) || /\$\{?PWD\b|\$\(pwd\)|`pwd`/.test(text.slice(c.end, wipe.start))) continue;
      const line = ctx.script.index.position(wipe.start).line + 1;
      // `cd $DIR` with DIR empty goes home and succeeds: the fix stops on an empty variable too
      const variable = /^"?\$\{?([A-Za-z_]\w*)\}?"?$/.exec(target.raw)?.[1];
      const edits = variable
        ? [{ start: target.start, end: target.end, newText: `"\${${variable}:?}"` }, { start: c.end, end: c.end, newText: ' || exit 1' }]
        : [{ start: c.end, end: c.end, newText: ' || exit 1' }];
      const written = variable ? `${c.name.text} "\${${variable}:?}" || exit 1` : `${text.slice(c.start, c.end)} || exit 1`;
      ctx.report({ start: c.start, end: c.end, message: `If this ${c.base} fails${variable ? ` (or ${variable} is empty, when it goes to your home)` : ''}, the shell stays where it is, and the ${text.slice(wipe.start, wipe.end)} on line ${line} deletes there instead. Write ${written}.`, fix: { title: 'Stop the job if cd fails', edits } });
      return;
    }
  },
};

