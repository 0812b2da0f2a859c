/**
 * Entry point of the HPC Geo language server: it only creates the connection (stdio with
 * `--stdio`, Node IPC when started by the extension) and hands it to `HpcGeoServer`.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { HpcGeoServer } from './hpcGeoServer';

const connection = createConnection(ProposedFeatures.all);
new HpcGeoServer(connection).listen();
