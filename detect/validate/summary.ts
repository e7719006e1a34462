/**
 * Scores a corpus run: NAB on the alert column (`nab`) and with the best global score threshold
 * (`nab_sweep`), event precision/recall/F1, and one-step-ahead forecast errors.
 */
import { normalise, planFile, prepareSweep, scoreFile, sweepThreshold, PROFILE_NAMES, type FilePlan, type ProfileName, type Profiles } from '../nab/index.js';
import {
  addEvents,
  addForecastSums,
  countEvents,
  emptyForecastSums,
  eventMetrics,
  forecastMetrics,
  forecastSums,
  median,
  type EventCounts,
  type EventMetrics,
  type ForecastMetrics,
  type ForecastSums,
} from '../evaluate/metrics.js';
import type { SeriesOutput } from '../evaluate/run.js';
import type { CorpusFile } from './corpus.js';

export type NabScores = Record<ProfileName, number | null>;

export interface PerFile {
  file: string;
  rows: number;
  /** Rows not scored because their timestamp was not newer than the previous one (as the stage skips them). */
  skipped_rows: number;
  windows: number;
  alerts: number;
  detected_windows: number;
  false_alerts: number;
  /** Raw NAB standard score of the alert column for this file. */
  nab_standard_raw: number;
  /** This file's share of the normalised NAB standard score (the shares add up to nab.standard). */
  nab_standard_contribution: number | null;
  mape: number | null;
  smape: number | null;
  mase: number | null;
}

export interface ValidationSummary {
  files: number;
  windows: number;
  rows: number;
  /** Rows not scored because their timestamp was not newer than the previous one (see per_file). */
  skipped_rows: number;
  nab: NabScores;
  nab_sweep: NabScores;
  /** Best threshold per profile behind nab_sweep (a detection is score >= threshold). */
  nab_sweep_thresholds: Record<ProfileName, number>;
  events: EventMetrics;
  event_counts: EventCounts;
  forecast: ForecastMetrics;
  /** Median over files of each file's forecast metrics. */
  forecast_median_per_file: ForecastMetrics;
  forecast_by_category: Record<string, ForecastMetrics & { files: number; median_file_mape: number | null; median_file_mase: number | null }>;
  per_file: PerFile[];
}

export function summarise(files: readonly CorpusFile[], outputs: readonly SeriesOutput[], profiles: Profiles): ValidationSummary {
  const plans: FilePlan[] = files.map((f) => planFile(f.series.ts, f.windows));
  const windows = plans.reduce((a, p) => a + p.windows.length, 0);
  const rows = files.reduce((a, f) => a + f.series.ts.length, 0);

  const nab = {} as NabScores;
  const nabSweep = {} as NabScores;
  const thresholds = {} as Record<ProfileName, number>;
  const stdRaw: number[] = [];
  const sweepInput = prepareSweep(plans.map((plan, i) => ({ plan, scores: outputs[i].score })));
  for (const name of PROFILE_NAMES) {
    const cm = profiles[name];
    let raw = 0;
    plans.forEach((plan, i) => {
      const alert = outputs[i].alert;
      const r = scoreFile(plan, (row) => alert[row] === 1, cm).raw;
      if (name === 'standard') stdRaw.push(r);
      raw += r;
    });
    nab[name] = normalise(raw, windows, cm);
    const sweep = sweepThreshold(sweepInput, cm);
    nabSweep[name] = sweep.normalised;
    thresholds[name] = sweep.threshold;
  }

  const std = profiles.standard;
  const span = (std.tpWeight + std.fnWeight) * windows;
  let events: EventCounts = { windows: 0, detected: 0, falseAlerts: 0, alerts: 0 };
  let fsum: ForecastSums = emptyForecastSums();
  const byCat = new Map<string, { sums: ForecastSums; per: ForecastMetrics[] }>();
  const perFile: PerFile[] = files.map((f, i) => {
    const o = outputs[i];
    const ev = countEvents(f.series.ts, o.alert, f.windows);
    events = addEvents(events, ev);
    const fs = forecastSums(f.series.values, o.forecast, o.skippedRows);
    fsum = addForecastSums(fsum, fs);
    const fm = forecastMetrics(fs);
    const cat = byCat.get(f.series.category) ?? { sums: emptyForecastSums(), per: [] };
    cat.sums = addForecastSums(cat.sums, fs);
    cat.per.push(fm);
    byCat.set(f.series.category, cat);
    const nullShare = -std.fnWeight * plans[i].windows.length;
    return {
      file: f.series.key,
      rows: f.series.ts.length,
      skipped_rows: o.skipped,
      windows: f.windows.length,
      alerts: ev.alerts,
      detected_windows: ev.detected,
      false_alerts: ev.falseAlerts,
      nab_standard_raw: stdRaw[i],
      nab_standard_contribution: span > 0 ? (100 * (stdRaw[i] - nullShare)) / span : null,
      mape: fm.mape,
      smape: fm.smape,
      mase: fm.mase,
    };
  });

  const forecastByCategory: ValidationSummary['forecast_by_category'] = {};
  for (const [cat, v] of [...byCat.entries()].sort()) {
    forecastByCategory[cat] = {
      files: v.per.length,
      ...forecastMetrics(v.sums),
      median_file_mape: median(v.per.map((m) => m.mape)),
      median_file_mase: median(v.per.map((m) => m.mase)),
    };
  }

  return {
    files: files.length,
    windows: files.reduce((a, f) => a + f.windows.length, 0),
    rows,
    skipped_rows: outputs.reduce((a, o) => a + o.skipped, 0),
    nab,
    nab_sweep: nabSweep,
    nab_sweep_thresholds: thresholds,
    events: eventMetrics(events),
    event_counts: events,
    forecast: forecastMetrics(fsum),
    forecast_median_per_file: {
      mape: median(perFile.map((p) => p.mape)),
      smape: median(perFile.map((p) => p.smape)),
      mase: median(perFile.map((p) => p.mase)),
    },
    forecast_by_category: forecastByCategory,
    per_file: perFile,
  };
}
