import * as vscode from 'vscode';
import { SETTINGS_SECTION, settingSpecs, type SettingKey, type SettingValue } from '../../common/settings';

/** The part of VS Code's WorkspaceConfiguration that Config reads. */
interface Settings {
  get(key: string): unknown;
  inspect(key: string): { globalValue?: unknown } | undefined;
}

/**
 * Settings read through one typed door; values of the wrong type fall back to the default.
 * Machine-scoped settings (where to connect, passphrase storage) are taken from the user's own
 * settings only, whatever a workspace writes: VS Code already drops workspace values of machine
 * settings, and this holds even if a value slipped through.
 */
export class Config {
  constructor(private readonly settings: () => Settings = () => vscode.workspace.getConfiguration(SETTINGS_SECTION)) {}

  get<K extends SettingKey>(key: K): SettingValue<K> {
    const spec: { type: string; default: unknown; scope?: 'machine' } = settingSpecs[key];
    const s = this.settings();
    const value = spec.scope === 'machine' ? s.inspect(key)?.globalValue : s.get(key);
    return (typeof value === typeof spec.default ? value : spec.default) as SettingValue<K>;
  }

  /** Fires `listener` when any `hpcGeo.*` setting changes. */
  onDidChange(listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS_SECTION)) listener();
    });
  }
}
