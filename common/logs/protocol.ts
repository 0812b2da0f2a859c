/** Messages between the log tail panel (extension host) and its page. */
import type { LogLine } from './stream';

export type TailStatus = 'opening' | 'waiting' | 'following' | 'paused' | 'stopped' | 'error';

export type TailToPage =
  | { type: 'init'; cluster: string; path: string; maxLines: number; reveal?: string }
  | { type: 'lines'; lines: LogLine[]; open?: LogLine }
  | { type: 'reset'; reason: string }
  | { type: 'status'; status: TailStatus; detail?: string; bytesMoved: number };

export type TailFromPage = { type: 'ready' } | { type: 'pause' } | { type: 'resume' } | { type: 'reopen' };

/** What a restored panel needs to open the same log again. */
export interface TailPanelState {
  cluster: string;
  path: string;
}
