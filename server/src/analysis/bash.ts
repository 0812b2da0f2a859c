/**
 * The shell of a script, parsed with tree-sitter-bash (web-tree-sitter, wasm) into the facts the
 * rules read: commands with their words, whether they run in the background or in a pipeline,
 * assignments and exports, heredoc bodies.
 */
import { performance } from 'node:perf_hooks';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

/**
 * How long one parse of the shell may take. tree-sitter's error recovery grows faster than its
 * input on some texts (100 KB of `${`, a line of 100k `|`); past this the parse is abandoned and
 * the rules that read the shell see no commands. An ordinary 5,000-line script parses in about
 * 20 ms (bench/lint.bench.ts), fifty times under it.
 */
export const PARSE_BUDGET_MS = 1000;

export interface Word {
  /** The word with surrounding quotes removed (expansions kept as written). */
  text: string;
  raw: string;
  start: number;
  end: number;
  quoted: boolean;
}

export interface Assignment {
  name: string;
  value?: Word;
  exported: boolean;
  /** An environment prefix of one command (`FOO=1 cmd`). */
  prefix: boolean;
  start: number;
  end: number;
}

export interface Command {
  name: Word;
  /** The base name of the command (`/opt/venv/bin/pip` → `pip`). */
  base: string;
  args: Word[];
  start: number;
  end: number;
  /** Runs in the background (`&`), itself or as part of a list or pipeline. */
  background: boolean;
  /** Position in a pipeline, when in one. */
  pipeline?: { index: number; length: number };
  /** Part of `a && b`, `a || b`, or an `if`/`while` condition: a failure there is handled. */
  tested: boolean;
  /** Inside `$( )` or backticks. */
  substituted: boolean;
  /** Inside a function's body (`f() { ... }`), where `return` returns. */
  inFunction: boolean;
  /** Inside a loop (`for`, `while`, `until`): it may run many times. */
  inLoop: boolean;
  /** Inside an `if` or `case`: it runs only on some condition. */
  conditional: boolean;
  /** Inside a subshell `( ... )`. */
  inSubshell: boolean;
  prefixAssignments: Assignment[];
  heredoc?: { body: string; start: number; delimiter: string };
}

export interface ShellFacts {
  commands: Command[];
  assignments: Assignment[];
  /**
   * Lines that are heredoc text (`cat > job.sh <<EOF` … `EOF`), as [first, end) line numbers:
   * what they hold is data (often a generated job script), not this script's own lines.
   */
  heredocLines: [number, number][];
  hasErrors: boolean;
  /** False when the parse was abandoned at PARSE_BUDGET_MS: the facts are empty. */
  complete: boolean;
}

let ready: Promise<Parser> | undefined;

/** Loads the wasm runtime and the bash grammar, once per process. */
export function loadBash(files: { runtimeWasm: string; bashWasm: string }): Promise<Parser> {
  ready ??= (async () => {
    await Parser.init({ locateFile: () => files.runtimeWasm });
    const bash = await Language.load(files.bashWasm);
    const parser = new Parser();
    parser.setLanguage(bash);
    return parser;
  })();
  return ready;
}


function unquote(node: Node): { text: string; quoted: boolean } {
  const raw = node.text;
  switch (node.type) {
    case 'string':
      return { text: raw.length >= 2 ? raw.slice(1, -1) : raw, quoted: true };
    case 'raw_string':
      return { text: raw.length >= 2 ? raw.slice(1, -1) : raw, quoted: true };
    case 'ansi_c_string':
      return { text: raw.slice(2, -1), quoted: true };
    case 'concatenation': {
      let text = '';
      let quoted = false;
      for (const c of node.children) {
        if (!c) continue;
        const u = unquote(c);
        text += u.text;
        quoted ||= u.quoted;
      }
      return { text, quoted };
    }
    default:
      return { text: raw, quoted: false };
  }
}

function word(node: Node): Word {
  const { text, quoted } = unquote(node);
  return { text, raw: node.text, start: node.startIndex, end: node.endIndex, quoted };
}

function assignment(node: Node, exported: boolean, prefix: boolean): Assignment {
  const name = node.childForFieldName('name');
  const value = node.childForFieldName('value');
  return {
    name: name?.text ?? '',
    ...(value ? { value: word(value) } : {}),
    exported,
    prefix,
    start: node.startIndex,
    end: node.endIndex,
  };
}

/** Climbs from a command to find how it runs. */
/**
 * Ranges of one kind of construct, answering "is [start, end) inside one of them?" in O(log n):
 * sorted by start, with the largest end seen so far.
 */
class RangeSet {
  private readonly starts: number[] = [];
  private readonly maxEnds: number[] = [];

  constructor(ranges: [number, number][]) {
    ranges.sort((a, b) => a[0] - b[0]);
    let max = -1;
    for (const [s, e] of ranges) {
      max = Math.max(max, e);
      this.starts.push(s);
      this.maxEnds.push(max);
    }
  }

  contains(start: number, end: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= start) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && this.maxEnds[found]! >= end;
  }
}

