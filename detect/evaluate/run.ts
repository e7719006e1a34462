/**
 * The evaluation core shared by `seismo validate`, `seismo train` and `seismo replay`: rows of one
 * series go through a model and the alert logic one at a time, in time order, exactly as the
 * detector role would run them; the per-row outputs are collected in flat typed arrays.
 */
import type { AlertTransition, PointResult } from '../types.js';

/** The part of a series model evaluation needs (a SeriesModel satisfies it). */
export interface EvalModel {
  update(ts: number, value: number): PointResult;
}

/** Alert logic as the detector runs it: one decision per scored point. */
export interface EvalAlertLogic {
  update(score: number, warm: boolean, hold?: number): AlertTransition;
}

/** Per-row outputs of one series. NaN in forecast/lo/hi means none (warm-up). */
export interface SeriesOutput {
  rows: number;
  score: Float64Array;
  /** 1 on rows where an alert opens, else 0. */
  alert: Uint8Array;
  /** 1 on rows where an open alert resolves, else 0. */
  resolve: Uint8Array;
  forecast: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  warm: Uint8Array;
  /** Row-major `rows x featureCount` features when collected; NaN rows where none were given. */
  features: Float64Array | null;
  featureCount: number;
  /**
   * Rows skipped because their timestamp was not newer than the last one scored, as the detector
   * stage skips a redelivered or out-of-order point. They repeat the previous row's score, band and
   * warm flag (so NAB scoring still has a score on every row) and never open or resolve an alert.
   */
  skipped: number;
  /** 1 on those skipped rows, else 0 (forecast metrics leave them out: the model made no forecast for them). */
  skippedRows: Uint8Array;
}

export interface EvaluateOptions {
  /** Collect PointResult.features, `featureCount` per row (for training). */
  featureCount?: number;
}

export function evaluateSeries(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  model: EvalModel,
  alerts: EvalAlertLogic,
  opts: EvaluateOptions = {},
): SeriesOutput {
  const rows = ts.length;
  const score = new Float64Array(rows);
  const alert = new Uint8Array(rows);
  const resolve = new Uint8Array(rows);
  const forecast = new Float64Array(rows);
  const lo = new Float64Array(rows);
  const hi = new Float64Array(rows);
  const warm = new Uint8Array(rows);
  const fc = opts.featureCount ?? 0;
  const features = fc > 0 ? new Float64Array(rows * fc).fill(Number.NaN) : null;
  const skippedRows = new Uint8Array(rows);
  let lastTs = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  for (let i = 0; i < rows; i++) {
    const t0 = ts[i];
    if (!(t0 > lastTs)) {
      // Not newer than the last scored point: the detector stage drops it, so the model never sees it.
      skipped++;
      skippedRows[i] = 1;
      if (i > 0) {
        score[i] = score[i - 1];
        forecast[i] = forecast[i - 1];
        lo[i] = lo[i - 1];
        hi[i] = hi[i - 1];
        warm[i] = warm[i - 1];
      } else {
        forecast[i] = lo[i] = hi[i] = Number.NaN;
      }
      continue;
    }
    lastTs = t0;
    const r = model.update(t0, values[i]);
    score[i] = r.score;
    forecast[i] = r.forecast ?? Number.NaN;
    lo[i] = r.lo ?? Number.NaN;
    hi[i] = r.hi ?? Number.NaN;
    warm[i] = r.warm ? 1 : 0;
    const t = alerts.update(r.score, r.warm, r.undamped);
    if (t === 'open') alert[i] = 1;
    else if (t === 'resolve') resolve[i] = 1;
    if (features !== null && r.features) {
      const f = r.features;
      const base = i * fc;
      const n = Math.min(fc, f.length);
      for (let j = 0; j < n; j++) features[base + j] = f[j];
    }
  }
  return { rows, score, alert, resolve, forecast, lo, hi, warm, features, featureCount: fc, skipped, skippedRows };
}
