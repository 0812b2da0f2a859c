/**
 * The language server: lints sbatch scripts, Apptainer definition files and shell scripts that
 * carry `#SBATCH`, with quick fixes, hover and completion. Wiring only; the work is in engine.ts
 * (lint), features.ts (hover, completion, actions) and workspaceConfig.ts.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DiagnosticSeverity,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type CodeActionParams,
  type CompletionItem,
  type CompletionParams,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import type { Parser } from 'web-tree-sitter';
import { BINARY_LANGUAGE, CLUSTER_FACTS_NOTIFICATION, isClusterFacts, isScriptFileName, type ClusterFacts } from '../../common/lint/protocol';
import { HEADER_WINDOW_LINES, hasSbatchDirectives } from '../../common/sbatch/header';
import { settingSpecs } from '../../common/settings';
import { loadBash, ParseSession } from './analysis/bash';
import type { SavedEncoding, ScriptKind } from './analysis/script';
import { ENGINE_CODES, lint, SOURCE, type Diagnostic, type LintResult } from './engine';
import { codeActions, completions, hover } from './features';
import { loadBuiltinProfiles, type Profile } from './profiles/profiles';
import { resources, ruleDocUri, type Resources } from './resources';
import { savedEncodingOf } from './textDecoding';
import { VERSION } from './version';
import { WorkspaceConfigs } from './workspaceConfig';

export interface LintSettings {
  enable: boolean;
  defaultProfile: string;
}

/** The settings' defaults, as declared once in common/settings.ts (and package.json, checked by a test). */
const DEFAULT_SETTINGS: LintSettings = { enable: settingSpecs['lint.enable'].default, defaultProfile: settingSpecs['lint.defaultProfile'].default };
const DEBOUNCE_MS = 200;

