import * as vscode from 'vscode';
import { SETTINGS_SECTION, settingSpecs, type SettingKey, type SettingValue } from '../../common/settings';

/** Settings read through one typed door; values of the wrong type fall back to the default. */
export class Config {
  get<K extends SettingKey>(key: K): SettingValue<K> {
    const spec = settingSpecs[key];
    const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key);
    return (typeof value === typeof spec.default ? value : spec.default) as SettingValue<K>;
  }

  /** Fires `listener` when any `hpcGeo.*` setting changes. */
  onDidChange(listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS_SECTION)) listener();
    });
  }
}
