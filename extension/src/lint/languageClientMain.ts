/**
 * The language client, in a bundle of its own (dist/languageClient.js): vscode-languageclient is
 * most of the extension's code, and activation should not pay for loading it. lintClient.ts
 * requires this file the first time a script is opened.
 */
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { BINARY_LANGUAGE, SCRIPT_FILE_GLOB } from '../../../common/lint/protocol';

export function createLanguageClient(serverModule: string, fileEvents: vscode.FileSystemWatcher, languages: readonly string[]): LanguageClient {
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      ...languages.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
      { scheme: 'file', pattern: '**/.hpc-geo.yaml' },
      // a script VS Code opened as binary (a NUL byte): the server says why sbatch refuses it
      { scheme: 'file', language: BINARY_LANGUAGE, pattern: SCRIPT_FILE_GLOB },
    ],
    synchronize: { configurationSection: 'hpcGeo', fileEvents },
    outputChannelName: 'HPC Geo Lint',
  };
  return new LanguageClient('hpcGeo.lint', 'HPC Geo Lint', serverOptions, clientOptions);
}
