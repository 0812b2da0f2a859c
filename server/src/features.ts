/** Code actions, hover and completion, computed from a document's last lint result. */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CodeAction,
  type CodeActionParams,
  type CompletionItem,
  type Hover,
  type Position,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver/node';
import { MAGIC, type OptionUse } from '../../common/sbatch/directives';
import type { ClusterFacts } from '../../common/lint/protocol';
import { optionSortText, valueSuggestions, type PartitionChoice } from '../../common/sbatch/completion';
import { optionByName, SBATCH_OPTIONS, type SbatchOption } from '../../common/sbatch/options';
import { formatTime, parseTime } from '../../common/sbatch/values';
import { opensWithShebang, type Script } from './analysis/script';
import { SOURCE, type Diagnostic } from './engine';
import type { DocumentState } from './hpcGeoServer';
import { memPolicy, partitionOf, type Profile } from './profiles/profiles';
import type { Fix } from './rules/rule';
import { ruleById } from './rules';

function lspEdits(script: Script, fix: Fix): LspTextEdit[] {
  return fix.edits.map((e) => ({ range: script.index.range(e.start, e.end), newText: e.newText }));
}

function overlaps(a: { start: { line: number; character: number }; end: { line: number; character: number } }, b: typeof a): boolean {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Whether a `# hpc-lint disable=` line can go above `line` without changing what the script does. */
function canInsertLineAbove(script: Script, line: number): boolean {
  if (line === 0) return false;
  if (/\\\s*$/.test(script.lines[line - 1] ?? '')) return false; // inside a continued command
  const offset = script.index.offset(line, 0);
  return !script.shell.commands.some((c) => c.heredoc && c.heredoc.start <= offset && offset <= c.heredoc.start + c.heredoc.body.length);
}

export function codeActions(s: DocumentState, params: CodeActionParams, docUri: (id: string) => string): CodeAction[] {
  const script = s.result.script;
  if (!script) return [];
  const uri = params.textDocument.uri;
  const only = params.context.only;
  const wantsFixAll = only?.some((k) => k === CodeActionKind.SourceFixAll || k.startsWith(`${CodeActionKind.SourceFixAll}`));
  const actions: CodeAction[] = [];
  const fixable = s.result.diagnostics.filter((d) => d.fix);
  if (wantsFixAll) return fixAll(script, uri, fixable, `${CodeActionKind.SourceFixAll}.${SOURCE}`);

  const here = s.result.diagnostics.filter((d) => overlaps(d.range, params.range));
  for (const d of here) {
    const lsp = params.context.diagnostics.find((x) => x.code === d.code && x.range.start.line === d.range.start.line && x.range.start.character === d.range.start.character);
    if (d.fix) {
      actions.push({ title: d.fix.title, kind: CodeActionKind.QuickFix, isPreferred: true, ...(lsp ? { diagnostics: [lsp] } : {}), edit: { changes: { [uri]: lspEdits(script, d.fix) } } });
    }
    if (!ruleById(d.code)) continue;
    const line = d.range.start.line;
    if (canInsertLineAbove(script, line)) {
      const indent = /^\s*/.exec(script.lines[line] ?? '')![0];
      actions.push({
        title: `Disable ${d.code} for this line`,
        kind: CodeActionKind.QuickFix,
        ...(lsp ? { diagnostics: [lsp] } : {}),
        edit: { changes: { [uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}# hpc-lint disable=${d.code}\n` }] } },
      });
    }
    const fileLine = opensWithShebang(script.lines[0] ?? '') ? 1 : 0;
    actions.push({
      title: `Disable ${d.code} for this file`,
      kind: CodeActionKind.QuickFix,
      ...(lsp ? { diagnostics: [lsp] } : {}),
      edit: { changes: { [uri]: [{ range: { start: { line: fileLine, character: 0 }, end: { line: fileLine, character: 0 } }, newText: `# hpc-lint disable-file=${d.code}\n` }] } },
    });
    actions.push({ title: `Show documentation for ${d.code}`, kind: CodeActionKind.QuickFix, command: { title: `Show documentation for ${d.code}`, command: 'hpcGeo.showRuleDocumentation', arguments: [d.code, docUri(d.code)] } });
  }
  if (fixable.length > 1 && here.some((d) => d.fix)) actions.push(...fixAll(script, uri, fixable, CodeActionKind.QuickFix));
  return actions;
}

/** Every mechanical fix of the document whose edits do not overlap an earlier one. */
function fixAll(script: Script, uri: string, fixable: Diagnostic[], kind: string): CodeAction[] {
  const taken: { start: number; end: number }[] = [];
  const edits: LspTextEdit[] = [];
  for (const d of fixable) {
    const es = d.fix!.edits;
    if (es.some((e) => taken.some((t) => e.start < t.end && t.start < e.end) || (e.start === e.end && taken.some((t) => t.start === e.start)))) continue;
    taken.push(...es);
    edits.push(...lspEdits(script, d.fix!));
  }
  return edits.length ? [{ title: `Fix all auto-fixable ${SOURCE} problems`, kind, edit: { changes: { [uri]: edits } } }] : [];
}

function useAt(script: Script, pos: Position): { use: OptionUse; on: 'name' | 'value' } | undefined {
  for (const use of script.header.options) {
    const inSpan = (sp: { line: number; start: number; end: number } | undefined) => sp && sp.line === pos.line && sp.start <= pos.character && pos.character <= sp.end;
    if (inSpan(use.nameSpan)) return { use, on: 'name' };
    if (inSpan(use.valueSpan)) return { use, on: 'value' };
  }
  return undefined;
}

/** What the cluster profile says about an option, for hover and completion. */
export function profileFacts(profile: Profile, script: Script, opt: SbatchOption): string[] {
  const out: string[] = [];
  const requested = script.header.options.filter((u) => u.option.name === 'partition').at(-1)?.value;
  const part = partitionOf(profile, requested);
  const where = part ? `\`${profile.name}\`, partition \`${part.name}\`` : `\`${profile.name}\``;
  switch (opt.name) {
    case 'time':
      if (part?.partition.maxTime) out.push(`${where}: at most ${formatTime(parseTime(part.partition.maxTime) ?? 0)}`);
      break;
    case 'nodes':
      if (part?.partition.minNodes) out.push(`${where}: at least ${part.partition.minNodes} node(s)`);
      if (part?.partition.maxNodes) out.push(`${where}: at most ${part.partition.maxNodes} node(s)`);
      break;
    case 'mem':
    case 'mem-per-cpu':
    case 'mem-per-gpu': {
      const policy = memPolicy(profile, part?.partition);
      if (policy === 'forbidden') out.push(`${where}: memory requests are **forbidden** (whole nodes${profile.memoryPerNodeGB ? `, ~${profile.memoryPerNodeGB} GB each` : ''})`);
      if (policy === 'required') out.push(`${where}: a memory request is **required**`);
      if (policy === 'allowed' && profile.memoryPerNodeGB) out.push(`${where}: nodes have ~${profile.memoryPerNodeGB} GB`);
      break;
    }
    case 'partition':
      for (const [name, p] of Object.entries(profile.partitions ?? {})) {
        const bits = [p.default ? 'default' : '', p.gpus ? 'GPUs' : '', p.minNodes ? `min ${p.minNodes} nodes` : '', p.maxNodes ? `max ${p.maxNodes} nodes` : '', p.maxTime ? `max ${p.maxTime}` : ''].filter(Boolean);
        out.push(`\`${name}\`${bits.length ? `: ${bits.join(', ')}` : ''}`);
      }
      break;
    case 'cpus-per-task':
      if (profile.cpusPerNode) out.push(`\`${profile.name}\` nodes: ${[profile.cpusPerNode.physical && `${profile.cpusPerNode.physical} physical`, profile.cpusPerNode.logical && `${profile.cpusPerNode.logical} logical`].filter(Boolean).join(' / ')} CPUs`);
      break;
    case 'account':
      if (profile.accountRequired) out.push(`\`${profile.name}\`: every job must name a project`);
      break;
    case 'gpus':
    case 'gpus-per-node':
    case 'gres':
      if (profile.gpu) out.push(`\`${profile.name}\` GPUs: ${profile.gpu.vendor.toUpperCase()} ${profile.gpu.model ?? ''}`.trim());
      break;
  }
  return out;
}

function optionDoc(opt: SbatchOption): string {
  const names = `**--${opt.name}**${opt.short ? ` (\`-${opt.short}\`)` : ''}`;
  const value = opt.arg === 'none' ? '' : ` \`${opt.valueHint ?? '<value>'}\``;
  const values = opt.values ? `\n\nValues: ${opt.values.map((v) => `\`${v}\``).join(', ')}` : '';
  const since = opt.since ? `\n\nSince Slurm ${opt.since}.` : '';
  return `${names}${value}\n\n${opt.summary}${values}${since}`;
}

export function hover(s: DocumentState, pos: Position): Hover | null {
  const script = s.result.script;
  const profile = s.result.resolvedProfile;
  if (!script || script.kind !== 'sbatch') return null;
  const line = script.lines[pos.line] ?? '';
  if (line.startsWith(MAGIC) && pos.character <= MAGIC.length) {
    const inHeader = pos.line < script.header.headerEnd;
    return {
      contents: {
        kind: MarkupKind.Markdown,
        value: inHeader
          ? '**#SBATCH** directive: options for `sbatch`, read only from the comment block before the first command. Shell variables are not expanded here.'
          : '**#SBATCH** after the first command: Slurm **ignores** this line. Move it into the header.',
      },
    };
  }
  const at = useAt(script, pos);
  if (!at) return null;
  const facts = profile ? profileFacts(profile, script, at.use.option) : [];
  const value = `${optionDoc(at.use.option)}${facts.length ? `\n\n---\n\n${facts.map((f) => `- ${f}`).join('\n')}` : ''}`;
  const span = at.on === 'name' ? at.use.nameSpan : at.use.valueSpan!;
  return { contents: { kind: MarkupKind.Markdown, value }, range: { start: { line: span.line, character: span.start }, end: { line: span.line, character: span.end } } };
}

/** Where the run of non-white-space characters that ends at `end` starts (a backward scan: no regex that rescans a long line from every offset). */
function wordStart(text: string, end: number): number {
  let i = end;
  while (i > 0 && !/\s/.test(text[i - 1]!)) i--;
  return i;
}

/** Where the run that starts at `from` ends: white space, or (with `stopAtEquals`) an `=`, ends it. */
function wordEnd(text: string, from: number, stopAtEquals: boolean): number {
  let i = from;
  while (i < text.length && !/\s/.test(text[i]!) && !(stopAtEquals && text[i] === '=')) i++;
  return i;
}

/** The partitions completion offers: the profile's, with what the cluster's sinfo said merged in (sinfo is the live truth). */
export function partitionChoices(profile: Profile | undefined, facts: ClusterFacts | undefined): PartitionChoice[] {
  const byName = new Map<string, PartitionChoice>();
  for (const [name, p] of Object.entries(profile?.partitions ?? {})) {
    byName.set(name, { name, ...(p.default ? { default: true } : {}), ...(p.maxTime ? { maxTime: p.maxTime } : {}), ...(p.minNodes ? { minNodes: p.minNodes } : {}), ...(p.maxNodes ? { maxNodes: p.maxNodes } : {}), ...(p.gpus ? { gpus: true } : {}) });
  }
  if (facts?.partitions.length) {
    const factsDefault = facts.partitions.some((p) => p.default);
    for (const f of facts.partitions) {
      const had = byName.get(f.name);
      const maxTime = f.maxTime && parseTime(f.maxTime) !== undefined ? formatTime(parseTime(f.maxTime)!) : undefined;
      const merged: PartitionChoice = { ...had, name: f.name, source: `sinfo on ${facts.cluster}` };
      if (maxTime) merged.maxTime = maxTime;
      else if (f.maxTime) delete merged.maxTime; // infinite
      if (factsDefault) {
        if (f.default) merged.default = true;
        else delete merged.default;
      }
      byName.set(f.name, merged);
    }
    if (factsDefault) for (const [name, p] of byName) if (p.default && !facts.partitions.some((f) => f.name === name && f.default)) delete p.default;
  }
  return [...byName.values()];
}

/** What completion knows about the cluster a document is for. */
export interface CompletionFacts {
  cluster?: ClusterFacts;
  /** The document's file name without folder and extension. */
  scriptName?: string;
}

export function completions(s: DocumentState, doc: TextDocument, pos: Position, facts: CompletionFacts = {}): CompletionItem[] {
  const script = s.result.script;
  const profile = s.result.resolvedProfile;
  if (!script || script.kind !== 'sbatch') return [];
  const line = doc.getText({ start: { line: pos.line, character: 0 }, end: { line: pos.line + 1, character: 0 } }).replace(/\r?\n$/, '');
  const before = line.slice(0, pos.character);
  const inHeader = pos.line <= script.header.headerEnd;
  if (!line.startsWith(MAGIC)) {
    if (inHeader && /^#?[Ss]?[Bb]?[Aa]?[Tt]?[Cc]?[Hh]?$/.test(before)) {
      return [{ label: '#SBATCH', kind: CompletionItemKind.Keyword, detail: 'sbatch directive', insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: { start: { line: pos.line, character: 0 }, end: pos }, newText: '#SBATCH --${1}' }, command: { title: 'options', command: 'editor.action.triggerSuggest' } }];
    }
    return [];
  }
  if (before.length < MAGIC.length) return [];
  const tokenAt = Math.max(MAGIC.length, wordStart(before, before.length));
  const token = before.slice(tokenAt);
  const tokenStart = pos.character - token.length;
  const at = (character: number) => ({ line: pos.line, character });
  const values = (opt: SbatchOption | undefined, valueStart: number, typed: string) => valueItems(opt, profile, script, facts, { start: at(valueStart), end: at(Math.max(pos.character, wordEnd(line, pos.character, false))) }, typed, line);

  const eq = token.indexOf('=');
  if (token.startsWith('--') && eq > 0) return values(optionByName(token.slice(2, eq)), tokenStart + eq + 1, token.slice(eq + 1));
  if (!token.startsWith('-')) {
    // a value given as the next word: `-p <partition>`
    let prevEnd = tokenAt;
    while (prevEnd > 0 && /\s/.test(before[prevEnd - 1]!)) prevEnd--;
    const prev = prevEnd < tokenAt && prevEnd > 0 ? before.slice(wordStart(before, prevEnd), prevEnd) : undefined;
    const prevOpt = prev?.startsWith('--') ? optionByName(prev.slice(2)) : prev && /^-[A-Za-z]$/.test(prev) ? SBATCH_OPTIONS.find((o) => o.short === prev[1]) : undefined;
    if (prevOpt && prevOpt.arg === 'required') return values(prevOpt, tokenStart, token);
    if (token !== '') return [];
  }
  const used = new Set(script.header.options.map((u) => u.option.name));
  // the item replaces the whole option word under the cursor, and the `=` after it when there is
  // one: accepting --partition in `--part|=normal` or before an `=` typed by hand never gives `==`
  const nameEnd = Math.max(pos.character, wordEnd(line, pos.character, true));
  const withEquals = line[nameEnd] === '=' ? nameEnd + 1 : nameEnd;
  return SBATCH_OPTIONS.filter((o) => !o.deprecated && !['help', 'usage', 'version', 'wrap'].includes(o.name)).map((o) => {
    const takesValue = o.arg === 'required';
    return {
      label: `--${o.name}`,
      kind: CompletionItemKind.Property,
      detail: o.arg === 'none' ? o.summary : `${o.valueHint ?? '<value>'}`,
      documentation: { kind: MarkupKind.Markdown, value: optionDoc(o) },
      sortText: optionSortText(o.name, used.has(o.name)),
      filterText: `--${o.name}`,
      textEdit: { range: { start: at(tokenStart), end: at(takesValue ? withEquals : nameEnd) }, newText: takesValue ? `--${o.name}=` : `--${o.name}` },
      ...(takesValue ? { command: { title: 'values', command: 'editor.action.triggerSuggest' } } : {}),
    };
  });
}

/**
 * Items for an option's value. Only values valid for the option's kind are offered
 * (common/sbatch/completion.ts). The list is never empty: an editor shows words of its open
 * documents when a language's completion has nothing, and in a value that is junk.
 */
function valueItems(opt: SbatchOption | undefined, profile: Profile | undefined, script: Script, facts: CompletionFacts, range: { start: Position; end: Position }, typed: string, line: string): CompletionItem[] {
  // `--partition==` (an `=` typed after accepting `--partition=`): the item replaces the extra `=` too
  const extra = /^=*/.exec(typed)![0];
  const value = typed.slice(extra.length);
  const item = (label: string, detail?: string, kind: CompletionItemKind = CompletionItemKind.Value): CompletionItem => ({ label, kind, ...(detail ? { detail } : {}), filterText: `${extra}${label}`, textEdit: { range, newText: label } });
  const partitions = partitionChoices(profile, facts.cluster);
  const requested = script.header.options.filter((u) => u.option.name === 'partition').at(-1)?.value?.split(',')[0];
  const partition = partitions.find((p) => (requested ? p.name === requested : p.default));
  const suggestions = opt
    ? valueSuggestions(opt, {
        partitions,
        ...(partition ? { partition } : {}),
        ...(profile?.cpusPerNode?.physical ?? profile?.cpusPerNode?.logical ? { cpusPerNode: (profile!.cpusPerNode!.physical ?? profile!.cpusPerNode!.logical)! } : {}),
        ...(facts.cluster?.accounts?.length ? { accounts: facts.cluster.accounts } : {}),
        ...(facts.scriptName ? { scriptName: facts.scriptName } : {}),
      })
    : [];
  const kind = opt?.kind === 'partition' || opt?.values ? CompletionItemKind.EnumMember : opt?.kind === 'dependency' ? CompletionItemKind.Keyword : CompletionItemKind.Value;
  if (opt?.kind === 'enumList' && opt.values) {
    const head = value.includes(',') ? value.slice(0, value.lastIndexOf(',') + 1) : '';
    return suggestions.map((v) => item(`${head}${v.value}`, v.detail, kind));
  }
  if (suggestions.length) return suggestions.map((v) => item(v.value, v.detail, kind));
  // nothing to suggest (free text): one item that says what the value is and changes nothing. It
  // re-inserts the character before the value and is matched only by that character, so it shows
  // until a value is typed and is never accepted in place of one.
  const lead = range.start.character - 1;
  const cursor = range.start.character + typed.length;
  const leadChar = line[lead] ?? '';
  return [
    {
      label: opt ? (opt.valueHint ?? '<value>') : '<value>',
      kind: CompletionItemKind.Text,
      detail: opt ? `--${opt.name}: type the value` : 'type the value',
      ...(opt ? { documentation: { kind: MarkupKind.Markdown, value: optionDoc(opt) } } : {}),
      filterText: leadChar,
      textEdit: { range: { start: { line: range.start.line, character: lead }, end: { line: range.start.line, character: cursor } }, newText: line.slice(lead, cursor) },
    },
  ];
}
