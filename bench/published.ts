/**
 * seismo beside NAB's published detectors: the same files, the same scorer, the same event metric.
 *
 *   npm run -s build && node dist/bench/published.js --nab DIR [--data DIR] [--files given|others|all] [--json]
 *
 * `--nab` is a checkout of the Numenta Anomaly Benchmark (github.com/numenta/NAB): its `data/`,
 * `labels/combined_windows.json`, `config/thresholds.json` and `results/<detector>/` (each published
 * detector's anomaly score on every row). `--files` picks NAB's files:
 * - `given` (default): those also under `--data` (default ../shared/data/nab/data), the corpus
 *   seismo's defaults were developed on;
 * - `others`: NAB's files that are NOT under `--data`, which seismo's defaults never saw (the
 *   published detectors were developed on all of NAB, so for them these files are not unseen);
 * - `all`.
 *
 * For every detector it prints
 * - `nab_sweep`: NAB's published method, one global threshold over the score swept for the best
 *   normalised score, per profile (seismo: also `nab`, its default alerts);
 * - `events_at_nab_threshold`: events precision/recall/F1 with an alert opening wherever the score
 *   rises to NAB's own standard-profile threshold for that detector (config/thresholds.json), i.e.
 *   its published operating point (seismo: its default alerts);
 * - `events_best`: the best events F1 over about 500 global score thresholds (quantiles of all the
 *   detector's scores, 400 of them in the top percent), an alert opening wherever the score rises
 *   to the threshold, for seismo too. The threshold is chosen with the labels in view: a bound for
 *   that score, not a detector.
 * seismo runs with its default configuration over NAB's copy of the files.
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectConfig } from '../detect/config.js';
import { addEvents, countEvents, eventMetrics, type EventCounts } from '../detect/evaluate/metrics.js';
import { listSeriesFiles } from '../detect/evaluate/series.js';
import { planFile, prepareSweep, sweepThreshold, DEFAULT_PROFILES, PROFILE_NAMES, type FilePlan, type ProfileName } from '../detect/nab/index.js';
import { loadCorpus, type CorpusFile } from '../detect/validate/corpus.js';
import { runCorpus } from '../detect/validate/run-corpus.js';
import { summarise } from '../detect/validate/summary.js';
import { arg } from './args.js';
import { round } from './stats.js';

type Scores = Record<ProfileName, number | null>;

interface EventsRow {
  precision: number;
  recall: number;
  f1: number;
  detected: number;
  windows: number;
  falseAlerts: number;
  threshold?: number;
}

interface DetectorRow {
  detector: string;
  nab?: Scores;
  nab_sweep: Scores;
  events_at_nab_threshold: EventsRow | null;
  events_best: EventsRow;
}

function eventsRow(c: EventCounts, threshold?: number): EventsRow {
  const m = eventMetrics(c);
  return { precision: round(m.precision, 3), recall: round(m.recall, 3), f1: round(m.f1, 3), detected: c.detected, windows: c.windows, falseAlerts: c.falseAlerts, threshold };
}

function roundScores(s: Scores): Scores {
  const out = {} as Scores;
  for (const p of PROFILE_NAMES) out[p] = s[p] === null ? null : round(s[p], 1);
  return out;
}

/** Anomaly scores of one published results file, or an error naming what is wrong with it. */
function readScores(file: string, rows: number): Float64Array | string {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const col = lines[0].split(',').map((h) => h.trim()).indexOf('anomaly_score');
  if (col < 0) return `${file}: no anomaly_score column`;
  if (lines.length - 1 !== rows) return `${file}: ${lines.length - 1} rows, the data file has ${rows}`;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = Number(lines[i + 1].split(',')[col]);
    if (!Number.isFinite(v)) return `${file}: row ${i + 2}: anomaly_score ${JSON.stringify(lines[i + 1].split(',')[col])} is not a number`;
    out[i] = v;
  }
  return out;
}

/** Alert openings when an alert is "score >= t": the rows where the score rises to t. */
function openingsAt(score: Float64Array, t: number): Uint8Array {
  const open = new Uint8Array(score.length);
  let above = false;
  for (let i = 0; i < score.length; i++) {
    const now = score[i] >= t;
    if (now && !above) open[i] = 1;
    above = now;
  }
  return open;
}

function eventsAt(files: readonly CorpusFile[], scores: readonly Float64Array[], t: number): EventCounts {
  let c: EventCounts = { windows: 0, detected: 0, falseAlerts: 0, alerts: 0 };
  files.forEach((f, k) => (c = addEvents(c, countEvents(f.series.ts, openingsAt(scores[k], t), f.windows))));
  return c;
}

/** Candidate thresholds: quantiles of all scores, dense in the top percent where alerts live. */
function candidates(scores: readonly Float64Array[]): number[] {
  const all = Float64Array.from(scores.flatMap((s) => Array.from(s))).sort();
  const qs: number[] = [];
  for (let i = 0; i <= 100; i++) qs.push(0.5 + (0.49 * i) / 100);
  for (let i = 1; i <= 400; i++) qs.push(0.99 + (0.01 * i) / 400);
  const out = new Set<number>();
  for (const q of qs) out.add(all[Math.min(all.length - 1, Math.floor(q * all.length))]);
  return [...out];
}

