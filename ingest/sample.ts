import { createHash } from 'node:crypto';

/** Where a series comes from and what identifies it. */
export interface SeriesRef {
  /** Source kind, e.g. `prometheus`, `cloudwatch`, `host`, `file`. */
  source: string;
  /** Metric name. */
  name: string;
  /** Label set; order does not matter for identity. */
  labels: Record<string, string>;
}

/** One observation of one series. `id` is {@link seriesId} of `series`. */
export interface Sample {
  series: SeriesRef;
  id: string;
  /** Epoch milliseconds. */
  ts: number;
  value: number;
}

/** Limits applied by {@link checkSample}. */
export interface SampleLimits {
  /** Reject samples older than this many ms before now. Default 30 days; `Infinity`: no age limit. */
  maxAgeMs: number;
  /** Reject samples further than this many ms in the future. Default 10 minutes. */
  maxFutureMs: number;
  /** Maximum number of labels. */
  maxLabels: number;
  /** Maximum length of a label name or value, and of the metric name. */
  maxLabelLength: number;
}

/** What a collector admits (the `file` source lifts `maxAgeMs` for its historic replays). */
export const DEFAULT_SAMPLE_LIMITS: SampleLimits = {
  maxAgeMs: 30 * 24 * 3600_000,
  maxFutureMs: 10 * 60_000,
  maxLabels: 64,
  maxLabelLength: 1024,
};

/**
 * What a stage re-checks on samples that a collector already admitted (Kafka decode): the same
 * shape, label and future limits, but no age limit. Age is a policy of the source, known only at
 * ingest (a `file` replay is old by nature), and a record read late (consumer lag, replay of the
 * topic) is older than when it was admitted without being malformed.
 */
export const ADMITTED_SAMPLE_LIMITS: SampleLimits = { ...DEFAULT_SAMPLE_LIMITS, maxAgeMs: Number.POSITIVE_INFINITY };

/** Canonical key: source, name and labels sorted by name, in an unambiguous encoding. */
export function seriesKey(series: SeriesRef): string {
  const labels = Object.keys(series.labels)
    .sort()
    .map((k) => [k, series.labels[k]]);
  return JSON.stringify([series.source, series.name, labels]);
}

/** Stable 16-hex-digit id of a series: the first 64 bits of SHA-256 over its canonical key. */
export function seriesId(series: SeriesRef): string {
  return createHash('sha256').update(seriesKey(series)).digest('hex').slice(0, 16);
}

export function makeSample(series: SeriesRef, ts: number, value: number): Sample {
  return { series, id: seriesId(series), ts, value };
}

/**
 * Checks a candidate sample (possibly untrusted input). Returns null when it is acceptable, or
 * the reason it must go to the dead-letter topic.
 */
export function checkSample(
  input: unknown,
  now: number = Date.now(),
  limits: SampleLimits = DEFAULT_SAMPLE_LIMITS,
): string | null {
  if (typeof input !== 'object' || input === null) return 'sample is not an object';
  const s = input as Partial<Sample>;
  const series = s.series as Partial<SeriesRef> | undefined;
  if (!series || typeof series !== 'object') return 'missing series';
  if (typeof series.source !== 'string' || series.source === '') return 'series.source must be a non-empty string';
  if (typeof series.name !== 'string' || series.name === '') return 'series.name must be a non-empty string';
  if (series.name.length > limits.maxLabelLength) return `series.name longer than ${limits.maxLabelLength} characters`;
  if (!series.labels || typeof series.labels !== 'object' || Array.isArray(series.labels)) return 'series.labels must be an object';
  const keys = Object.keys(series.labels);
  if (keys.length > limits.maxLabels) return `too many labels: ${keys.length} > ${limits.maxLabels}`;
  for (const k of keys) {
    const v = (series.labels as Record<string, unknown>)[k];
    if (typeof v !== 'string') return `label ${k} is not a string`;
    if (k.length > limits.maxLabelLength || v.length > limits.maxLabelLength) return `label ${k.slice(0, 64)} longer than ${limits.maxLabelLength} characters`;
  }
  if (typeof s.value !== 'number') return `value is not a number: ${JSON.stringify(s.value)?.slice(0, 64)}`;
  if (!Number.isFinite(s.value)) return `value is not finite: ${String(s.value)}`;
  if (typeof s.ts !== 'number' || !Number.isFinite(s.ts)) return `timestamp is not a number: ${JSON.stringify(s.ts)?.slice(0, 64)}`;
  if (s.ts > now + limits.maxFutureMs) return `timestamp ${new Date(s.ts).toISOString()} is more than ${limits.maxFutureMs} ms in the future`;
  if (s.ts < now - limits.maxAgeMs) return `timestamp ${new Date(s.ts).toISOString()} is older than ${limits.maxAgeMs} ms`;
  if (s.id !== undefined && s.id !== seriesId(series as SeriesRef)) return 'id does not match the series key';
  return null;
}
