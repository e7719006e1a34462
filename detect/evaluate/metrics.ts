/**
 * Event and forecast metrics of `seismo validate`.
 *
 * Events: each label window is one event, detected when an alert opens inside it; an alert that
 * opens outside every window is a false alert. precision = detected / (detected + false alerts),
 * recall = detected / windows.
 *
 * Forecast (one-step-ahead, rows with a forecast): MAPE in percent (rows with value 0 skipped),
 * sMAPE in percent (2|e| / (|y| + |f|), rows where both are 0 skipped), and MASE = sum|e| /
 * sum|e_naive| where e_naive is the last-value forecast's error on the same rows.
 */
import type { LabelWindow } from '../nab/scorer.js';

export interface EventCounts {
  windows: number;
  detected: number;
  falseAlerts: number;
  alerts: number;
}

export function countEvents(ts: ArrayLike<number>, alert: ArrayLike<number>, windows: readonly LabelWindow[]): EventCounts {
  const hit = new Uint8Array(windows.length);
  let falseAlerts = 0;
  let alerts = 0;
  for (let i = 0; i < ts.length; i++) {
    if (alert[i] !== 1) continue;
    alerts++;
    let inside = false;
    for (let w = 0; w < windows.length; w++) {
      if (ts[i] >= windows[w].start && ts[i] <= windows[w].end) {
        hit[w] = 1;
        inside = true;
      }
    }
    if (!inside) falseAlerts++;
  }
  return { windows: windows.length, detected: hit.reduce((a, b) => a + b, 0), falseAlerts, alerts };
}

export interface EventMetrics {
  precision: number;
  recall: number;
  f1: number;
}

/** precision/recall/F1 from summed counts; precision is 1 with no alerts, recall 1 with no windows. */
export function eventMetrics(c: EventCounts): EventMetrics {
  const precision = c.detected + c.falseAlerts === 0 ? 1 : c.detected / (c.detected + c.falseAlerts);
  const recall = c.windows === 0 ? 1 : c.detected / c.windows;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export function addEvents(a: EventCounts, b: EventCounts): EventCounts {
  return { windows: a.windows + b.windows, detected: a.detected + b.detected, falseAlerts: a.falseAlerts + b.falseAlerts, alerts: a.alerts + b.alerts };
}

/** Sums behind the forecast metrics of one file; add them to pool several files. */
export interface ForecastSums {
  /** Rows with a forecast (and a previous row, for the naive error). */
  rows: number;
  apeSum: number;
  apeRows: number;
  smapeSum: number;
  smapeRows: number;
  absErr: number;
  absNaiveErr: number;
}

export function emptyForecastSums(): ForecastSums {
  return { rows: 0, apeSum: 0, apeRows: 0, smapeSum: 0, smapeRows: 0, absErr: 0, absNaiveErr: 0 };
}

/**
 * `skipped` (optional, 1 per row): rows the model was not given (a timestamp not newer than the
 * last one). They are left out, and the naive forecast of the next row is the last row the model
 * was given, as the detector would have it.
 */
export function forecastSums(values: ArrayLike<number>, forecast: ArrayLike<number>, skipped: ArrayLike<number> | null = null): ForecastSums {
  const s = emptyForecastSums();
  let prev = skipped !== null && skipped[0] === 1 ? -1 : 0;
  for (let i = 1; i < values.length; i++) {
    if (skipped !== null && skipped[i] === 1) continue;
    const p = prev;
    prev = i;
    const f = forecast[i];
    if (p < 0 || Number.isNaN(f)) continue;
    const y = values[i];
    const e = Math.abs(y - f);
    s.rows++;
    s.absErr += e;
    s.absNaiveErr += Math.abs(y - values[p]);
    if (y !== 0) {
      s.apeSum += e / Math.abs(y);
      s.apeRows++;
    }
    const d = Math.abs(y) + Math.abs(f);
    if (d > 0) {
      s.smapeSum += (2 * e) / d;
      s.smapeRows++;
    }
  }
  return s;
}

export function addForecastSums(a: ForecastSums, b: ForecastSums): ForecastSums {
  return {
    rows: a.rows + b.rows,
    apeSum: a.apeSum + b.apeSum,
    apeRows: a.apeRows + b.apeRows,
    smapeSum: a.smapeSum + b.smapeSum,
    smapeRows: a.smapeRows + b.smapeRows,
    absErr: a.absErr + b.absErr,
    absNaiveErr: a.absNaiveErr + b.absNaiveErr,
  };
}

export interface ForecastMetrics {
  /** Mean absolute percentage error, percent. null when no row qualifies. */
  mape: number | null;
  /** Symmetric MAPE, percent (0..200). */
  smape: number | null;
  /** Mean absolute scaled error against the last-value forecast on the same rows. */
  mase: number | null;
}

export function forecastMetrics(s: ForecastSums): ForecastMetrics {
  return {
    mape: s.apeRows ? (100 * s.apeSum) / s.apeRows : null,
    smape: s.smapeRows ? (100 * s.smapeSum) / s.smapeRows : null,
    mase: s.absNaiveErr > 0 ? s.absErr / s.absNaiveErr : null,
  };
}

export function median(xs: ReadonlyArray<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
