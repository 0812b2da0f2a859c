/**
 * Everything the rules read about one document, computed once: its lines, the `#SBATCH`
 * directives as Slurm reads them, the shell (tree-sitter-bash), what each command really runs,
 * and inline Python.
 */
import { parseSbatchHeader, type OptionUse, type SbatchHeader, type Span, lastOption } from '../../../common/sbatch/directives';
import type { Parser } from 'web-tree-sitter';
import { parseDef, shellMask, type DefFile } from './apptainer';
import { shellFacts, type Assignment, type ParseSession, type ShellFacts } from './bash';
import { invocation, optionValue, type Invocation } from './launchers';
import { LineIndex } from './text';

export type ScriptKind = 'sbatch' | 'apptainer';

export interface PythonSnippet {
  code: string;
  /** Offset of the first character of `code` in the document. */
  start: number;
  invocation: Invocation;
}

export interface Script {
  kind: ScriptKind;
  text: string;
  index: LineIndex;
  lines: string[];
  header: SbatchHeader;
  def?: DefFile;
  shell: ShellFacts;
  invocations: Invocation[];
  python: PythonSnippet[];
  /** The file is saved in an encoding the text does not show (LintOptions.savedEncoding). */
  savedEncoding?: SavedEncoding;
}

const EMPTY_HEADER: SbatchHeader = { headerEnd: 0, directiveLines: [], options: [], problems: [], lateDirectives: [], lookalikes: [], generatedDirectives: [], placeholders: [] };

export function analyze(parser: Parser, text: string, kind: ScriptKind, session?: ParseSession): Script {
  const index = new LineIndex(text);
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let header = EMPTY_HEADER;
  let def: DefFile | undefined;
  let shellText = text;
  if (kind === 'apptainer') {
    def = parseDef(text);
    shellText = shellMask(text, def);
  }
  const shell = shellFacts(parser, shellText, session);
  // the shell is parsed first: heredoc text (a job script being written) holds no directives of this one
  if (kind === 'sbatch') header = parseSbatchHeader(lines, { heredocLines: shell.heredocLines });
  const invocations = shell.commands.map(invocation);
  const python: PythonSnippet[] = [];
  for (const inv of invocations) {
    if (!/^python[\d.]*$/.test(inv.program)) continue;
    const code = optionValue(inv.args, ['-c']);
    if (code) python.push({ code: code.text, start: code.start + (code.quoted ? 1 : 0), invocation: inv });
    else if (inv.command.heredoc) python.push({ code: inv.command.heredoc.body, start: inv.command.heredoc.start, invocation: inv });
  }
  return { kind, text, index, lines, header, ...(def ? { def } : {}), shell, invocations, python };
}

/** Document offsets of a line/column span. */
export function spanOffsets(script: Script, span: Span): { start: number; end: number } {
  return { start: script.index.offset(span.line, span.start), end: script.index.offset(span.line, span.end) };
}

export function option(script: Script, name: string): OptionUse | undefined {
  return lastOption(script.header, name);
}

/** The assignments of a variable, exported or not, in document order. */
export function assignmentsOf(script: Script, name: string): Assignment[] {
  return script.shell.assignments.filter((a) => a.name === name).concat(
    script.shell.commands.flatMap((c) => c.prefixAssignments.filter((a) => a.name === name)),
  );
}

/** A UTF-8 byte-order mark, as decoded text holds it (hpc-lint keeps it so that it can be reported). */
export const BYTE_ORDER_MARK = '\uFEFF';

/** An encoding a file can be saved in that sbatch refuses and an editor shows as ordinary text. */
export type SavedEncoding = 'UTF-8 with BOM' | 'UTF-16 LE' | 'UTF-16 BE';

/** Whether a line (or text) opens with #!, after a byte-order mark too: the rest of the script is read as the author meant it, and missing-shebang reports the mark. */
export function opensWithShebang(text: string): boolean {
  return text.startsWith('#!') || text.startsWith(`${BYTE_ORDER_MARK}#!`);
}

/** Offset just after the header's last line (where a new directive is inserted). */
export function directiveInsertOffset(script: Script): number {
  const lastDirective = script.header.directiveLines.at(-1);
  const line = lastDirective ?? (opensWithShebang(script.lines[0] ?? '') ? 0 : -1);
  return line < 0 ? 0 : Math.min(script.text.length, script.index.lineEnd(line));
}

/** The text to insert a whole new line after `directiveInsertOffset`. */
export function newDirectiveText(script: Script, directive: string): string {
  const eol = script.text.includes('\r\n') ? '\r\n' : '\n';
  return directiveInsertOffset(script) === 0 ? `${directive}${eol}` : `${eol}${directive}`;
}
