/**
 * The shell of a script, parsed with tree-sitter-bash (web-tree-sitter, wasm) into the facts the
 * rules read: commands with their words, whether they run in the background or in a pipeline,
 * assignments and exports, heredoc bodies.
 */
import { Language, Parser, type Node } from 'web-tree-sitter';

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
  prefixAssignments: Assignment[];
  heredoc?: { body: string; start: number; delimiter: string };
}

export interface ShellFacts {
  commands: Command[];
  assignments: Assignment[];
  hasErrors: boolean;
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
function context(node: Node): { background: boolean; tested: boolean; substituted: boolean; pipeline?: { index: number; length: number } } {
  let background = false;
  let tested = false;
  let substituted = false;
  let pipeline: { index: number; length: number } | undefined;
  let child: Node = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    const type = parent.type;
    if (type === 'pipeline' && !pipeline) {
      const members = parent.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      const index = Math.max(0, members.findIndex((m) => m.id === child.id));
      // tree-sitter-bash nests `cmd <<EOF | tee log` as a pipeline inside cmd's heredoc redirect
      const afterHeredoc = parent.parent?.type === 'heredoc_redirect' ? 1 : 0;
      pipeline = { index: index + afterHeredoc, length: members.length + afterHeredoc };
    }
    if (type === 'redirected_statement' && !pipeline && child.id === parent.childForFieldName('body')?.id) {
      const heredocPipe = parent.namedChildren.find((c) => c?.type === 'heredoc_redirect')?.namedChildren.find((c) => c?.type === 'pipeline');
      if (heredocPipe) pipeline = { index: 0, length: 1 + heredocPipe.namedChildren.filter((c) => c && c.type !== 'comment').length };
    }
    if (type === 'list') tested = true;
    if (type === 'command_substitution' || type === 'process_substitution') substituted = true;
    if (child.nextSibling?.type === '&') background = true;
    if (parent.childForFieldName('condition')?.id === child.id) tested = true;
  }
  return { background, tested, substituted, ...(pipeline ? { pipeline } : {}) };
}

export function shellFacts(parser: Parser, text: string): ShellFacts {
  const tree = parser.parse(text);
  if (!tree) return { commands: [], assignments: [], hasErrors: true };
  try {
    const root = tree.rootNode;
    const commands: Command[] = [];
    const assignments: Assignment[] = [];
    for (const node of root.descendantsOfType(['command', 'variable_assignment', 'declaration_command'])) {
      if (!node) continue;
      if (node.type === 'command') {
        const nameNode = node.childForFieldName('name');
        if (!nameNode) continue;
        const prefixAssignments = node.namedChildren.filter((c) => c?.type === 'variable_assignment').map((c) => assignment(c!, false, true));
        const args: Word[] = [];
        for (let i = 0; i < node.childCount; i++) {
          if (node.fieldNameForChild(i) === 'argument') args.push(word(node.child(i)!));
        }
        const name = word(nameNode);
        const cmd: Command = {
          name,
          base: name.text.slice(name.text.lastIndexOf('/') + 1),
          args,
          start: node.startIndex,
          end: node.endIndex,
          prefixAssignments,
          ...context(node),
        };
        const redirected = node.parent?.type === 'redirected_statement' ? node.parent : undefined;
        const heredoc = redirected?.namedChildren.find((c) => c?.type === 'heredoc_redirect');
        const body = heredoc?.namedChildren.find((c) => c?.type === 'heredoc_body');
        if (heredoc && body) {
          const delimiter = heredoc.namedChildren.find((c) => c?.type === 'heredoc_start')?.text.replace(/^-/, '').replace(/^['"]|['"]$/g, '') ?? '';
          cmd.heredoc = { body: body.text, start: body.startIndex, delimiter };
        }
        commands.push(cmd);
      } else if (node.type === 'declaration_command') {
        const keyword = node.child(0)?.type;
        const exported = keyword === 'export' || node.children.some((c) => c?.type === 'word' && /^-\w*x/.test(c.text));
        for (const c of node.namedChildren) {
          if (c?.type === 'variable_assignment') assignments.push(assignment(c, exported, false));
          else if (c?.type === 'variable_name' && exported) assignments.push({ name: c.text, exported: true, prefix: false, start: c.startIndex, end: c.endIndex });
        }
      } else if (node.parent?.type !== 'declaration_command' && node.parent?.type !== 'command') {
        assignments.push(assignment(node, false, false));
      }
    }
    commands.sort((a, b) => a.start - b.start);
    assignments.sort((a, b) => a.start - b.start);
    return { commands, assignments, hasErrors: root.hasError };
  } finally {
    tree.delete();
  }
}
