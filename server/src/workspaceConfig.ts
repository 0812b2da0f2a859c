/**
 * `.hpc-geo.yaml` files: profiles, the default profile and rule severities of a workspace. A
 * document uses the nearest one above it (within a workspace folder). Open, unsaved editor text
 * wins over the file on disk; problems are kept to be shown on the file itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseWorkspaceConfig, WORKSPACE_CONFIG_FILE, type ConfigProblem, type WorkspaceConfig } from './profiles/profiles';

interface Loaded {
  config: WorkspaceConfig;
  problems: ConfigProblem[];
}

export class WorkspaceConfigs {
  private readonly cache = new Map<string, Loaded | undefined>();

  constructor(
    private readonly folders: string[],
    private readonly openText: (uri: string) => string | undefined,
  ) {}

  isConfigFile(uri: string): boolean {
    return uri.startsWith('file:') && uri.endsWith(`/${WORKSPACE_CONFIG_FILE}`);
  }

  reload(): void {
    this.cache.clear();
  }

  /** The configuration for a file: the nearest .hpc-geo.yaml in its folder or above, inside a workspace folder. */
  forFile(path: string): Loaded | undefined {
    const root = this.folders.filter((f) => path.startsWith(f.endsWith('/') ? f : `${f}/`)).sort((a, b) => b.length - a.length)[0];
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      const found = this.load(join(dir, WORKSPACE_CONFIG_FILE));
      if (found) return found;
      if (!root || dir === root || dirname(dir) === dir) return undefined;
    }
  }

  private load(file: string): Loaded | undefined {
    if (this.cache.has(file)) return this.cache.get(file);
    let text = this.openText(pathToFileURL(file).href);
    if (text === undefined && existsSync(file)) {
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        text = undefined;
      }
    }
    const loaded = text === undefined ? undefined : parseWorkspaceConfig(text);
    this.cache.set(file, loaded);
    return loaded;
  }

  /** Problems of every configuration file seen so far (and of the folders' own). */
  problems(): { file: string; problems: ConfigProblem[] }[] {
    for (const f of this.folders) this.load(join(f, WORKSPACE_CONFIG_FILE));
    return [...this.cache.entries()].filter(([, v]) => v).map(([file, v]) => ({ file, problems: v!.problems }));
  }
}

