/**
 * `seismo replay --topic T --from TIME --to TIME [--labels FILE] [--out DIR] [--json] [--config FILE]`:
 * reads a time range of a samples topic and runs the detector's code (model + alert logic, through
 * the evaluation core shared with `seismo validate`) over each series, with no side effects on live
 * alerting: nothing is produced, no offsets of the live groups move, no notifier runs.
 */
import { pino, destination } from 'pino';
import { defaultConfig, loadConfigFile } from '../config/load.js';
import { ConfigError } from './errors.js';
import { createKafka } from './kafka/client.js';
import { sampleCodec } from './kafka/codec.js';
import { offsetRange, readRange } from './kafka/range-reader.js';
import type { SeriesRef } from '../ingest/sample.js';
import { createSeriesModel } from '../detect/model.js';
import { createAlertLogic } from '../detect/alert-logic.js';
import { evaluateSeries, type SeriesOutput } from '../detect/evaluate/run.js';
import type { SeriesData } from '../detect/evaluate/series.js';
import { loadLabels } from '../detect/nab/labels.js';
import { DEFAULT_PROFILES } from '../detect/nab/profiles.js';
import { summarise } from '../detect/validate/summary.js';
import { writeScoredCsv } from '../detect/validate/output.js';
import type { CorpusFile } from '../detect/validate/corpus.js';
import { detectorModelOptions } from '../detect/worker/model-options.js';

export interface ReplayOptions {
  topic: string;
  from: string;
  to: string;
  config?: string;
  labels?: string;
  out?: string;
  json?: boolean;
}

function parseTime(text: string, flag: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n)) throw new ConfigError([`${flag}: found ${JSON.stringify(text)}; expected an ISO time (2026-01-31T12:00:00Z) or epoch milliseconds`]);
  return n;
}

/** `YYYY-MM-DD HH:MM:SS` (NAB's layout, UTC), with `.mmm` when the timestamp has milliseconds. */
function tsText(ts: number): string {
  const iso = new Date(ts).toISOString();
  return ts % 1000 === 0 ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * The key of a replayed series, laid out like a NAB corpus (`<category>/<name>.csv`): a series from
 * the `file` source keeps the key it was read from, so the labels of that corpus apply unchanged;
 * any other series is `<source>/<name>-<id>.csv`.
 */
export function replayKey(series: SeriesRef, id: string): string {
  if (series.source === 'file' && series.name.includes('/')) return `${series.name}.csv`;
  return `${series.source}/${series.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${id}.csv`;
}

/** Margin read beyond each end of the range, ms (points of one record span less than this). */
const RANGE_MARGIN_MS = 15 * 60_000;

interface Collected {
  series: SeriesRef;
  points: Array<[number, number]>;
}

/** What `seismo replay --json` prints. */
export interface ReplayResult {
  topic: string;
  from: string;
  to: string;
  records: number;
  rejected_records: number;
  points_outside_range: number;
  series: number;
  rows: number;
  alerts: number;
  seconds: number;
  windows?: number;
  nab?: unknown;
  nab_sweep?: unknown;
  events?: unknown;
  forecast?: unknown;
}

export async function replayCommand(raw: Record<string, unknown>): Promise<number> {
  const opts = raw as unknown as ReplayOptions;
  const result = await runReplay(opts);
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `replay ${result.topic} ${result.from} .. ${result.to}: ${result.records} records, ${result.series} series, ${result.rows} points, ${result.alerts} alerts opened, ${result.rejected_records} rejected records, ${result.seconds.toFixed(2)} s\n`,
    );
    if (result.nab !== undefined) process.stdout.write(`NAB ${JSON.stringify(result.nab)}; events ${JSON.stringify(result.events)}\n`);
    if (opts.out) process.stdout.write(`scored CSVs in ${opts.out}\n`);
  }
  return 0;
}

/**
 * Points of one series in read (offset) order -> the points the detector stage scores: it drops a
 * point not newer than the last one it kept, so a redelivered record's repeats and a late point
 * are left out, and of two points with one timestamp the first read is kept.
 */
