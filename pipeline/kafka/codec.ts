import type { Alert, DeadLetter, FeatureRecord, Sample } from '../ports.js';
import type { SeriesRef } from '../../ingest/sample.js';
import { ADMITTED_SAMPLE_LIMITS, checkSample, seriesId } from '../../ingest/sample.js';

/** One Kafka record as seismo writes it: key = series id (or stage for dead letters). */
export interface OutRecord {
  key: string;
  value: string | Buffer;
  /** Epoch ms of the record (Kafka timestamp). */
  timestamp?: string;
}

/** What decoding one record yields: its items, or why it is a dead letter. */
export type Decoded<T> = { ok: true; items: T[] } | { ok: false; reason: string };

export type Encoding = 'series-binary' | 'series-batch' | 'json';

export interface Codec<T> {
  encode(items: T[]): OutRecord[];
  /** `now` (epoch ms, default the wall clock) bounds how far in the future a sample may be. */
  decode(value: Buffer | null, now?: number): Decoded<T>;
}

/** Version tag of batched messages, so a later layout can be told apart. */
const BATCH_VERSION = 1;

interface SeriesBatch {
  v: number;
  id: string;
  series: SeriesRef;
  points: number[][];
  /**
   * Binary messages only: the points row-major, `fields` numbers each (then `points` is empty), so
   * decoding allocates one array per message instead of one per point.
   */
  flat?: Float64Array;
}

/** Points in a batch, whichever form it came in. */
function pointCount(b: SeriesBatch, fields: number): number {
  return b.flat ? b.flat.length / fields : b.points.length;
}

/** Groups items by series id, keeping arrival order inside each series. */
function groupBySeries<T extends { id: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const g = groups.get(it.id);
    if (g) g.push(it);
    else groups.set(it.id, [it]);
  }
  return groups;
}

function parse(value: Buffer | null): { ok: true; json: unknown } | { ok: false; reason: string } {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message' };
  try {
    return { ok: true, json: JSON.parse(value.toString('utf8')) };
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
}

/**
 * `series-binary` layout: byte 0 = 0x00 (JSON never starts with it), byte 1 = version (2), byte 2 =
 * fields per point, bytes 3-6 = header length H (uint32 LE), then H bytes of JSON `{id, series}`,
 * then uint32 LE point count N, then N x fields float64 LE (ts first).
 */
const BINARY_MAGIC = 0x00;
const BINARY_VERSION = 2;

/** Most series whose encoded/decoded header a codec remembers (then it starts over). */
const HEADER_CACHE_SIZE = 100_000;

/** A small bounded memo: a busy series' header is encoded, parsed and checked once, not per message. */
class Memo<V> {
  private readonly map = new Map<string, V>();
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, v: V): void {
    if (this.map.size >= HEADER_CACHE_SIZE) this.map.clear();
    this.map.set(key, v);
  }
}

function encodeBinary(id: string, series: SeriesRef, rows: number[][], fields: number, headers: Memo<Buffer>): Buffer {
  let header = headers.get(id);
  if (!header) headers.set(id, (header = Buffer.from(JSON.stringify({ id, series }), 'utf8')));
  const buf = Buffer.allocUnsafe(7 + header.length + 4 + rows.length * fields * 8);
  buf[0] = BINARY_MAGIC;
  buf[1] = BINARY_VERSION;
  buf[2] = fields;
  buf.writeUInt32LE(header.length, 3);
  header.copy(buf, 7);
  let o = 7 + header.length;
  buf.writeUInt32LE(rows.length, o);
  o += 4;
  for (const row of rows) {
    for (let k = 0; k < fields; k++) {
      buf.writeDoubleLE(row[k], o);
      o += 8;
    }
  }
  return buf;
}

/** A decoded header, and whether its series was already found valid. */
interface Header {
  id: string;
  series: SeriesRef;
  checked: boolean;
}

