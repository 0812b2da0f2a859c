/**
 * hpc-lint: the language server's engine on the command line, for CI.
 *
 *   hpc-lint [--format text|json|sarif|gcc] [--profile NAME] [--fail-on error|warning|info]
 *            [--config FILE] FILE... | -
 *
 * Exit 0 when nothing reaches --fail-on (default warning), 1 when something does, 2 on a usage
 * or read error (said on stderr).
 */
import { existsSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { loadBash } from './analysis/bash';
import { checkConfigRuleId, detectKind, ENGINE_CODES, ENGINE_DESCRIPTIONS, lint, RULES, SOURCE, type Diagnostic } from './engine';
import { configParser, loadBuiltinProfiles, WORKSPACE_CONFIG_FILE, type Severity, type WorkspaceConfig } from './profiles/profiles';
import { resources } from './resources';
import { decodeText } from './textDecoding';
import { VERSION } from './version';


type Format = 'text' | 'json' | 'sarif' | 'gcc';
const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

interface FileResult {
  file: string;
  diagnostics: Diagnostic[];
  /** A FILE argument that was linted (the configuration's own problems are shown but not counted as a linted file). */
  linted: boolean;
}

const USAGE = `usage: hpc-lint [--format text|json|sarif|gcc] [--profile NAME] [--fail-on error|warning|info] [--config FILE] FILE... | -
  --format     output format (default text)
  --profile    cluster profile for every file (overrides # hpc-geo: cluster= comments)
  --fail-on    lowest severity that makes the exit status 1 (default warning)
  --config     workspace configuration (default ./${WORKSPACE_CONFIG_FILE} when present)
  --list-rules print the rules and exit
  --version    print hpc-lint's version and exit
  --help, -h   print this help and exit
  -            read one script from standard input`;

class UsageError extends Error {}

function parseArgs(argv: string[]): { format: Format; profile?: string; failOn: Severity; config?: string; files: string[]; listRules: boolean } {
  const out = { format: 'text' as Format, failOn: 'warning' as Severity, files: [] as string[], listRules: false } as ReturnType<typeof parseArgs>;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const v = value();
        if (!['text', 'json', 'sarif', 'gcc'].includes(v)) throw new UsageError(`--format must be text, json, sarif or gcc, not '${v}'`);
        out.format = v as Format;
        break;
      }
      case '--profile':
        out.profile = value();
        break;
      case '--fail-on': {
        const v = value();
        if (!(v in RANK)) throw new UsageError(`--fail-on must be error, warning or info, not '${v}'`);
        out.failOn = v as Severity;
        break;
      }
      case '--config':
        out.config = value();
        break;
      case '--list-rules':
        out.listRules = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      case '--version':
        process.stdout.write(`hpc-lint ${VERSION}\n`);
        process.exit(0);
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        out.files.push(a);
    }
  }
  if (!out.files.length && !out.listRules) throw new UsageError('no files given');
  return out;
}

function readStdin(): Buffer {
  return readFileSync(0);
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`hpc-lint: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const res = resources();
  if (args.listRules) {
    for (const r of RULES) process.stdout.write(`${r.id.padEnd(34)} ${r.severity.padEnd(8)} ${r.title}\n`);
    return 0;
  }
  const builtinProfiles = loadBuiltinProfiles(res.profilesDir);
  const parser = await loadBash(res);
  const results: FileResult[] = [];
  /** FILE arguments that were not linted (unreadable, or a configuration file), with why: said on stderr, and in the summary or SARIF. */
  const unread: { file: string; reason: string }[] = [];

  let workspace: WorkspaceConfig | undefined;
  const configPath = args.config ?? (existsSync(WORKSPACE_CONFIG_FILE) ? WORKSPACE_CONFIG_FILE : undefined);
  if (configPath) {
    try {
      const parsed = configParser().parseWorkspaceConfig(readFileSync(configPath, 'utf8'), { checkRuleId: checkConfigRuleId });
      workspace = parsed.config;
      if (parsed.problems.length) {
        results.push({
          file: configPath,
          linted: false,
          diagnostics: parsed.problems.map((p) => ({
            code: p.code ?? 'config-error',
            severity: p.severity ?? ('error' as const),
            message: p.message,
            start: 0,
            end: 0,
            range: { start: { line: p.line, character: p.character }, end: { line: p.endLine, character: p.endCharacter } },
          })),
        });
      }
    } catch (e) {
      process.stderr.write(`hpc-lint: cannot read ${configPath}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (args.profile && !builtinProfiles.has(args.profile) && !workspace?.profiles[args.profile]) {
    process.stderr.write(`hpc-lint: no profile '${args.profile}' (known: ${[...builtinProfiles.keys(), ...Object.keys(workspace?.profiles ?? {})].sort().join(', ')})\n`);
    return 2;
  }

  let notLinted = 0;
  for (const file of args.files) {
    // a configuration file is no script: linting it as one would report a missing #! and nothing of use
    if (file !== '-' && /\.ya?ml$/i.test(file)) {
      const reason = `${file} is a configuration file; pass it with --config`;
      process.stderr.write(`hpc-lint: ${reason}\n`);
      unread.push({ file, reason });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = file === '-' ? readStdin() : readFileSync(file);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const reason = `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message}`;
      process.stderr.write(`hpc-lint: ${reason}\n`);
      unread.push({ file, reason });
      continue;
    }
    const name = file === '-' ? '<stdin>' : file;
    const { text, problem, savedEncoding } = decodeText(bytes);
    const { diagnostics } = lint(parser, text, {
      ...(savedEncoding ? { savedEncoding } : {}),
      kind: detectKind(name, text),
      builtinProfiles,
      ...(workspace ? { workspace } : {}),
      ...(args.profile ? { defaultProfile: args.profile, forceProfile: true } : {}),
    });
    // a file the engine did not lint (binary, too large) gets that one finding, not an encoding warning beside it
    if (problem && !diagnostics.some((d) => d.code === ENGINE_CODES.binary || d.code === ENGINE_CODES.tooLarge)) diagnostics.unshift(problem);
    results.push({ file: name, diagnostics, linted: true });
    // too large to lint: reported, and, like a file that cannot be read, a run that did not check everything
    const tooLarge = diagnostics.find((d) => d.code === ENGINE_CODES.tooLarge);
    if (tooLarge) {
      process.stderr.write(`hpc-lint: ${name} was not linted: ${tooLarge.message.replace(/^Not linted: /, '')}\n`);
      notLinted++;
    }
  }

  process.stdout.write(render(args.format, results, unread));
  if (unread.length || notLinted) return 2;
  const failing = results.some((r) => r.diagnostics.some((d) => RANK[d.severity] >= RANK[args.failOn]));
  return failing ? 1 : 0;
}

