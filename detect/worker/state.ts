import type { SeriesRef } from '../../ingest/sample.js';
import type { StateCodec } from '../../pipeline/series-state.js';
import type { DetectConfig } from '../config.js';
import type { SeriesModel } from '../types.js';
import type { AlertLogic } from '../alert-logic.js';
import { createAlertLogic } from '../alert-logic.js';
import { createSeriesModel, restoreSeriesModel, type SeriesModelOptions } from '../model.js';

/** The open episode of a series: when it started and how bad it was. */
export interface Episode {
  start: number;
  dedupKey: string;
  severity: 'critical' | 'warning' | 'info';
}

/** Detector state of one series. */
export interface DetectorState {
  series: SeriesRef;
  model: SeriesModel;
  logic: AlertLogic;
  /** Newest point seen (ms); older or equal points are duplicates. */
  lastTs: number;
  episode: Episode | null;
}

interface DetectorSnapshot {
  v: 1;
  series: SeriesRef;
  model: unknown;
  logic: unknown;
  lastTs: number;
  episode: Episode | null;
}

export function newDetectorState(cfg: DetectConfig, series: SeriesRef, opts: SeriesModelOptions): DetectorState {
  return { series, model: createSeriesModel(cfg, opts), logic: createAlertLogic(cfg), lastTs: -Infinity, episode: null };
}

/** Snapshot = model state + alert-logic state + the open episode; an unreadable snapshot starts the series cold. */
export function detectorStateCodec(cfg: DetectConfig, opts: SeriesModelOptions): StateCodec<DetectorState> {
  return {
    snapshot: (s): DetectorSnapshot => ({ v: 1, series: s.series, model: s.model.snapshot(), logic: s.logic.snapshot(), lastTs: s.lastTs, episode: s.episode }),
    restore(raw) {
      const s = raw as Partial<DetectorSnapshot> | null;
      if (!s || s.v !== 1 || !s.series || typeof s.lastTs !== 'number') return null;
      try {
        return {
          series: s.series,
          model: restoreSeriesModel(cfg, s.model, opts),
          logic: createAlertLogic(cfg, s.logic),
          lastTs: s.lastTs,
          episode: s.episode ?? null,
        };
      } catch {
        return null;
      }
    },
  };
}
