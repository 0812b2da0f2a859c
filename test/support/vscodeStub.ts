/**
 * A small stand-in for the `vscode` module, enough to load and activate the extension outside
 * VS Code: the command-registration test and the activation benchmark use it. It records what the
 * extension registers. Anything it does not provide throws, so a new API use is noticed here.
 */
import Module from 'node:module';

type Listener<T> = (e: T) => unknown;

export class StubDisposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): StubDisposable => {
    this.listeners.add(listener);
    return new StubDisposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(sl: number, sc: number, el: number, ec: number) {
    this.start = new Position(sl, sc);
    this.end = new Position(el, ec);
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}

export class MarkdownString {
  supportHtml = false;
  constructor(readonly value = '') {}
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: { title: string; command: string };
  constructor(readonly label: string, readonly collapsibleState: number = TreeItemCollapsibleState.None) {}
}

export interface StubRecord {
  commands: Map<string, (...args: unknown[]) => unknown>;
  treeViews: string[];
  outputChannels: string[];
  errors: string[];
  configuration: Record<string, unknown>;
  /** Information messages shown, with their buttons. */
  messages: { text: string; buttons: string[] }[];
  /** What a person answers to the next information message or quick pick (undefined: dismissed). */
  answers: ((offered: { text?: string; items?: readonly { label: string }[] }) => unknown)[];
}

export function createVscodeStub(record: StubRecord): Record<string, unknown> {
  const noEvent = () => new StubDisposable();
  const logChannel = (name: string) => {
    record.outputChannels.push(name);
    const sink = () => undefined;
    return { name, info: sink, warn: sink, error: sink, debug: sink, trace: sink, append: sink, appendLine: sink, show: sink, hide: sink, clear: sink, dispose: sink };
  };
  const api: Record<string, unknown> = {
    EventEmitter,
    Disposable: StubDisposable,
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    Position,
    Range,
    ThemeColor,
    ThemeIcon,
    MarkdownString,
    TreeItem,
    TreeItemCollapsibleState,
    window: {
      createOutputChannel: logChannel,
      createTreeView: (id: string) => {
        record.treeViews.push(id);
        return Object.assign(new StubDisposable(), { visible: true, onDidChangeVisibility: noEvent });
      },
      onDidChangeWindowState: noEvent,
      onDidCloseTerminal: noEvent,
      createStatusBarItem: () => Object.assign(new StubDisposable(), { show: () => undefined, hide: () => undefined }),
      registerWebviewPanelSerializer: () => new StubDisposable(),
      state: { focused: true },
      showInformationMessage: async (text: string, ...buttons: string[]) => {
        record.messages.push({ text, buttons });
        return record.answers.shift()?.({ text });
      },
      showQuickPick: async (items: readonly { label: string }[]) => record.answers.shift()?.({ items }),
      withProgress: async (_options: unknown, task: () => Promise<unknown>) => task(),
      showErrorMessage: async (message: string) => {
        record.errors.push(message);
        return undefined;
      },
    },
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        if (record.commands.has(id)) throw new Error(`command '${id}' already exists`);
        record.commands.set(id, fn);
        return new StubDisposable(() => record.commands.delete(id));
      },
      executeCommand: async () => undefined,
    },
    workspace: {
      textDocuments: [],
      registerTextDocumentContentProvider: () => new StubDisposable(),
      onDidOpenTextDocument: noEvent,
      onDidChangeConfiguration: noEvent,
      getConfiguration: (section: string) => ({
        get: (key: string) => record.configuration[`${section}.${key}`],
      }),
    },
    languages: {
      setTextDocumentLanguage: async (doc: unknown) => doc,
    },
  };
  return strict(api, 'vscode');
}

function strict(target: Record<string, unknown>, path: string): Record<string, unknown> {
  return new Proxy(target, {
    get(obj, prop) {
      if (typeof prop === 'symbol' || prop === 'then' || prop === '__esModule') return Reflect.get(obj, prop);
      if (!(prop in obj)) throw new Error(`vscode stub: ${path}.${prop} is not provided`);
      const value = obj[prop];
      return value && typeof value === 'object' && !Array.isArray(value) ? strict(value as Record<string, unknown>, `${path}.${prop}`) : value;
    },
  });
}

/** Makes `require('vscode')` return the stub until the returned function is called. */
export function installVscodeStub(record: StubRecord): () => void {
  const stub = createVscodeStub(record);
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = mod._load;
  mod._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : original.call(this, request, ...rest);
  };
  return () => {
    mod._load = original;
  };
}

export function emptyRecord(): StubRecord {
  return { commands: new Map(), treeViews: [], outputChannels: [], errors: [], configuration: {}, messages: [], answers: [] };
}

/** The part of ExtensionContext the extension reads. */
export function fakeExtensionContext(): { subscriptions: { dispose(): void }[]; extension: { id: string }; workspaceState: { get(k: string): unknown; update(k: string, v: unknown): Promise<void> }; secrets: object } {
  const state = new Map<string, unknown>();
  return {
    subscriptions: [],
    extension: { id: 'hpc-geo.hpc-geo' },
    workspaceState: { get: (k) => state.get(k), update: async (k, v) => void state.set(k, v) },
    secrets: {},
  };
}
