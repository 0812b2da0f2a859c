/**
 * The lint engine shared by the language server and `hpc-lint`: one document in, diagnostics out.
 * It chooses the cluster profile, runs every rule that applies (a rule that throws is reported,
 * never fatal), applies `# hpc-lint disable=` comments and severity overrides, and keeps every
 * range inside the document.
 */
import type { Parser } from 'web-tree-sitter';
import { settingSpecs } from '../../common/settings';
import { PARSE_BUDGET_MS, type ParseSession } from './analysis/bash';
import { analyze, BYTE_ORDER_MARK, type SavedEncoding, type Script, type ScriptKind } from './analysis/script';
import type { Range } from './analysis/text';
import { LineIndex } from './analysis/text';
import { resolveProfile, UNKNOWN_RULE_ID, type Profile, type Severity, type WorkspaceConfig } from './profiles/profiles';
import { recogniseCluster } from './profiles/recognise';
import type { Fix } from './rules/rule';
import { RULES, ruleById } from './rules';
import { didYouMean } from './rules/util';

export const SOURCE = 'hpc-lint';
/** Larger documents are not linted (a diagnostic says so). */
export const MAX_LINT_BYTES = 5 * 1024 * 1024;

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  /** Offsets of the range, for fixes and suppressions. */
  start: number;
  end: number;
  fix?: Fix;
}

export interface LintOptions {
  kind: ScriptKind;
  builtinProfiles: ReadonlyMap<string, Profile>;
  workspace?: WorkspaceConfig;
  /** The setting hpcGeo.lint.defaultProfile, or --profile. */
  defaultProfile?: string;
  /** --profile forces the profile over the script's own comment. */
  forceProfile?: boolean;
  /** The document's parse session: the shell is re-parsed incrementally from its last tree. */
  session?: ParseSession;
  /**
   * The file is saved in an encoding the text does not show: a UTF-8 byte-order mark the editor
   * keeps out of the text (VS Code: "UTF-8 with BOM"), or UTF-16 decoded by the editor or hpc-lint.
   * sbatch reads bytes: it refuses both (no #! as the first two bytes).
   */
  savedEncoding?: SavedEncoding;
}

export interface LintResult {
  diagnostics: Diagnostic[];
  /** The profile used, by name and resolved. */
  profile: string;
  /** The cluster a `# hpc-geo: cluster=<name>` comment names, if the script has one. */
  clusterComment?: string;
  resolvedProfile?: Profile;
  /** The analysis the rules ran on (absent when the file was not linted). */
  script?: Script;
}

/** Codes of the engine's own diagnostics (not rules). */
export const ENGINE_CODES = {
  tooLarge: 'file-too-large',
  binary: 'binary-file',
  unknownProfile: 'unknown-profile',
  internal: 'internal-error',
  tooComplex: 'too-complex',
  unknownRuleId: UNKNOWN_RULE_ID,
  recognised: 'profile-recognised',
} as const;

/** What the engine's own codes mean (they have no rule object). */
export const ENGINE_DESCRIPTIONS: Record<string, string> = {
  [ENGINE_CODES.tooLarge]: 'The file is too large to be a job script; it was not linted.',
  [ENGINE_CODES.binary]: 'The file holds a NUL byte (a binary file, or a script with one in it); sbatch refuses such a script. It was not linted.',
  [ENGINE_CODES.unknownProfile]: 'The script names a cluster profile that does not exist; generic was used.',
  [ENGINE_CODES.internal]: 'A rule failed on this script and was skipped.',
  [ENGINE_CODES.tooComplex]: `The shell code could not be parsed within ${PARSE_BUDGET_MS / 1000} s; the #SBATCH directives were checked, the rules that read the shell code were skipped.`,
  'config-error': 'A value in .hpc-geo.yaml is wrong; it was ignored.',
  'invalid-encoding': 'The file is not valid UTF-8; bad bytes were replaced.',
  [ENGINE_CODES.recognised]: 'No cluster profile was chosen, and the script shows which cluster it is for (a LUMI or NRIS project, a partition or path only that cluster has): it was checked with that profile. A `# hpc-geo: cluster=NAME` comment, `defaultProfile` in .hpc-geo.yaml, the setting hpcGeo.lint.defaultProfile or `hpc-lint --profile` chooses instead.',
  [ENGINE_CODES.unknownRuleId]: 'A `# hpc-lint disable=` comment or the `rules:` of .hpc-geo.yaml names a rule id that does not exist (a typo?), so it suppresses or sets nothing.',
};