// (tree-sitter finds a node's parent by descending from the root: no `.parent` per node here)
const CONTEXT_TYPES = ['command', 'variable_assignment', 'declaration_command', 'redirected_statement', 'heredoc_redirect', '&', 'list', 'pipeline', 'command_substitution', 'process_substitution', 'if_statement', 'elif_clause', 'while_statement', 'function_definition', 'for_statement', 'c_style_for_statement', 'case_statement', 'subshell'];

/**
 * The last tree of one document, so the next parse of it is incremental. The server keeps one
 * per open document; dispose it when the document closes (trees live in wasm memory).
 */
export class ParseSession {
  private last: { tree: Tree; text: string } | undefined;

  /** The tree of `text`, or undefined when its parse ran out of time (the next one starts afresh). */
  parse(parser: Parser, text: string): Tree | undefined {
    const tree = parseIncremental(parser, text, this.last);
    this.last?.tree.delete();
    this.last = tree ? { tree, text } : undefined;
    return tree;
  }

  dispose(): void {
    this.last?.tree.delete();
    this.last = undefined;
  }
}

export function shellFacts(parser: Parser, text: string, session?: ParseSession): ShellFacts {
  const tree = session ? session.parse(parser, text) : parseIncremental(parser, text);
  if (!tree) return { commands: [], assignments: [], heredocLines: [], hasErrors: true, complete: false };
  try {
    return extract(tree);
  } finally {
    if (!session) tree.delete();
  }
}

