/** .hpc-geo.yaml parsing and the shared resolver for the extension host, in a bundle of its own (dist/workspaceConfig.js). */
export { parseWorkspaceConfig } from '../../../common/workspaceConfig/configParser';
export { WORKSPACE_CONFIG_FILE } from '../../../common/workspaceConfig/schema';
export { resolveWorkspaceConfig, type ConfigReader, type LoadedConfig } from '../../../common/workspaceConfig/resolve';
