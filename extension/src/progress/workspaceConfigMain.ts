/** .hpc-geo.yaml parsing for the extension host, in a bundle of its own (dist/workspaceConfig.js). */
export { parseWorkspaceConfig, WORKSPACE_CONFIG_FILE } from '../../../server/src/profiles/profiles';
