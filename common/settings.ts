/**
 * The settings HPC Geo contributes, one place for their keys, types and defaults.
 * package.json's `contributes.configuration` must agree (a unit test checks both directions).
 * Pure: no `vscode` import, so the server and the CLI can use it too.
 */
export const SETTINGS_SECTION = 'hpcGeo';

export interface SettingSpec<T> {
  readonly type: 'boolean' | 'string' | 'number' | 'array' | 'object';
  readonly default: T;
  /**
   * `machine`: VS Code reads it from user (or remote) settings only, never from a workspace's
   * `.vscode/settings.json`: where to connect and whether passphrases are stored are not a
   * repository's to decide.
   */
  readonly scope?: 'machine';
  /** The only values a string setting takes; any other is read as the default. */
  readonly enum?: readonly T[];
}

/** When a job's end is notified: every end, only failures (not a cancel), never. */
export const JOB_NOTIFICATIONS = ['all', 'failures', 'off'] as const;
export type JobNotifications = (typeof JOB_NOTIFICATIONS)[number];

export const settingSpecs = {
  'sbatch.detectFromContent': { type: 'boolean', default: true } as SettingSpec<boolean>,
  'lint.enable': { type: 'boolean', default: true } as SettingSpec<boolean>,
  'lint.defaultProfile': { type: 'string', default: 'generic' } as SettingSpec<string>,
  clusters: { type: 'array', default: [], scope: 'machine' } as SettingSpec<unknown[]>,
  'ssh.configFile': { type: 'string', default: '', scope: 'machine' } as SettingSpec<string>,
  'ssh.rememberPassphrases': { type: 'boolean', default: false, scope: 'machine' } as SettingSpec<boolean>,
  'jobs.historyDays': { type: 'number', default: 7 } as SettingSpec<number>,
  'jobs.refreshSeconds': { type: 'number', default: 5 } as SettingSpec<number>,
  'jobs.notifications': { type: 'string', default: 'all', enum: JOB_NOTIFICATIONS } as SettingSpec<JobNotifications>,
  'jobs.notifyAllJobs': { type: 'boolean', default: false } as SettingSpec<boolean>,
  'logs.initialLines': { type: 'number', default: 1000 } as SettingSpec<number>,
  'logs.maxLines': { type: 'number', default: 100000 } as SettingSpec<number>,
} as const;

export type SettingKey = keyof typeof settingSpecs;
export type SettingValue<K extends SettingKey> = (typeof settingSpecs)[K]['default'];