export function asTheDetectorSeesThem(points: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const [ts, value] of points) {
    if (!(ts > last)) continue;
    out.push([ts, value]);
    last = ts;
  }
  return out;
}

/** Reads the range and evaluates every series in it; writes CSVs when `out` is set. */
export async function runReplay(opts: ReplayOptions): Promise<ReplayResult> {
  const t0 = performance.now();
  const cfg = opts.config ? loadConfigFile(opts.config, { checkSecrets: false }) : defaultConfig();
  if (!cfg.kafka) throw new ConfigError(['kafka: replay reads a Kafka topic; give --config with a kafka section (brokers)']);
  const fromMs = parseTime(opts.from, '--from');
  const toMs = parseTime(opts.to, '--to');
  if (toMs < fromMs) throw new ConfigError([`--to: found ${opts.to}; must not be before --from (${opts.from})`]);
  const logger = pino({ level: 'warn' }, destination(2));
  const kafka = createKafka(cfg.kafka, logger, 'replay');

  const codec = sampleCodec('series-binary');
  const bySeries = new Map<string, Collected>();
  let rejected = 0;
  let outside = 0;
  // A record's timestamp is that of its last point; read a margin either side and keep exactly the
  // points inside [from, to].
  const ranges = await offsetRange(kafka, opts.topic, fromMs - RANGE_MARGIN_MS, toMs + RANGE_MARGIN_MS);
  const records = await readRange(kafka, opts.topic, ranges, cfg.kafka.groupPrefix, (value) => {
    // Decoding has no age limit, so old ranges replay. The future limit is taken from the end of
    // what is read (or the wall clock, if later), so a record read within the margin past `to`
    // still yields its points inside the range.
    const d = codec.decode(value, Math.max(Date.now(), toMs + RANGE_MARGIN_MS));
    if (!d.ok) {
      rejected++;
      return;
    }
    for (const s of d.items) {
      if (s.ts < fromMs || s.ts > toMs) {
        outside++;
        continue;
      }
      let c = bySeries.get(s.id);
      if (!c) bySeries.set(s.id, (c = { series: s.series, points: [] }));
      c.points.push([s.ts, s.value]);
    }
  });

  const modelOpts = detectorModelOptions(cfg.detect, logger);
  const labels = opts.labels ? loadLabels(opts.labels) : null;
  const files: CorpusFile[] = [];
  const outputs: SeriesOutput[] = [];
  let alerts = 0;
  for (const [id, c] of [...bySeries].sort((a, b) => a[0].localeCompare(b[0]))) {
    const pts = asTheDetectorSeesThem(c.points);
    const key = replayKey(c.series, id);
    const data: SeriesData = {
      key,
      category: key.split('/')[0],
      ts: Float64Array.from(pts, (p) => p[0]),
      values: Float64Array.from(pts, (p) => p[1]),
      tsText: pts.map((p) => tsText(p[0])),
      skipped: 0,
    };
    const out = evaluateSeries(data.ts, data.values, createSeriesModel(cfg.detect, modelOpts), createAlertLogic(cfg.detect));
    alerts += out.alert.reduce((a, b) => a + b, 0);
    const windows = labels?.get(key);
    files.push({ series: data, windows: windows ?? [], labelled: windows !== undefined });
    outputs.push(out);
    if (opts.out) await writeScoredCsv(opts.out, files[files.length - 1], out);
  }

  const seconds = (performance.now() - t0) / 1000;
  const rows = files.reduce((a, f) => a + f.series.ts.length, 0);
  const base = { topic: opts.topic, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), records, rejected_records: rejected, points_outside_range: outside, series: files.length, rows, alerts, seconds: Math.round(seconds * 1000) / 1000 };
  return labels && files.length ? { ...base, ...pickScores(summarise(files, outputs, DEFAULT_PROFILES)) } : base;
}

function pickScores(s: ReturnType<typeof summarise>): { windows: number; nab: unknown; nab_sweep: unknown; events: unknown; forecast: unknown } {
  return { windows: s.windows, nab: s.nab, nab_sweep: s.nab_sweep, events: s.events, forecast: s.forecast };
}

