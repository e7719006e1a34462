/**
 * Detection benchmark over the NAB corpus: throughput of the full per-series model (forecaster,
 * robust statistics, ensemble, alert logic) in one process, file by file and (`interleaved`) with
 * 1000 synthetic series taking turns as in the detector role, one-step forecast accuracy on
 * realAWSCloudwatch, and a quick event check against the label windows.
 *
 *   npm run -s build && node dist/bench/detect.js [--data DIR] [--labels FILE] [--repeat N]
 *
 * Prints one JSON object. MASE = sum|model error| / sum|naive last-value error| over the rows
 * where the model gives a forecast; MAPE skips rows whose value is 0.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAlertLogic } from '../detect/alert-logic.js';
import { detectConfig, type DetectConfig } from '../detect/config.js';
import { createSeriesModel } from '../detect/model.js';
import { arg } from './args.js';
import { round } from './stats.js';

interface Series {
  key: string;
  ts: Float64Array;
  values: Float64Array;
}

function parseTs(s: string): number {
  return Date.parse(s.trim().replace(' ', 'T') + 'Z');
}

function loadCsv(path: string, key: string): Series {
  const lines = readFileSync(path, 'utf8').split('\n');
  const ts: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const c = line.indexOf(',');
    ts.push(parseTs(line.slice(0, c)));
    values.push(Number(line.slice(c + 1)));
  }
  return { key, ts: Float64Array.from(ts), values: Float64Array.from(values) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

interface FileEval {
  mase: number;
  mape: number;
  opens: number[];
}

function runSeries(cfg: DetectConfig, s: Series): FileEval {
  const model = createSeriesModel(cfg);
  const alerts = createAlertLogic(cfg);
  let errModel = 0;
  let errNaive = 0;
  let ape = 0;
  let apeN = 0;
  const opens: number[] = [];
  for (let i = 0; i < s.values.length; i++) {
    const y = s.values[i];
    const r = model.update(s.ts[i], y);
    if (alerts.update(r.score, r.warm, r.undamped) === 'open') opens.push(s.ts[i]);
    if (r.forecast !== null && i > 0) {
      errModel += Math.abs(y - r.forecast);
      errNaive += Math.abs(y - s.values[i - 1]);
      if (y !== 0) {
        ape += Math.abs((y - r.forecast) / y);
        apeN++;
      }
    }
  }
  return { mase: errNaive > 0 ? errModel / errNaive : NaN, mape: apeN > 0 ? (100 * ape) / apeN : NaN, opens };
}

function main(): void {
  const dataDir = resolve(arg('data', '../shared/data/nab/data'));
  const labelsFile = resolve(arg('labels', join(dataDir, '..', 'labels', 'combined_windows.json')));
  const repeat = Number(arg('repeat', '3'));
  const cfg = detectConfig({});
  const series: Series[] = [];
  for (const cat of readdirSync(dataDir).sort()) {
    const dir = join(dataDir, cat);
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.csv')) series.push(loadCsv(join(dir, f), `${cat}/${f}`));
  }
  const rows = series.reduce((a, s) => a + s.values.length, 0);

  // Throughput: the full model plus alert logic, all files, several passes (best pass reported).
  let best = Infinity;
  for (let k = 0; k < repeat; k++) {
    const t0 = performance.now();
    for (const s of series) runSeries(cfg, s);
    best = Math.min(best, performance.now() - t0);
  }

  const interleaved = interleavedUpdatesPerSec(cfg, repeat);
  const evals = new Map(series.map((s) => [s.key, runSeries(cfg, s)]));
  const aws = series.filter((s) => s.key.startsWith('realAWSCloudwatch/'));
  const perFile = Object.fromEntries(aws.map((s) => [s.key, { mase: round(evals.get(s.key)!.mase, 4), mape: round(evals.get(s.key)!.mape, 4) }]));
  const out: Record<string, unknown> = {
    files: series.length,
    rows,
    rowsPerSec: Math.round(rows / (best / 1000)),
    interleaved,
    forecast: {
      awsFiles: aws.length,
      medianMase: round(median(aws.map((s) => evals.get(s.key)!.mase)), 4),
      cpuFiles: aws.filter((s) => s.key.includes('cpu_utilization')).length,
      medianCpuMape: round(median(aws.filter((s) => s.key.includes('cpu_utilization')).map((s) => evals.get(s.key)!.mape)), 4),
    },
  };
  if (existsSync(labelsFile)) out.events = eventCheck(series, evals, JSON.parse(readFileSync(labelsFile, 'utf8')) as Record<string, string[][]>);
  if (process.argv.includes('--per-file')) out.perFile = perFile;
  console.log(JSON.stringify(out, null, 2));
}

/**
 * The detector role's access pattern: 1000 series scored in turn, 8 points each time (a batch
 * scored series by series), so each model's state is cold in the CPU cache when its turn comes.
 * Synthetic one-second series (a slow sine plus noise); best of `repeat` passes of 1.2M updates.
 */
function interleavedUpdatesPerSec(cfg: DetectConfig, repeat: number): { series: number; pointsPerTurn: number; updatesPerSec: number } {
  const series = 1000;
  const perTurn = 8;
  const turns = 150;
  let best = Infinity;
  for (let k = 0; k < repeat; k++) {
    const models = Array.from({ length: series }, () => createSeriesModel(cfg, { intervalMs: 1000 }));
    let seed = 1;
    const noise = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    let sink = 0;
    const t0 = performance.now();
    for (let t = 0; t < turns; t++) {
      for (let m = 0; m < series; m++) {
        const model = models[m];
        for (let p = 0; p < perTurn; p++) {
          const i = t * perTurn + p;
          sink += model.update(i * 1000, 50 + 10 * Math.sin(i / 30) + noise()).score;
        }
      }
    }
    best = Math.min(best, performance.now() - t0);
    if (sink < 0) console.error(sink);
  }
  return { series, pointsPerTurn: perTurn, updatesPerSec: Math.round((series * perTurn * turns) / (best / 1000)) };
}

/** Events: a window is detected if an alert opens inside it; an alert opening outside every window is a false alert. */
function eventCheck(series: Series[], evals: Map<string, FileEval>, labels: Record<string, string[][]>) {
  let windows = 0;
  let detected = 0;
  let falseAlerts = 0;
  const perFile: Record<string, string> = {};
  for (const s of series) {
    const wins = (labels[s.key] ?? []).map(([a, b]) => [parseTs(a), parseTs(b)] as const);
    const opens = evals.get(s.key)!.opens;
    windows += wins.length;
    let d = 0;
    for (const [a, b] of wins) if (opens.some((t) => t >= a && t <= b)) d++;
    const fa = opens.filter((t) => !wins.some(([a, b]) => t >= a && t <= b)).length;
    detected += d;
    falseAlerts += fa;
    perFile[s.key] = `${d}/${wins.length} fp=${fa}`;
  }
  const precision = detected + falseAlerts > 0 ? detected / (detected + falseAlerts) : 0;
  const recall = windows > 0 ? detected / windows : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    windows,
    detected,
    falseAlerts,
    precision: round(precision, 4),
    recall: round(recall, 4),
    f1: round(f1, 4),
    ...(process.argv.includes('--per-file') ? { perFile } : {}),
  };
}

main();
