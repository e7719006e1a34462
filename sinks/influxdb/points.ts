import type { SeriesRef } from '../../ingest/sample.js';
import type { Alert, FeatureRecord } from '../../pipeline/ports.js';
import type { PointResult } from '../../detect/types.js';
import type { InfluxPoint } from './line-protocol.js';

export type { InfluxPoint } from './line-protocol.js';

/** Measurements seismo writes. */
export const MEASUREMENTS = {
  features: 'seismo_features',
  scores: 'seismo_scores',
  alerts: 'seismo_alerts',
} as const;

/** Prefix of the tags that carry series labels, so a label cannot clash with seismo's own tags. */
export const LABEL_TAG_PREFIX = 'l_';

/** Bounds on what the series labels add to a point's tags. */
export interface TagLimits {
  /** Labels written as tags, in label-name order; the rest are left out. */
  maxLabelTags: number;
  /** Longest tag value, in characters; longer values are cut. */
  maxTagValueLength: number;
}

export const DEFAULT_TAG_LIMITS: TagLimits = { maxLabelTags: 32, maxTagValueLength: 256 };

/**
 * The tags that identify a series: `series_id`, `source`, `metric` and one `l_<label>` per label.
 * Tag set + timestamp is InfluxDB's identity of a point, so writing the same series at the same
 * timestamp again overwrites it: writes are idempotent.
 */
export function seriesTags(id: string, series: SeriesRef, limits: TagLimits = DEFAULT_TAG_LIMITS): Record<string, string> {
  const cut = (v: string): string => (v.length > limits.maxTagValueLength ? v.slice(0, limits.maxTagValueLength) : v);
  const tags: Record<string, string> = { series_id: id, source: cut(series.source), metric: cut(series.name) };
  const names = Object.keys(series.labels).sort().slice(0, limits.maxLabelTags);
  for (const k of names) tags[`${LABEL_TAG_PREFIX}${k}`] = cut(series.labels[k]);
  return tags;
}

/** Rolling features of one sample: measurement `seismo_features`. */
export function featurePoint(f: FeatureRecord, limits?: TagLimits): InfluxPoint {
  return {
    measurement: MEASUREMENTS.features,
    tags: seriesTags(f.id, f.series, limits),
    fields: { value: f.value, count: f.count, mean: f.mean, std: f.std, min: f.min, max: f.max, ewma: f.ewma },
    ts: f.ts,
  };
}

/**
 * A model's verdict on one point: measurement `seismo_scores` with the value, the score, the
 * forecast and band made before the value was seen (absent during warm-up), `warm`, and one
 * `d_<detector>` field per detector sub-score.
 */
export function scorePoint(id: string, series: SeriesRef, ts: number, value: number, r: PointResult, limits?: TagLimits): InfluxPoint {
  const fields: InfluxPoint['fields'] = { value, score: r.score, warm: r.warm };
  if (r.forecast !== null) fields.forecast = r.forecast;
  if (r.lo !== null) fields.lo = r.lo;
  if (r.hi !== null) fields.hi = r.hi;
  for (const [name, s] of Object.entries(r.detectors)) fields[`d_${name}`] = s;
  return { measurement: MEASUREMENTS.scores, tags: seriesTags(id, series, limits), fields, ts };
}

/**
 * A firing or resolved alert: measurement `seismo_alerts`, tagged with the series, `severity` and
 * `state`; the rest are fields (`alert_id`, `dedup_key`, `value`, `lo`, `hi`, `score`, `detector`,
 * `explanation`). {@link alertFromRow} reads it back.
 */
export function alertPoint(a: Alert, limits?: TagLimits): InfluxPoint {
  const fields: InfluxPoint['fields'] = {
    alert_id: a.id,
    dedup_key: a.dedupKey,
    value: a.value,
    score: a.score,
    detector: a.detector,
    explanation: a.explanation,
  };
  if (a.expected.lo !== null) fields.lo = a.expected.lo;
  if (a.expected.hi !== null) fields.hi = a.expected.hi;
  return {
    measurement: MEASUREMENTS.alerts,
    tags: { ...seriesTags(a.series.id, a.series, limits), severity: a.severity, state: a.state },
    fields,
    ts: a.ts,
  };
}

/**
 * Rebuilds an alert from a row of `SELECT * FROM seismo_alerts` (time as epoch ms). Labels come
 * back from the `l_*` tags, so labels left out by the tag limits are missing. Returns null for a
 * row that is not a seismo alert.
 */
export function alertFromRow(row: Record<string, unknown>): Alert | null {
  const str = (k: string): string | null => (typeof row[k] === 'string' ? (row[k] as string) : null);
  const num = (k: string): number | null => (typeof row[k] === 'number' ? (row[k] as number) : null);
  const id = str('series_id');
  const ts = num('time');
  const state = str('state');
  const severity = str('severity');
  if (!id || ts === null || (state !== 'firing' && state !== 'resolved')) return null;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith(LABEL_TAG_PREFIX) && typeof v === 'string' && v !== '') labels[k.slice(LABEL_TAG_PREFIX.length)] = v;
  }
  return {
    id: str('alert_id') ?? `${id}:${state}:${ts}`,
    dedupKey: str('dedup_key') ?? id,
    series: { id, source: str('source') ?? '', name: str('metric') ?? '', labels },
    ts,
    value: num('value') ?? Number.NaN,
    expected: { lo: num('lo'), hi: num('hi') },
    score: num('score') ?? 0,
    detector: str('detector') ?? '',
    severity: severity === 'critical' || severity === 'info' ? severity : 'warning',
    state,
    explanation: str('explanation') ?? '',
  };
}