function extract(tree: Tree): ShellFacts {
  const root = tree.rootNode;
  const commandNodes: Node[] = [];
  const assignmentNodes: Node[] = [];
  const background: [number, number][] = [];
  const lists: [number, number][] = [];
  const substitutions: [number, number][] = [];
  const conditions: [number, number][] = [];
  const functions: [number, number][] = [];
  const loops: [number, number][] = [];
  const branches: [number, number][] = [];
  const subshells: [number, number][] = [];
  const pipelines: Node[] = [];
  const redirected = new Map<number, Node>();
  const heredocs: [number, number][] = [];
  const heredocLines: [number, number][] = [];
  const declarations: { start: number; end: number; exported: boolean }[] = [];
  // one traversal (inside wasm) for everything; context is then decided by ranges, in JS
  for (const node of root.descendantsOfType(CONTEXT_TYPES)) {
    if (!node) continue;
    switch (node.type) {
      case 'command':
        commandNodes.push(node);
        break;
      case 'variable_assignment':
        assignmentNodes.push(node);
        break;
      case '&': {
        const prev = node.previousSibling;
        if (prev) background.push([prev.startIndex, prev.endIndex]);
        break;
      }
      case 'redirected_statement':
        redirected.set(node.startIndex, node);
        break;
      case 'heredoc_redirect': {
        heredocs.push([node.startIndex, node.endIndex]);
        const body = node.namedChildren.find((c) => c?.type === 'heredoc_body');
        const close = node.namedChildren.find((c) => c?.type === 'heredoc_end');
        if (body) heredocLines.push([body.startPosition.row, close ? close.startPosition.row : body.endPosition.row + 1]);
        break;
      }
      case 'declaration_command':
        declarations.push({ start: node.startIndex, end: node.endIndex, exported: node.firstChild?.type === 'export' || node.children.some((c) => c?.type === 'word' && /^-\w*x/.test(c.text)) });
        break;
      case 'list':
        lists.push([node.startIndex, node.endIndex]);
        break;
      case 'command_substitution':
      case 'process_substitution':
        substitutions.push([node.startIndex, node.endIndex]);
        break;
      case 'pipeline':
        pipelines.push(node);
        break;
      case 'function_definition':
        functions.push([node.startIndex, node.endIndex]);
        break;
      case 'for_statement':
      case 'c_style_for_statement':
        loops.push([node.startIndex, node.endIndex]);
        break;
      case 'case_statement':
        branches.push([node.startIndex, node.endIndex]);
        break;
      case 'subshell':
        subshells.push([node.startIndex, node.endIndex]);
        break;
      default: {
        const cond = node.childForFieldName('condition');
        if (cond) conditions.push([cond.startIndex, cond.endIndex]);
        // `while` and `until` (both while_statement) loop; `if` and `elif` branch
        if (node.type === 'while_statement') loops.push([node.startIndex, node.endIndex]);
        else if (node.type === 'if_statement') branches.push([node.startIndex, node.endIndex]);
      }
    }
  }
  const inBackground = new RangeSet(background);
  const inList = new RangeSet(lists);
  const inSubstitution = new RangeSet(substitutions);
  const inCondition = new RangeSet(conditions);
  const inFunction = new RangeSet(functions);
  const inLoop = new RangeSet(loops);
  const inBranch = new RangeSet(branches);
  const inSubshell = new RangeSet(subshells);
  // position of each pipeline member: keyed by the member's start offset
  const pipelineOf = new Map<number, { index: number; length: number }>();
  const inHeredocRedirect = new RangeSet(heredocs);
  for (const p of pipelines) {
    const members = p.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    // tree-sitter-bash nests `cmd <<EOF | tee log` as a pipeline inside cmd's heredoc redirect
    const afterHeredoc = inHeredocRedirect.contains(p.startIndex, p.endIndex) ? 1 : 0;
    members.forEach((m, index) => pipelineOf.set(m.startIndex, { index: index + afterHeredoc, length: members.length + afterHeredoc }));
  }

  const commands: Command[] = [];
  for (const node of commandNodes) {
    const nameNode = node.childForFieldName('name');
    if (!nameNode) continue;
    const start = node.startIndex;
    const end = node.endIndex;
    const prefixAssignments = nameNode.startIndex > start
      ? node.namedChildren.filter((c) => c?.type === 'variable_assignment').map((c) => assignment(c!, false, true))
      : [];
    const name = word(nameNode);
    // a command that is the body of a redirected statement starts where the statement starts
    const parent = redirected.get(start);
    let pipeline = pipelineOf.get(start);
    let heredoc: Command['heredoc'];
    if (parent && parent.childForFieldName('body')?.endIndex === end) {
      pipeline ??= pipelineOf.get(parent.startIndex);
      const redirect = parent.childrenForFieldName('redirect').find((c) => c?.type === 'heredoc_redirect');
      const body = redirect?.namedChildren.find((c) => c?.type === 'heredoc_body');
      if (redirect && body) {
        const delimiter = redirect.namedChildren.find((c) => c?.type === 'heredoc_start')?.text.replace(/^-/, '').replace(/^['"]|['"]$/g, '') ?? '';
        heredoc = { body: body.text, start: body.startIndex, delimiter };
        const pipe = redirect.namedChildren.find((c) => c?.type === 'pipeline');
        if (pipe && !pipeline) pipeline = { index: 0, length: 1 + pipe.namedChildren.filter((c) => c && c.type !== 'comment').length };
      }
    }
    commands.push({
      name,
      base: name.text.slice(name.text.lastIndexOf('/') + 1),
      args: node.childrenForFieldName('argument').filter((c): c is Node => !!c).map(word),
      start,
      end,
      background: inBackground.contains(start, end),
      tested: inList.contains(start, end) || inCondition.contains(start, end),
      substituted: inSubstitution.contains(start, end),
      inFunction: inFunction.contains(start, end),
      inLoop: inLoop.contains(start, end),
      conditional: inBranch.contains(start, end),
      inSubshell: inSubshell.contains(start, end),
      prefixAssignments,
      ...(pipeline ? { pipeline } : {}),
      ...(heredoc ? { heredoc } : {}),
    });
  }

  // prefixes (`FOO=1 cmd`) belong to their command; the rest are plain or declared
  const prefixes = new RangeSet(commands.filter((c) => c.prefixAssignments.length).map((c) => [c.start, c.name.start] as [number, number]));
  declarations.sort((a, b) => a.start - b.start);
  const assignments: Assignment[] = [];
  for (const node of assignmentNodes) {
    const s = node.startIndex;
    const e = node.endIndex;
    if (prefixes.contains(s, e)) continue;
    // declarations do not nest: the last one starting at or before s is the only candidate
    let lo = 0;
    let hi = declarations.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (declarations[mid]!.start <= s) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const d = at >= 0 ? declarations[at] : undefined;
    assignments.push(assignment(node, !!d && e <= d.end && d.exported, false));
  }
  commands.sort((a, b) => a.start - b.start);
  assignments.sort((a, b) => a.start - b.start);
  heredocLines.sort((a, b) => a[0] - b[0]);
  return { commands, assignments, heredocLines, hasErrors: root.hasError, complete: true };
}

/**
 * Parses `text` within PARSE_BUDGET_MS, reusing the tree of an earlier version when given: the
 * change between the two texts is found as one edited span (common prefix and suffix), which is
 * what an editor sends for a keystroke, a paste or a quick fix. Undefined when out of time.
 */
export function parseIncremental(parser: Parser, text: string, previous?: { tree: Tree; text: string }): Tree | undefined {
  let old: Tree | undefined;
  if (previous) {
    const before = previous.text;
    let start = 0;
    const max = Math.min(before.length, text.length);
    while (start < max && before.charCodeAt(start) === text.charCodeAt(start)) start++;
    let oldEnd = before.length;
    let newEnd = text.length;
    while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === text.charCodeAt(newEnd - 1)) {
      oldEnd--;
      newEnd--;
    }
    old = previous.tree.copy();
    old.edit({
      startIndex: start,
      oldEndIndex: oldEnd,
      newEndIndex: newEnd,
      startPosition: point(before, start),
      oldEndPosition: point(before, oldEnd),
      newEndPosition: point(text, newEnd),
    });
  }
  const deadline = performance.now() + PARSE_BUDGET_MS;
  try {
    const tree = parser.parse(text, old ?? null, { progressCallback: () => performance.now() > deadline });
    if (tree) return tree;
    // an abandoned parse would otherwise resume on the next call, with another text
    parser.reset();
    return undefined;
  } finally {
    old?.delete();
  }
}

/** Row and column (UTF-16 units, as web-tree-sitter counts them for JS strings) of an offset. */
function point(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}