const RULE_IDS = RULES.map((r) => r.id);
/**
 * The engine's findings made before the script is read (a binary or too large file is not linted)
 * or outside it (an encoding problem, a value of .hpc-geo.yaml): no comment in the script reaches them.
 */
const UNSUPPRESSIBLE: readonly string[] = [ENGINE_CODES.binary, ENGINE_CODES.tooLarge, 'invalid-encoding', 'config-error'];
/** What `# hpc-lint disable=` can name: the rules, the engine's own findings about the script, and `all`. */
const SUPPRESSIBLE = [...RULE_IDS, ...Object.keys(ENGINE_DESCRIPTIONS).filter((c) => !UNSUPPRESSIBLE.includes(c))];
const UNSUPPRESSIBLE_WHY = 'no comment can suppress it: the file is not linted when it is there, or it is not about the script';

function unknownId(id: string, known: readonly string[]): string {
  const near = didYouMean(id, known);
  return near ? `unknown rule id ${id}; did you mean ${near}?` : `unknown rule id ${id} (hpc-lint --list-rules lists them)`;
}

/** For `rules:` of .hpc-geo.yaml: the warning for an id that is not a rule (undefined for a rule). */
export function checkConfigRuleId(id: string): string | undefined {
  if (RULE_IDS.includes(id)) return undefined;
  if (id in ENGINE_DESCRIPTIONS) return `${id} is a finding of hpc-lint itself, not a rule: its severity cannot be set here (${SUPPRESSIBLE.includes(id) ? 'a # hpc-lint disable= comment suppresses it' : UNSUPPRESSIBLE_WHY})`;
  return `${unknownId(id, RULE_IDS)}; this line sets the severity of no rule`;
}

/** The profile used when neither the script, the workspace nor the caller names one: the setting's default. */
const DEFAULT_PROFILE = settingSpecs['lint.defaultProfile'].default;
/** What an unknown profile name falls back to (a shipped profile with no site facts). */
const GENERIC_PROFILE = 'generic';

const PROFILE_COMMENT = /#\s*hpc-geo:\s*cluster\s*=\s*([\w.-]+)/;
/**
 * `# hpc-lint disable=ID[,ID]` and `disable-file=`, written as people do: any case, a colon after
 * hpc-lint; the ids, separated by commas, end at a space that no comma follows (text after them is the
 * reason, not more ids).
 */
const SUPPRESS = /#\s*hpc-lint\b:?\s*(disable-file|disable)\s*=[ \t]*([\w-]+(?:[ \t]*,[ \t]*[\w-]+)*)?/i;
/** What looks like an hpc-lint comment meant to do something (`enable=`, `disable` without `=`, …). */
const DIRECTIVE_LIKE = /#\s*hpc-lint\b:?\s*(?:\w[\w-]*\s*=|(?:en|dis)able)/i;
const DIRECTIVE_HELP = 'write # hpc-lint disable=ID[,ID] (for the next line, or its own when it trails code) or # hpc-lint disable-file=ID';

/** `.def` files and texts that open with an Apptainer header are definition files. */
export function detectKind(fileName: string, text: string): ScriptKind {
  if (/\.def$/i.test(fileName) || /(^|\/)(Singularity|Apptainer)(\.[^/]*)?$/.test(fileName)) return 'apptainer';
  return opensWithBootstrap(text.slice(0, 4096)) ? 'apptainer' : 'sbatch';
}

/** Whether the first line that is neither blank nor a comment is `Bootstrap:` (a line scan: no regex over several lines). */
function opensWithBootstrap(head: string): boolean {
  for (let at = 0; at < head.length; ) {
    let end = head.indexOf('\n', at);
    if (end < 0) end = head.length;
    const line = head.slice(at, end).trim();
    if (line !== '' && !line.startsWith('#')) return /^bootstrap\s*:/i.test(line);
    at = end + 1;
  }
  return false;
}