function bestEvents(files: readonly CorpusFile[], scores: readonly Float64Array[]): EventsRow {
  let best: EventsRow | undefined;
  for (const t of candidates(scores)) {
    const row = eventsRow(eventsAt(files, scores, t), t);
    if (!best || row.f1 > best.f1) best = row;
  }
  return best ?? eventsRow({ windows: 0, detected: 0, falseAlerts: 0, alerts: 0 });
}

function sweep(plans: readonly FilePlan[], scores: readonly Float64Array[]): Scores {
  const input = prepareSweep(plans.map((plan, i) => ({ plan, scores: scores[i] })));
  const out = {} as Scores;
  for (const p of PROFILE_NAMES) out[p] = sweepThreshold(input, DEFAULT_PROFILES[p]).normalised;
  return roundScores(out);
}

function main(): void {
  const nabDir = process.argv.includes('--nab') ? resolve(arg('nab', '')) : '';
  if (!nabDir || !existsSync(join(nabDir, 'results'))) {
    console.error('published: --nab DIR must be a checkout of NAB (github.com/numenta/NAB) with data/, labels/, config/ and results/');
    process.exit(2);
  }
  const which = arg('files', 'given');
  if (!['given', 'others', 'all'].includes(which)) {
    console.error(`published: --files ${JSON.stringify(which)}: allowed are given, others, all`);
    process.exit(2);
  }
  const given = new Set(listSeriesFiles(resolve(arg('data', '../shared/data/nab/data'))));
  const files = loadCorpus(join(nabDir, 'data'), join(nabDir, 'labels', 'combined_windows.json')).filter((f) =>
    which === 'all' ? true : which === 'given' ? given.has(f.series.key) : !given.has(f.series.key),
  );
  if (files.length === 0) {
    console.error(`published: no NAB files selected by --files ${which}`);
    process.exit(2);
  }
  const plans = files.map((f) => planFile(f.series.ts, f.windows));
  const thresholds = JSON.parse(readFileSync(join(nabDir, 'config', 'thresholds.json'), 'utf8')) as Record<string, Record<string, { threshold: number }>>;

  const rows: DetectorRow[] = [];
  const skipped: string[] = [];
  const cfg = detectConfig({});
  const outputs = runCorpus(cfg, files);
  const summary = summarise(files, outputs, DEFAULT_PROFILES);
  rows.push({
    detector: 'seismo (defaults)',
    nab: roundScores(summary.nab),
    nab_sweep: roundScores(summary.nab_sweep),
    events_at_nab_threshold: eventsRow(summary.event_counts),
    events_best: bestEvents(
      files,
      outputs.map((o) => Float64Array.from(o.score)),
    ),
  });

  const resultsDir = join(nabDir, 'results');
  for (const det of readdirSync(resultsDir).sort()) {
    if (!statSync(join(resultsDir, det)).isDirectory() || det === 'null') continue;
    const scores: Float64Array[] = [];
    let problem: string | undefined;
    for (const f of files) {
      const [category, name] = f.series.key.split('/');
      const path = join(resultsDir, det, category, `${det}_${name}`);
      const s = existsSync(path) ? readScores(path, f.series.ts.length) : `${path}: missing`;
      if (typeof s === 'string') {
        problem = s;
        break;
      }
      scores.push(s);
    }
    if (problem !== undefined) {
      skipped.push(`${det}: ${problem}`);
      continue;
    }
    const t = thresholds[det]?.standard?.threshold;
    rows.push({
      detector: det,
      nab_sweep: sweep(plans, scores),
      events_at_nab_threshold: t === undefined ? null : eventsRow(eventsAt(files, scores, t), round(t, 4)),
      events_best: bestEvents(files, scores),
    });
  }
  rows.sort((a, b) => (b.nab_sweep.standard ?? -Infinity) - (a.nab_sweep.standard ?? -Infinity));

  const result = { files: files.length, windows: summary.windows, rows: summary.rows, selection: which, detectors: rows, skipped };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`${files.length} NAB files (${which}), ${summary.windows} windows, ${summary.rows} rows`);
  console.log('detector              nab_sweep std/lowFP/lowFN   events P/R/F1 (false) at its NAB threshold   best events F1 (labels in view)');
  const ev = (e: EventsRow | null) => (e ? `${e.precision.toFixed(2)}/${e.recall.toFixed(2)}/${e.f1.toFixed(3)} (${e.falseAlerts})` : '-');
  for (const r of rows) {
    const s = r.nab_sweep;
    console.log(`${r.detector.padEnd(22)}${`${s.standard}/${s.reward_low_FP_rate}/${s.reward_low_FN_rate}`.padEnd(28)}${ev(r.events_at_nab_threshold).padEnd(45)}${ev(r.events_best)}`);
  }
  const seismo = rows.find((r) => r.nab);
  if (seismo?.nab) console.log(`seismo's default alerts: nab ${seismo.nab.standard}/${seismo.nab.reward_low_FP_rate}/${seismo.nab.reward_low_FN_rate}`);
  for (const s of skipped) console.log(`skipped ${s}`);
}

main();
