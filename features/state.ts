import type { SeriesRef } from '../ingest/sample.js';
import type { StateCodec } from '../pipeline/series-state.js';
import { RollingWindow } from './window.js';

/** Processor state of one series. */
export interface FeatureState {
  series: SeriesRef;
  window: RollingWindow;
  ewma: number | null;
  /** Timestamp of the newest point seen (ms); older or equal points are duplicates. */
  lastTs: number;
}

interface FeatureSnapshot {
  v: 1;
  series: SeriesRef;
  values: number[];
  ewma: number | null;
  lastTs: number;
}

/** Snapshot = the window's values, oldest first, plus EWMA and last timestamp. */
export function featureStateCodec(windowSize: number): StateCodec<FeatureState> {
  return {
    snapshot: (s): FeatureSnapshot => ({ v: 1, series: s.series, values: s.window.toArray(), ewma: s.ewma, lastTs: s.lastTs }),
    restore(raw) {
      const s = raw as Partial<FeatureSnapshot> | null;
      if (!s || s.v !== 1 || !Array.isArray(s.values) || typeof s.lastTs !== 'number' || !s.series) return null;
      return { series: s.series, window: RollingWindow.fromArray(windowSize, s.values), ewma: s.ewma ?? null, lastTs: s.lastTs };
    },
  };
}