export function lint(parser: Parser, text: string, options: LintOptions): LintResult {
  const diagnostics: Diagnostic[] = [];
  const index = new LineIndex(text.length > MAX_LINT_BYTES ? text.slice(0, 1) : text);
  const whole = (code: string, severity: Severity, message: string): LintResult => ({
    diagnostics: [{ code, severity, message, start: 0, end: 0, range: index.range(0, 0) }],
    profile: options.defaultProfile ?? DEFAULT_PROFILE,
  });
  if (text.length > MAX_LINT_BYTES) {
    return whole(ENGINE_CODES.tooLarge, 'info', `Not linted: ${(text.length / 1048576).toFixed(1)} MB is larger than the ${MAX_LINT_BYTES / 1048576} MB a job script can sensibly be.`);
  }
  // one scan of the whole text (a NUL past the first KiBs too): sbatch refuses a script with any NUL
  // byte ("The Slurm controller does not allow scripts that contain a NULL character"), and linting
  // a binary file would only report its garbage
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const range = index.range(nul, nul + 1);
    return {
      diagnostics: [{ code: ENGINE_CODES.binary, severity: 'error', message: `Not linted: binary or NUL byte at line ${range.start.line + 1}. ${options.kind === 'sbatch' ? 'sbatch refuses a script that holds a NUL byte.' : 'A definition file is text without NUL bytes.'}`, start: nul, end: nul + 1, range }],
      profile: options.defaultProfile ?? DEFAULT_PROFILE,
    };
  }

  // the profile
  // the shipped profiles are parsed when asked for: copy them only when the workspace adds its own
  const own = Object.entries(options.workspace?.profiles ?? {});
  const available: ReadonlyMap<string, Profile> = own.length ? new Map([...options.builtinProfiles, ...own]) : options.builtinProfiles;
  const head = text.slice(0, 16384);
  const comment = PROFILE_COMMENT.exec(head);
  let profileName = options.workspace?.defaultProfile ?? options.defaultProfile ?? DEFAULT_PROFILE;
  // by the script's comment, the workspace, the caller (hpc-lint --profile, a setting other than its default)
  const chosen = !!comment || !!options.workspace?.defaultProfile || !!options.forceProfile || profileName !== DEFAULT_PROFILE;
  if (options.forceProfile && options.defaultProfile) profileName = options.defaultProfile;
  else if (comment) profileName = comment[1]!;
  let profile = resolveProfile(profileName, available);
  if (!profile) {
    const start = comment && !options.forceProfile ? comment.index + comment[0].indexOf(comment[1]!) : 0;
    const end = comment && !options.forceProfile ? start + comment[1]!.length : 0;
    diagnostics.push({
      code: ENGINE_CODES.unknownProfile,
      severity: 'warning',
      message: `There is no cluster profile '${profileName}' (known: ${[...available.keys()].sort().join(', ')}); checking with '${GENERIC_PROFILE}'. Add it under profiles: in .hpc-geo.yaml.`,
      start,
      end,
      range: index.range(start, end),
    });
    profileName = GENERIC_PROFILE;
    profile = resolveProfile(GENERIC_PROFILE, available) ?? { name: GENERIC_PROFILE };
  }

  const script: Script = analyze(parser, text, options.kind, options.session);
  if (options.savedEncoding && !text.startsWith(BYTE_ORDER_MARK)) script.savedEncoding = options.savedEncoding;
  // nobody chose a profile: the cluster the script shows it is for, said at what showed it
  const recognised = chosen || options.kind !== 'sbatch' ? undefined : recogniseCluster(script, new Set(available.keys()));
  const recognisedProfile = recognised && resolveProfile(recognised.profile, available);
  if (recognised && recognisedProfile) {
    profileName = recognised.profile;
    profile = recognisedProfile;
    diagnostics.push({
      code: ENGINE_CODES.recognised,
      severity: 'info',
      message: `Checked with the ${recognised.profile} profile, recognised from ${recognised.because}. To check for another cluster, name it: # hpc-geo: cluster=NAME.`,
      start: recognised.start,
      end: recognised.end,
      range: index.range(recognised.start, recognised.end),
    });
  }
  if (!script.shell.complete) {
    diagnostics.push({
      code: ENGINE_CODES.tooComplex,
      severity: 'info',
      message: `Analysed only in part: the shell code is too complex to parse within ${PARSE_BUDGET_MS / 1000} s. The #SBATCH directives were checked; the rules that read the shell code were skipped.`,
      start: 0,
      end: 0,
      range: index.range(0, 0),
    });
  }
  const overrides = options.workspace?.rules ?? {};
  for (const rule of RULES) {
    if (!rule.kinds.includes(options.kind)) continue;
    const severity = overrides[rule.id] ?? rule.severity;
    if (severity === 'off') continue;
    try {
      rule.check({
        script,
        profile,
        report: (f) => {
          const start = clamp(f.start, text.length);
          const end = clamp(Math.max(f.end, f.start), text.length);
          diagnostics.push({ code: rule.id, severity, message: f.message, start, end, range: index.range(start, end), ...(f.fix ? { fix: f.fix } : {}) });
        },
      });
    } catch (error) {
      diagnostics.push({
        code: ENGINE_CODES.internal,
        severity: 'info',
        message: `Rule ${rule.id} failed on this script and was skipped: ${error instanceof Error ? error.message : String(error)}`,
        start: 0,
        end: 0,
        range: index.range(0, 0),
      });
    }
  }
  return {
    diagnostics: suppress(script, index, diagnostics).sort((a, b) => a.start - b.start || a.code.localeCompare(b.code)),
    profile: profileName,
    ...(comment ? { clusterComment: comment[1]! } : {}),
    resolvedProfile: profile,
    script,
  };
}

