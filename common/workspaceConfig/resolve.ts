/**
 * Which `.hpc-geo.yaml` applies to a document: the nearest one in the document's folder or above
 * it, not above the innermost workspace folder that holds the document (a document outside every
 * workspace folder: its own folder's only). Text of an open editor on
 * the file (unsaved edits included) wins over the file on disk. One function for the language
 * server and the extension host; each passes how it reads files. Pure: paths are plain strings
 * with `/` (or `\` on Windows) separators, no file system here.
 */
import { parseWorkspaceConfig, type WorkspaceConfigOptions } from './configParser';
import { WORKSPACE_CONFIG_FILE, type ConfigProblem, type WorkspaceConfig } from './schema';

export interface ConfigReader {
  /** The text of an open editor on `file`, unsaved edits included; undefined when none is open. */
  openText(file: string): string | undefined | PromiseLike<string | undefined>;
  /** The text of `file` on disk; undefined when it does not exist or cannot be read. */
  readFile(file: string): string | undefined | PromiseLike<string | undefined>;
}

export interface LoadedConfig {
  /** The `.hpc-geo.yaml` path the configuration came from. */
  file: string;
  config: WorkspaceConfig;
  problems: ConfigProblem[];
}

function separatorOf(path: string): '/' | '\\' {
  return !path.includes('/') && path.includes('\\') ? '\\' : '/';
}

/** The folder holding `path`; the root itself for a root (`/`, `C:\`). */
export function parentDir(path: string): string {
  const sep = separatorOf(path);
  const trimmed = path.length > 1 && path.endsWith(sep) && !/^[A-Za-z]:\\$/.test(path) ? path.slice(0, -1) : path;
  const i = trimmed.lastIndexOf(sep);
  if (i < 0) return trimmed;
  if (i === 0) return sep;
  if (sep === '\\' && i === 2 && trimmed[1] === ':') return trimmed.slice(0, 3);
  return trimmed.slice(0, i);
}

function joinPath(dir: string, name: string): string {
  const sep = separatorOf(dir);
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

function isInside(path: string, folder: string): boolean {
  const sep = separatorOf(folder);
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}

/** The innermost of `roots` that holds `path`, if any. */
export function rootOf(path: string, roots: readonly string[]): string | undefined {
  return roots.filter((r) => isInside(path, r)).sort((a, b) => b.length - a.length)[0];
}

/**
 * The `.hpc-geo.yaml` files that could apply to `documentPath`, nearest first: its folder, then
 * each folder above up to the innermost of `roots` holding it. A document outside every root
 * (a loose file) gets only its own folder's.
 */
export function candidateConfigFiles(documentPath: string, roots: readonly string[]): string[] {
  const root = rootOf(documentPath, roots);
  const out: string[] = [];
  for (let dir = parentDir(documentPath); ; dir = parentDir(dir)) {
    out.push(joinPath(dir, WORKSPACE_CONFIG_FILE));
    if (root === undefined || dir === root || parentDir(dir) === dir || !isInside(dir, root)) return out;
  }
}

/** The text of a configuration file: an open editor's (unsaved edits included) over the file on disk. */
export async function readConfigText(file: string, reader: ConfigReader): Promise<string | undefined> {
  return (await reader.openText(file)) ?? (await reader.readFile(file));
}

/**
 * The configuration that applies to `documentPath`: the nearest `.hpc-geo.yaml` at or above it
 * (see candidateConfigFiles), parsed, with its problems. `load` may be given to cache parsed files.
 */
export async function resolveWorkspaceConfig(
  documentPath: string,
  roots: readonly string[],
  reader: ConfigReader,
  load: (file: string) => Promise<LoadedConfig | undefined> = (file) => loadConfigFile(file, reader),
): Promise<LoadedConfig | undefined> {
  for (const file of candidateConfigFiles(documentPath, roots)) {
    const found = await load(file);
    if (found) return found;
  }
  return undefined;
}

/** One configuration file read (open editor first) and parsed; undefined when it does not exist. */
export async function loadConfigFile(file: string, reader: ConfigReader, options: WorkspaceConfigOptions = {}): Promise<LoadedConfig | undefined> {
  const text = await readConfigText(file, reader);
  if (text === undefined) return undefined;
  const { config, problems } = parseWorkspaceConfig(text, options);
  return { file, config, problems };
}

/** Whether `path` (a path or a URI) names a workspace configuration file. */
export function isWorkspaceConfigFile(path: string): boolean {
  const sep = separatorOf(path);
  return path === WORKSPACE_CONFIG_FILE || path.endsWith(`${sep}${WORKSPACE_CONFIG_FILE}`) || path.endsWith(`/${WORKSPACE_CONFIG_FILE}`);
}