function render(format: Format, results: FileResult[], unread: { file: string; reason: string }[]): string {
  const rows = results.flatMap((r) =>
    r.diagnostics.map((d) => ({
      file: r.file,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.character + 1,
      severity: d.severity,
      code: d.code,
      message: d.message,
    })),
  );
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows, null, 2)}\n`;
    case 'gcc':
      return rows.map((r) => `${r.file}:${r.line}:${r.column}: ${r.severity === 'info' ? 'note' : r.severity}: ${r.message} [${r.code}]\n`).join('');
    case 'sarif':
      return `${JSON.stringify(sarif(rows, unread), null, 2)}\n`;
    default: {
      const count = (s: Severity) => rows.filter((r) => r.severity === s).length;
      const lines = rows.map((r) => `${r.file}:${r.line}:${r.column}: ${r.severity} [${r.code}] ${r.message}\n`);
      // "no problems" only when every file given was read: one that could not be is no clean result
      const clean = rows.length || unread.length ? '' : 'no problems\n';
      const notRead = unread.length ? `; ${unread.length} file(s) not linted` : '';
      return `${lines.join('')}${clean}${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s) in ${results.filter((r) => r.linted).length} file(s)${notRead}\n`;
    }
  }
}

function sarif(rows: { file: string; line: number; column: number; endLine: number; endColumn: number; severity: Severity; code: string; message: string }[], unread: { file: string; reason: string }[]) {
  const level = (s: Severity) => (s === 'info' ? 'note' : s);
  const codes = [...new Set(rows.map((r) => r.code))];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: SOURCE,
            version: VERSION,
            // no informationUri or helpUri: the rule pages are files of this installation, and a
            // file:// URI in an uploaded SARIF (code scanning shows it to everyone) names a path of
            // the machine that ran hpc-lint and opens nowhere; the package has no public URL for
            // them (no repository or homepage in package.json), so the help travels as text
            rules: [
              ...RULES.map((r) => ({
                id: r.id,
                name: r.id,
                shortDescription: { text: r.title },
                fullDescription: { text: r.docs.problem },
                help: { text: `${r.docs.problem}\n\nWhy it matters: ${r.docs.why}\n\nFix: ${r.docs.fix}\n\nSource: ${r.docs.source}`, markdown: `${r.docs.problem}\n\n**Why it matters:** ${r.docs.why}\n\n**Fix:** ${r.docs.fix}\n\n**Source:** ${r.docs.source}` },
                defaultConfiguration: { level: level(r.severity) },
              })),
              ...codes.filter((c) => !RULES.some((r) => r.id === c)).map((c) => ({ id: c, name: c, shortDescription: { text: ENGINE_DESCRIPTIONS[c] ?? c } })),
            ],
          },
        },
        // a FILE that was not linted fails the run: a code-scanning upload must not read it as clean
        invocations: [
          {
            executionSuccessful: unread.length === 0,
            ...(unread.length ? { toolExecutionNotifications: unread.map((u) => ({ level: 'error', message: { text: u.reason }, locations: [{ physicalLocation: { artifactLocation: { uri: u.file.replace(/\\/g, '/') } } }] })) } : {}),
          },
        ],
        results: rows.map((r) => ({
          ruleId: r.code,
          level: level(r.severity),
          message: { text: r.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: r.file.replace(/\\/g, '/') }, region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn } } }],
        })),
      },
    ],
  };
}

if (require.main === module) {
  // Liftoff only: a short run otherwise waits ~0.4 s at exit for V8's background TurboFan compile of
  // the grammar's wasm, more than the whole lint of hundreds of files (npm run bench: lint). The
  // long-running language server keeps the default, where the faster TurboFan code pays off.
  setFlagsFromString('--liftoff-only');
  // a reader that stops early (`hpc-lint --list-rules | head -1`) closes the pipe: stop quietly, as Unix tools do
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`hpc-lint: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}