function clamp(n: number, max: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(Math.trunc(n), max)) : 0;
}

/**
 * Applies `# hpc-lint disable=ID[,ID]` (the next line, or its own line when it trails code) and
 * `disable-file=`. An id that names no rule is a warning where it is written (a typo would
 * otherwise fail to suppress in silence); those warnings can be suppressed as any finding.
 */
function suppress(script: Script, index: LineIndex, diagnostics: Diagnostic[]): Diagnostic[] {
  const fileWide = new Set<string>();
  const byLine = new Map<number, Set<string>>();
  script.lines.forEach((lineText, line) => {
    if (!lineText.toLowerCase().includes('hpc-lint')) return;
    const m = SUPPRESS.exec(lineText);
    const written = m?.[2] ? m[2].split(',').map((s) => s.trim()).filter(Boolean) : [];
    // ids are lower case: DISABLE=MEM-FORBIDDEN means mem-forbidden
    const ids = written.map((id) => id.toLowerCase());
    if (!m || !written.length) {
      // a comment meant as one that is not one suppresses nothing: say so where it is written
      const meant = DIRECTIVE_LIKE.exec(lineText);
      if (meant) {
        const start = index.offset(line, meant.index);
        const end = index.offset(line, lineText.length);
        diagnostics.push({ code: ENGINE_CODES.unknownRuleId, severity: 'warning', message: `This hpc-lint comment is not understood, so it suppresses nothing: ${DIRECTIVE_HELP}.`, start, end, range: index.range(start, end) });
      }
      return;
    }
    let from = m.index + m[0].length - m[2]!.length;
    written.forEach((id, i) => {
      const at = lineText.indexOf(id, from);
      from = at + id.length;
      const known = ids[i]!;
      if (known === 'all' || SUPPRESSIBLE.includes(known)) return;
      const start = index.offset(line, at);
      const message = UNSUPPRESSIBLE.includes(known) ? `${id} is a finding of hpc-lint itself: ${UNSUPPRESSIBLE_WHY}` : `${unknownId(id, SUPPRESSIBLE)}; this comment suppresses nothing for it`;
      diagnostics.push({ code: ENGINE_CODES.unknownRuleId, severity: 'warning', message, start, end: start + id.length, range: index.range(start, start + id.length) });
    });
    if (m[1]!.toLowerCase() === 'disable-file') {
      ids.forEach((id) => fileWide.add(id));
      return;
    }
    // a comment line of its own applies to the next line; one that trails code, to its own
    const target = /^\s*#\s*hpc-lint/i.test(lineText) ? line + 1 : line;
    const set = byLine.get(target) ?? new Set<string>();
    ids.forEach((id) => set.add(id));
    byLine.set(target, set);
  });
  if (!fileWide.size && !byLine.size) return diagnostics;
  return diagnostics.filter((d) => {
    if (fileWide.has(d.code) || fileWide.has('all')) return false;
    const set = byLine.get(d.range.start.line);
    return !(set && (set.has(d.code) || set.has('all')));
  });
}

export { PARSE_BUDGET_MS, RULES, ruleById };
