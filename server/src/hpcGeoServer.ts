import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';

/** Wires the connection: initialize, capabilities, document sync. */
export class HpcGeoServer {
  readonly documents = new TextDocuments(TextDocument);

  constructor(private readonly connection: Connection) {
    connection.onInitialize((params) => this.initialize(params));
  }

  initialize(_params: InitializeParams): InitializeResult {
    return {
      capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
      serverInfo: { name: 'hpc-geo', version: SERVER_VERSION },
    };
  }

  listen(): void {
    this.documents.listen(this.connection);
    this.connection.listen();
  }
}

declare const SERVER_VERSION: string;
