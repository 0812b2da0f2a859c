import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');

export interface Manifest {
  name: string;
  main: string;
  activationEvents?: string[];
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string }[];
    menus?: Record<string, { command: string; when?: string }[]>;
    viewsWelcome?: { view: string; contents: string }[];
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { type: string; default: unknown; scope?: string }> };
    languages: { id: string; extensions?: string[]; configuration?: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
  };
}

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
}