function decodeBinary(value: Buffer, fields: number, headers: Memo<Header>): { ok: true; batch: SeriesBatch; header: Header } | { ok: false; reason: string } {
  if (value.length < 11) return { ok: false, reason: 'binary message too short' };
  if (value[1] !== BINARY_VERSION) return { ok: false, reason: `unknown binary version ${value[1]}` };
  if (value[2] !== fields) return { ok: false, reason: `expected ${fields} fields per point, found ${value[2]}` };
  const h = value.readUInt32LE(3);
  if (7 + h + 4 > value.length) return { ok: false, reason: 'binary header overruns the message' };
  const text = value.toString('utf8', 7, 7 + h);
  let header = headers.get(text);
  if (!header) {
    let parsed: { id?: unknown; series?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (err) {
      return { ok: false, reason: `binary header is not JSON: ${(err as Error).message}` };
    }
    header = { id: parsed.id as string, series: parsed.series as SeriesRef, checked: false };
    headers.set(text, header);
  }
  let o = 7 + h;
  const n = value.readUInt32LE(o);
  o += 4;
  if (value.length !== o + n * fields * 8) return { ok: false, reason: `binary body is ${value.length - o} bytes, expected ${n * fields * 8}` };
  const flat = new Float64Array(n * fields);
  for (let i = 0; i < flat.length; i++) {
    flat[i] = value.readDoubleLE(o);
    o += 8;
  }
  return { ok: true, batch: { v: BATCH_VERSION, id: header.id, series: header.series, points: [], flat }, header };
}

/** Parses a message in any layout, or says why it cannot. `header` is set for binary messages. */
function parseAny(value: Buffer | null, fields: number, headers: Memo<Header>): { ok: true; json: unknown; header?: Header } | { ok: false; reason: string } {
  if (value !== null && value.length > 0 && value[0] === BINARY_MAGIC) {
    const b = decodeBinary(value, fields, headers);
    return b.ok ? { ok: true, json: b.batch, header: b.header } : b;
  }
  return parse(value);
}

/**
 * The per-point part of checkSample with ADMITTED_SAMPLE_LIMITS: value finite, timestamp a finite
 * number and not in the future. No age limit: the collector applied its source's one at ingest.
 */
function checkPoint(ts: unknown, value: unknown, now: number): string | null {
  if (typeof value !== 'number') return `value is not a number: ${JSON.stringify(value)?.slice(0, 64)}`;
  if (!Number.isFinite(value)) return `value is not finite: ${String(value)}`;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return `timestamp is not a number: ${JSON.stringify(ts)?.slice(0, 64)}`;
  if (ts > now + ADMITTED_SAMPLE_LIMITS.maxFutureMs) return `timestamp ${new Date(ts).toISOString()} is more than ${ADMITTED_SAMPLE_LIMITS.maxFutureMs} ms in the future`;
  return null;
}

function isBatch(json: unknown): json is SeriesBatch {
  return typeof json === 'object' && json !== null && Array.isArray((json as { points?: unknown }).points);
}

/** Samples: one message per point (`json`) or per series and emit (`series-batch`). */
export function sampleCodec(encoding: Encoding, maxPointsPerMessage = 500): Codec<Sample> {
  const encoded = new Memo<Buffer>();
  const decoded = new Memo<Header>();
  return {
    encode(items) {
      if (encoding === 'json') return items.map((s) => ({ key: s.id, value: JSON.stringify(s), timestamp: String(s.ts) }));
      const out: OutRecord[] = [];
      for (const [id, group] of groupBySeries(items)) {
        for (let i = 0; i < group.length; i += maxPointsPerMessage) {
          const slice = group.slice(i, i + maxPointsPerMessage);
          const points = slice.map((s) => [s.ts, s.value]);
          const value = encoding === 'series-binary' ? encodeBinary(id, slice[0].series, points, 2, encoded) : JSON.stringify({ v: BATCH_VERSION, id, series: slice[0].series, points });
          out.push({ key: id, value, timestamp: String(slice[slice.length - 1].ts) });
        }
      }
      return out;
    },
    decode(value, now = Date.now()) {
      const p = parseAny(value, 2, decoded);
      if (!p.ok) return p;
      if (!isBatch(p.json)) {
        const reason = checkSample(p.json, now, ADMITTED_SAMPLE_LIMITS);
        if (reason) return { ok: false, reason };
        const s = p.json as Sample;
        return { ok: true, items: [{ series: s.series, id: s.id ?? seriesId(s.series), ts: s.ts, value: s.value }] };
      }
      const b = p.json;
      if (b.v !== BATCH_VERSION) return { ok: false, reason: `unknown batch version ${JSON.stringify(b.v)}` };
      const n = pointCount(b, 2);
      if (n === 0) return { ok: false, reason: 'batch has no points' };
      const flat = b.flat;
      // The series (labels, id hash) is checked once per message, or once per series for binary
      // headers already seen; every point is checked for value and time.
      if (!p.header?.checked) {
        const pt0 = flat ? [flat[0], flat[1]] : b.points[0];
        const reason = checkSample({ series: b.series, id: b.id, ts: Array.isArray(pt0) ? pt0[0] : undefined, value: Array.isArray(pt0) ? pt0[1] : undefined }, now, ADMITTED_SAMPLE_LIMITS);
        if (reason) return { ok: false, reason: `points[0]: ${reason}` };
        if (p.header) p.header.checked = true;
      }
      const items: Sample[] = new Array(n);
      for (let i = 0; i < n; i++) {
        let ts: unknown;
        let v: unknown;
        if (flat) {
          ts = flat[2 * i];
          v = flat[2 * i + 1];
        } else {
          const pt = b.points[i];
          if (!Array.isArray(pt) || pt.length !== 2) return { ok: false, reason: `points[${i}] is not [ts, value]` };
          ts = pt[0];
          v = pt[1];
        }
        const reason = checkPoint(ts, v, now);
        if (reason) return { ok: false, reason: `points[${i}]: ${reason}` };
        items[i] = { series: b.series, id: b.id, ts: ts as number, value: v as number };
      }
      return { ok: true, items };
    },
  };
}

const FEATURE_FIELDS = ['ts', 'value', 'count', 'mean', 'std', 'min', 'max', 'ewma'] as const;

/** The first field of a feature row (FEATURE_FIELDS order, starting at `o`) that is not a finite number, as a reason. */
function checkFeatureRow(row: ArrayLike<unknown>, o = 0): string | null {
  for (let k = 0; k < FEATURE_FIELDS.length; k++) {
    const x = row[o + k];
    if (typeof x !== 'number' || !Number.isFinite(x)) return `${FEATURE_FIELDS[k]} is not a finite number`;
  }
  return null;
}

function checkSeries(id: unknown, series: unknown): string | null {
  if (typeof id !== 'string' || id === '') return 'missing id';
  const s = series as Partial<SeriesRef> | null;
  if (!s || typeof s !== 'object' || typeof s.name !== 'string' || typeof s.source !== 'string' || typeof s.labels !== 'object' || s.labels === null) {
    return 'missing or malformed series';
  }
  return null;
}

/** Feature records, with the same two encodings as samples. */
export function featureCodec(encoding: Encoding, maxPointsPerMessage = 500): Codec<FeatureRecord> {
  const encoded = new Memo<Buffer>();
  const decoded = new Memo<Header>();
  return {
    encode(items) {
      if (encoding === 'json') return items.map((f) => ({ key: f.id, value: JSON.stringify(f), timestamp: String(f.ts) }));
      const out: OutRecord[] = [];
      for (const [id, group] of groupBySeries(items)) {
        for (let i = 0; i < group.length; i += maxPointsPerMessage) {
          const slice = group.slice(i, i + maxPointsPerMessage);
          const points = slice.map((f) => [f.ts, f.value, f.count, f.mean, f.std, f.min, f.max, f.ewma]);
          const value = encoding === 'series-binary' ? encodeBinary(id, slice[0].series, points, FEATURE_FIELDS.length, encoded) : JSON.stringify({ v: BATCH_VERSION, id, series: slice[0].series, points });
          out.push({ key: id, value, timestamp: String(slice[slice.length - 1].ts) });
        }
      }
      return out;
    },
    decode(value) {
      const p = parseAny(value, FEATURE_FIELDS.length, decoded);
      if (!p.ok) return p;
      if (!isBatch(p.json)) {
        const f = p.json as Record<string, unknown>;
        if (typeof f !== 'object' || f === null) return { ok: false, reason: 'feature record is not an object' };
        const reason = checkSeries(f.id, f.series) ?? checkFeatureRow(FEATURE_FIELDS.map((k) => f[k]));
        return reason ? { ok: false, reason } : { ok: true, items: [f as unknown as FeatureRecord] };
      }
      const b = p.json;
      if (b.v !== BATCH_VERSION) return { ok: false, reason: `unknown batch version ${JSON.stringify(b.v)}` };
      const sReason = checkSeries(b.id, b.series);
      if (sReason) return { ok: false, reason: sReason };
      const fields = FEATURE_FIELDS.length;
      const n = pointCount(b, fields);
      const flat = b.flat;
      const items: FeatureRecord[] = new Array(n);
      for (let i = 0; i < n; i++) {
        let row: ArrayLike<unknown>;
        let o = 0;
        if (flat) {
          row = flat;
          o = i * fields;
        } else {
          const pt = b.points[i];
          if (!Array.isArray(pt) || pt.length !== fields) return { ok: false, reason: `points[${i}] does not have ${fields} fields` };
          row = pt;
        }
        const reason = checkFeatureRow(row, o);
        if (reason) return { ok: false, reason: `points[${i}]: ${reason}` };
        const r = row as ArrayLike<number>;
        items[i] = { id: b.id, series: b.series, ts: r[o], value: r[o + 1], count: r[o + 2], mean: r[o + 3], std: r[o + 4], min: r[o + 5], max: r[o + 6], ewma: r[o + 7] };
      }
      return { ok: true, items };
    },
  };
}

/** Alerts: one JSON message each, keyed by series id so one series' alerts stay in order. */
export function alertCodec(): Codec<Alert> {
  return {
    encode: (items) => items.map((a) => ({ key: a.series.id, value: JSON.stringify(a), timestamp: String(a.ts) })),
    decode(value) {
      const p = parse(value);
      if (!p.ok) return p;
      const a = p.json as Partial<Alert> | null;
      if (!a || typeof a !== 'object') return { ok: false, reason: 'alert is not an object' };
      if (typeof a.id !== 'string' || typeof a.dedupKey !== 'string') return { ok: false, reason: 'alert lacks id or dedupKey' };
      if (a.state !== 'firing' && a.state !== 'resolved') return { ok: false, reason: `alert state ${JSON.stringify(a.state)} is not firing|resolved` };
      if (typeof a.ts !== 'number' || !a.series || typeof a.series.id !== 'string') return { ok: false, reason: 'alert lacks ts or series.id' };
      return { ok: true, items: [a as Alert] };
    },
  };
}

/** Dead letters keyed by the stage that rejected them; oversize payloads are truncated. */
export function encodeDeadLetters(entries: DeadLetter[], maxPayloadChars = 64 * 1024): OutRecord[] {
  return entries.map((d) => {
    let payload = d.payload;
    if (Buffer.isBuffer(payload)) payload = payload.toString('utf8');
    let text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    if (text !== undefined && text.length > maxPayloadChars) text = `${text.slice(0, maxPayloadChars)}…(truncated)`;
    return { key: d.stage, value: JSON.stringify({ stage: d.stage, reason: d.reason, payload: text, ts: d.ts }), timestamp: String(d.ts) };
  });
}
