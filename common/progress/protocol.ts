/** Messages between the progress panel (extension host) and its page. */
import type { CellState } from './progress';

export interface ProgressRow {
  key: string;
  cells: CellState[];
  currentStage?: string;
  lastLine?: string;
  percent?: number;
  elapsedSeconds?: number;
  failedLine?: string;
  /** The log does not exist (yet). */
  missing: boolean;
}

export type ProgressToPage =
  | { type: 'init'; title: string; stages: string[] }
  | { type: 'rows'; rows: ProgressRow[]; updated: number; bytesMoved: number; error?: string };

export type ProgressFromPage = { type: 'ready' } | { type: 'refresh' } | { type: 'openLog'; key: string; line?: string };

/** What a restored panel needs: a spec from .hpc-geo.yaml or a preset, or an array job. */
export interface ProgressPanelState {
  cluster: string;
  spec: string;
  dir?: string;
  arrayJobId?: string;
}
