/**
 * How far the event metric can go with the current anomaly score: a diagnostic, not a result.
 *
 *   npm run -s build && node dist/bench/events.js [--data DIR] [--labels FILE] [--per-file]
 *
 * Prints one JSON object with
 * - `configured`: events (precision, recall, F1, false alerts) of the default configuration, as
 *   `seismo validate` reports them;
 * - `globalThreshold`: the same over a grid of alert thresholds (one for all files, the model rerun
 *   for each since the episode state depends on it), and the best of them;
 * - `perFileBound`: an upper bound that LOOKS AT THE LABELS: for each file separately, the
 *   evidence-strength bar at alert openings (PointResult.strength) that maximises detected windows
 *   minus false alerts. No detector can use it; it says whether any per-series threshold policy on
 *   this score could reach a given events F1;
 * - `openings`: how well evidence strength at an opening separates openings inside label windows
 *   from the others (AUC; 0.5 = no better than chance).
 */
import { join, resolve } from 'node:path';
import { createAlertLogic } from '../detect/alert-logic.js';
import { detectConfig, type DetectConfig } from '../detect/config.js';
import { countEvents, eventMetrics, addEvents, type EventCounts } from '../detect/evaluate/metrics.js';
import { inferIntervalMs } from '../detect/evaluate/series.js';
import { createSeriesModel } from '../detect/model.js';
import { loadCorpus, type CorpusFile } from '../detect/validate/corpus.js';
import { arg } from './args.js';
import { round } from './stats.js';

/** Per-row score, strength and warmth of one file under `cfg`. */
interface Run {
  score: Float64Array;
  strength: Float64Array;
  undamped: Float64Array;
  warm: Uint8Array;
}

function runModel(cfg: DetectConfig, f: CorpusFile): Run {
  const { ts, values } = f.series;
  const m = createSeriesModel(cfg, { intervalMs: inferIntervalMs(ts) });
  const n = ts.length;
  const out: Run = { score: new Float64Array(n), strength: new Float64Array(n), undamped: new Float64Array(n), warm: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const r = m.update(ts[i], values[i]);
    out.score[i] = r.score;
    out.strength[i] = r.strength ?? 0;
    out.undamped[i] = r.undamped ?? r.score;
    out.warm[i] = r.warm ? 1 : 0;
  }
  return out;
}

/** Alert openings of the configured alert logic, an opening allowed only where `gate(i)` holds. */
function openings(cfg: DetectConfig, run: Run, gate: (i: number) => boolean = () => true): Uint8Array {
  const logic = createAlertLogic(cfg);
  const open = new Uint8Array(run.score.length);
  for (let i = 0; i < open.length; i++) {
    // A point the gate refuses is scored 0, so it can neither open nor keep an opening run going.
    const closed = !logic.isOpen;
    const s = closed && !gate(i) ? 0 : run.score[i];
    if (logic.update(s, run.warm[i] === 1, run.undamped[i]) === 'open') open[i] = 1;
  }
  return open;
}

function metrics(c: EventCounts) {
  const m = eventMetrics(c);
  return { precision: round(m.precision, 4), recall: round(m.recall, 4), f1: round(m.f1, 4), detected: c.detected, windows: c.windows, falseAlerts: c.falseAlerts };
}

const ZERO: EventCounts = { windows: 0, detected: 0, falseAlerts: 0, alerts: 0 };

function main(): void {
  const dataDir = resolve(arg('data', '../shared/data/nab/data'));
  const labelsFile = resolve(arg('labels', join(dataDir, '..', 'labels', 'combined_windows.json')));
  const files = loadCorpus(dataDir, labelsFile);
  const cfg = detectConfig({});

  const runs = files.map((f) => runModel(cfg, f));
  const opened = runs.map((r) => openings(cfg, r));
  let configured = ZERO;
  files.forEach((f, k) => (configured = addEvents(configured, countEvents(f.series.ts, opened[k], f.windows))));

  const grid = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999];
  const global = grid.map((threshold) => {
    const c = detectConfig({ threshold, resolveThreshold: Math.min(cfg.resolveThreshold, threshold) });
    let sum = ZERO;
    for (const f of files) sum = addEvents(sum, countEvents(f.series.ts, openings(c, runModel(c, f)), f.windows));
    return { threshold, ...metrics(sum) };
  });
  const bestGlobal = global.reduce((a, b) => (b.f1 > a.f1 ? b : a));

  // Per-file bound: strength bars chosen per file with the labels in view.
  const bars = [0, 1, 1.05, 1.1, 1.2, 1.3, 1.5, 1.75, 2, 2.5, 3, 5, 10, Number.POSITIVE_INFINITY];
  let bound = ZERO;
  const perFile: Record<string, string> = {};
  files.forEach((f, k) => {
    let best: EventCounts | null = null;
    let bestBar = 0;
    for (const bar of bars) {
      const c = countEvents(f.series.ts, openings(cfg, runs[k], (i) => runs[k].strength[i] >= bar), f.windows);
      if (best === null || c.detected - c.falseAlerts > best.detected - best.falseAlerts) {
        best = c;
        bestBar = bar;
      }
    }
    const b = best ?? ZERO;
    bound = addEvents(bound, b);
    perFile[f.series.key] = `bar ${bestBar}: ${b.detected}/${b.windows} windows, ${b.falseAlerts} false`;
  });

  // Separability of openings by strength.
  const inside: number[] = [];
  const outside: number[] = [];
  files.forEach((f, k) => {
    const open = opened[k];
    const ts = f.series.ts;
    for (let i = 0; i < open.length; i++) {
      if (open[i] !== 1) continue;
      (f.windows.some((w) => ts[i] >= w.start && ts[i] <= w.end) ? inside : outside).push(runs[k].strength[i]);
    }
  });

  const out: Record<string, unknown> = {
    files: files.length,
    configured: { threshold: cfg.threshold, ...metrics(configured) },
    globalThreshold: { best: bestGlobal, grid: global },
    perFileBound: { note: 'chosen per file with the labels in view: a bound, not a detector', ...metrics(bound) },
    openings: { inside: inside.length, outside: outside.length, strengthAuc: round(auc(inside, outside), 4) },
  };
  if (process.argv.includes('--per-file')) out.perFile = perFile;
  console.log(JSON.stringify(out, null, 2));
}

/** Probability that a random `pos` value exceeds a random `neg` value (ties count half). */
function auc(pos: readonly number[], neg: readonly number[]): number {
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

main();