/** Lets the connection read and dispatch the messages that arrived meanwhile (a timer turn passes I/O and immediates). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export interface DocumentState {
  version: number;
  result: LintResult;
  document: TextDocument;
}

export class HpcGeoServer {
  readonly documents = new TextDocuments(TextDocument);
  private readonly res: Resources = resources();
  private parser: Parser | undefined;
  private builtins: ReadonlyMap<string, Profile> | undefined;
  private configs: WorkspaceConfigs | undefined;
  private canReadConfiguration = false;
  private readonly settings = new Map<string, Promise<LintSettings>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly state = new Map<string, DocumentState>();
  private ready: Promise<void> | undefined;
  private readonly justOpened = new Set<string>();
  private readonly sessions = new Map<string, ParseSession>();
  /** Each open script's saved encoding, read from its file once per open and per save, not per lint. */
  private readonly encodings = new Map<string, Promise<SavedEncoding | undefined>>();
  /** Documents waiting to be linted, one at a time, in the order they became due. */
  private readonly queue = new Set<string>();
  /** Documents whose last lint reached the parse limit: they wait behind the others. */
  private readonly heavy = new Set<string>();
  private draining = false;
  /** Counts opens and edits, to tell when the messages that arrived meanwhile have all been read. */
  private edits = 0;
  /** What the extension said about each cluster (hpcGeo/clusterFacts), by cluster name. */
  private readonly clusterFacts = new Map<string, ClusterFacts>();

  constructor(private readonly connection: Connection) {
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => this.initialized());
    connection.onDidChangeConfiguration(() => {
      this.settings.clear();
      this.relintAll();
    });
    connection.onDidChangeWatchedFiles(() => {
      this.configs?.reload();
      void this.publishConfigProblems();
      this.relintAll();
    });
    connection.onCodeAction((p) => this.guard('code actions', () => this.codeActions(p), []));
    connection.onHover((p) => this.guard('hover', () => this.hover(p), null));
    connection.onCompletion((p) => this.guard('completion', () => this.completion(p), []));
    connection.onNotification(CLUSTER_FACTS_NOTIFICATION, (facts: unknown) => {
      if (isClusterFacts(facts)) this.clusterFacts.set(facts.cluster, facts);
      else this.connection.console.warn(`hpc-geo: ignored a malformed ${CLUSTER_FACTS_NOTIFICATION} message`);
    });
    // TextDocuments fires a content change right after each open: lint an open at once, debounce edits
    this.documents.onDidOpen((e) => {
      this.edits++;
      this.encodings.delete(e.document.uri);
      this.justOpened.add(e.document.uri);
      this.schedule(e.document, 0);
    });
    this.documents.onDidChangeContent((e) => {
      this.edits++;
      if (!this.justOpened.delete(e.document.uri)) this.schedule(e.document, DEBOUNCE_MS);
    });
    this.documents.onDidClose((e) => this.forget(e.document.uri));
    this.documents.onDidSave((e) => {
      this.encodings.delete(e.document.uri);
      this.schedule(e.document, 0);
    });
  }

  initialize(params: InitializeParams): InitializeResult {
    this.canReadConfiguration = !!params.capabilities.workspace?.configuration;
    const folders = (params.workspaceFolders ?? []).map((f) => f.uri).concat(params.rootUri && !params.workspaceFolders?.length ? [params.rootUri] : []);
    this.configs = new WorkspaceConfigs(folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)), (uri) => this.documents.get(uri)?.getText());
    this.ready = this.load();
    return {
      capabilities: {
        // saves too: a file saved in another encoding (without its byte-order mark) is linted again
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, `${CodeActionKind.SourceFixAll}.${SOURCE}`] },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['-', '=', ' ', ','] },
      },
      serverInfo: { name: 'hpc-geo', version: VERSION },
    };
  }

  private async load(): Promise<void> {
    this.parser = await loadBash(this.res);
    this.builtins = loadBuiltinProfiles(this.res.profilesDir);
    void this.publishConfigProblems();
  }

  private initialized(): void {
    if (this.canReadConfiguration) void this.connection.client.register(DidChangeConfigurationNotification.type, undefined);
  }

  listen(): void {
    this.documents.listen(this.connection);
    this.connection.listen();
  }

  private async settingsFor(uri: string): Promise<LintSettings> {
    if (!this.canReadConfiguration) return DEFAULT_SETTINGS;
    let s = this.settings.get(uri);
    if (!s) {
      s = this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'hpcGeo.lint' }).then(
        (v: Partial<LintSettings> | null) => ({ ...DEFAULT_SETTINGS, ...(v ?? {}) }),
        () => DEFAULT_SETTINGS,
      );
      this.settings.set(uri, s);
    }
    return s;
  }

  private schedule(doc: TextDocument, delay: number): void {
    if (this.configs?.isConfigFile(doc.uri)) {
      this.configs.reload();
      void this.publishConfigProblems();
      this.relintAll();
      return;
    }
    // a newer version cancels the lint of the one before, waiting or not yet due
    clearTimeout(this.timers.get(doc.uri));
    this.queue.delete(doc.uri);
    this.timers.set(doc.uri, setTimeout(() => {
      this.timers.delete(doc.uri);
      this.queue.add(doc.uri);
      void this.drain();
    }, delay));
  }

  /**
   * Lints the queued documents one after another, always the document's newest version, and
   * returns to the event loop between two lints so that edits and other documents are read
   * in between: one document never holds up another by more than one lint (bounded by the
   * engine's parse limit), and a document that reached that limit goes behind the others.
   */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        await this.settle();
        const uri = [...this.queue].find((u) => !this.heavy.has(u)) ?? this.queue.values().next().value;
        if (uri === undefined) return;
        this.queue.delete(uri);
        await this.guard('lint', () => this.lintDocument(uri), undefined);
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Returns once the edits that arrived meanwhile have been read: the connection dispatches one
   * message per turn of the event loop, so turns pass until one brings no open or edit.
   */
  private async settle(): Promise<void> {
    let seen: number;
    do {
      seen = this.edits;
      await yieldToEventLoop();
    } while (seen !== this.edits);
  }

  /** Lints every open document again; an open .hpc-geo.yaml is not linted (scheduling it would relint all again, endlessly). */
  private relintAll(): void {
    for (const doc of this.documents.all()) if (!this.configs?.isConfigFile(doc.uri)) this.schedule(doc, 0);
  }

  private forget(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.queue.delete(uri);
    this.heavy.delete(uri);
    this.encodings.delete(uri);
    this.state.delete(uri);
    this.settings.delete(uri);
    this.justOpened.delete(uri);
    this.sessions.get(uri)?.dispose();
    this.sessions.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private kindOf(doc: TextDocument): ScriptKind | undefined {
    if (doc.languageId === 'apptainer') return 'apptainer';
    if (doc.languageId === 'sbatch') return 'sbatch';
    // VS Code opened a script as binary (a NUL byte in it): lint it, which says why sbatch refuses it
    if (doc.languageId === BINARY_LANGUAGE && isScriptFileName(doc.uri)) return 'sbatch';
    if (doc.languageId === 'shellscript' && hasSbatchDirectives(doc.getText({ start: { line: 0, character: 0 }, end: { line: HEADER_WINDOW_LINES, character: 0 } }))) return 'sbatch';
    return undefined;
  }

  async lintDocument(uri: string): Promise<void> {
    await this.ready;
    const doc = this.documents.get(uri);
    // an open .hpc-geo.yaml is not a script: its diagnostics are its own problems (publishConfigProblems),
    // which an empty lint result sent here would wipe (a code action or hover on it asked for one)
    if (!doc || !this.parser || !this.builtins || this.configs?.isConfigFile(uri)) return;
    const kind = this.kindOf(doc);
    const settings = await this.settingsFor(uri);
    if (!kind || !settings.enable) {
      this.state.delete(uri);
      await this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: [] });
      return;
    }
    const path = uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
    const ws = path ? await this.configs?.forFile(path) : undefined;
    let encoding = this.encodings.get(uri);
    if (!encoding && path && kind === 'sbatch') this.encodings.set(uri, (encoding = savedEncodingOf(path)));
    const savedEncoding = await encoding;
    let session = this.sessions.get(uri);
    if (!session) this.sessions.set(uri, (session = new ParseSession()));
    // the TextDocument object is updated in place by later edits: keep the version linted
    const version = doc.version;
    const result = lint(this.parser, doc.getText(), {
      kind,
      session,
      builtinProfiles: this.builtins,
      defaultProfile: settings.defaultProfile,
      ...(ws ? { workspace: ws.config } : {}),
      ...(savedEncoding ? { savedEncoding } : {}),
    });
    if (result.diagnostics.some((d) => d.code === ENGINE_CODES.tooComplex)) this.heavy.add(uri);
    else this.heavy.delete(uri);
    // the document may have changed while settings were read or while it was linted (an edit
    // that arrived during a long lint is read now): a stale result is never published
    await this.settle();
    if (this.documents.get(uri)?.version !== version) return;
    this.state.set(uri, { version, result, document: doc });
    await this.connection.sendDiagnostics({ uri, version, diagnostics: result.diagnostics.map((d) => this.toLsp(d)) });
  }

  private async publishConfigProblems(): Promise<void> {
    for (const { file, problems } of (await this.configs?.problems()) ?? []) {
      void this.connection.sendDiagnostics({
        uri: pathToFileURL(file).href,
        diagnostics: problems.map((p) => {
          const code = p.code ?? 'config-error';
          return {
            range: { start: { line: p.line, character: p.character }, end: { line: p.endLine, character: p.endCharacter } },
            severity: p.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
            code,
            // a link to its page, as every finding in a script has
            codeDescription: { href: ruleDocUri(this.res, code) },
            source: SOURCE,
            message: p.message,
          };
        }),
      });
    }
  }

  toLsp(d: Diagnostic): LspDiagnostic {
    const severity = d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
    return {
      range: d.range,
      severity,
      code: d.code,
      codeDescription: { href: ruleDocUri(this.res, d.code) },
      source: SOURCE,
      message: d.message,
    };
  }

  private async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    await this.lintIfStale(params.textDocument.uri);
    const s = this.state.get(params.textDocument.uri);
    return s ? codeActions(s, params, (id) => ruleDocUri(this.res, id)) : [];
  }

  private async hover(params: HoverParams): Promise<Hover | null> {
    await this.lintIfStale(params.textDocument.uri);
    const s = this.state.get(params.textDocument.uri);
    return s ? hover(s, params.position) : null;
  }

  private async completion(params: CompletionParams): Promise<CompletionItem[]> {
    await this.lintIfStale(params.textDocument.uri);
    const s = this.state.get(params.textDocument.uri);
    const doc = this.documents.get(params.textDocument.uri);
    if (!s || !doc) return [];
    const file = decodeURIComponent(doc.uri.slice(doc.uri.lastIndexOf('/') + 1));
    const cluster = this.clusterFor(s.result);
    return completions(s, doc, params.position, { ...(cluster ? { cluster } : {}), ...(file.includes('.') ? { scriptName: file.slice(0, file.lastIndexOf('.')) } : {}) });
  }

  /**
   * The connected cluster a document is for, as far as the extension told (a disconnected
   * cluster's partitions are not offered: sinfo's answer may be stale): the one its
   * `# hpc-geo: cluster=` comment names, else the one its profile is named after, else the one
   * connected cluster (none when several are connected: which one is not known).
   */
  private clusterFor(result: LintResult): ClusterFacts | undefined {
    const connected = [...this.clusterFacts.values()].filter((f) => f.connected);
    if (result.clusterComment) return connected.find((f) => f.cluster === result.clusterComment);
    const byProfile = connected.find((f) => f.cluster === result.profile);
    if (byProfile) return byProfile;
    return connected.length === 1 ? connected[0] : undefined;
  }

  /** Requests can arrive before the debounced lint ran: lint now in that case. */
  private async lintIfStale(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    if (doc && this.state.get(uri)?.version !== doc.version) {
      clearTimeout(this.timers.get(uri));
      this.queue.delete(uri);
      await this.lintDocument(uri);
    }
  }

  /** Every request handler: an error is logged and answered with an empty result, never thrown. */
  private async guard<T>(what: string, fn: () => T | Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.connection.console.error(`hpc-geo ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  }
}

