/**
 * `.hpc-geo.yaml` files for the language server: profiles, the default profile and rule severities
 * of a workspace. Which file applies is decided by the shared resolver
 * (common/workspaceConfig/resolve.ts, also used by the extension host); this class caches parsed
 * files and keeps their problems to be shown on the file itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isWorkspaceConfigFile, loadConfigFile, resolveWorkspaceConfig, type ConfigReader, type LoadedConfig } from '../../common/workspaceConfig/resolve';
import { WORKSPACE_CONFIG_FILE, type ConfigProblem } from '../../common/workspaceConfig/schema';
import { checkConfigRuleId } from './engine';

export class WorkspaceConfigs {
  private readonly cache = new Map<string, Promise<LoadedConfig | undefined>>();
  private readonly reader: ConfigReader;

  constructor(
    private readonly folders: string[],
    openText: (uri: string) => string | undefined,
  ) {
    this.reader = {
      openText: (file) => openText(pathToFileURL(file).href),
      readFile: (file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      },
    };
  }

  isConfigFile(uri: string): boolean {
    return uri.startsWith('file:') && isWorkspaceConfigFile(fileURLToPath(uri));
  }

  reload(): void {
    this.cache.clear();
  }

  /** The configuration for a file: the nearest .hpc-geo.yaml in its folder or above, inside a workspace folder. */
  forFile(path: string): Promise<LoadedConfig | undefined> {
    return resolveWorkspaceConfig(path, this.folders, this.reader, (file) => this.load(file));
  }

  private load(file: string): Promise<LoadedConfig | undefined> {
    let loaded = this.cache.get(file);
    if (!loaded) this.cache.set(file, (loaded = loadConfigFile(file, this.reader, { checkRuleId: checkConfigRuleId })));
    return loaded;
  }

  /** Problems of every configuration file seen so far (and of the folders' own). */
  async problems(): Promise<{ file: string; problems: ConfigProblem[] }[]> {
    for (const f of this.folders) void this.load(join(f, WORKSPACE_CONFIG_FILE));
    const loaded = await Promise.all([...this.cache.values()]);
    return loaded.filter((v): v is LoadedConfig => !!v).map((v) => ({ file: v.file, problems: v.problems }));
  }
}
