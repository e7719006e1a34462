import { SeismoError } from '../../pipeline/errors.js';

/** One point for InfluxDB. `ts` is epoch ms; the writer uses millisecond precision. */
export interface InfluxPoint {
  measurement: string;
  /** Empty values are left out (line protocol cannot carry them). */
  tags: Record<string, string>;
  /** Numbers are written as floats; NaN and ±Infinity cannot be stored and are left out. */
  fields: Record<string, number | string | boolean>;
  ts: number;
}

/**
 * Escapes a measurement name: comma and space get a backslash. InfluxDB reads any backslash right
 * before a separator as an escape, so a backslash before an escaped character needs nothing more,
 * but a trailing backslash would swallow the separator that follows: trailing backslashes are
 * dropped. Newlines become the two characters `\\n` (line protocol cannot carry them here).
 */
export function escapeMeasurement(s: string): string {
  return s.replace(/\\+$/, '').replace(/[, ]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, '\\n');
}

/** Escapes a tag key, tag value or field key: comma, equals sign and space (backslashes and newlines as above). */
export function escapeKey(s: string): string {
  return s.replace(/\\+$/, '').replace(/[,= ]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, '\\n');
}

/** Quotes a string field value: backslash and double quote are escaped; newlines are kept. */
export function quoteString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Serialises one point to a line of line protocol (millisecond timestamp). Tags are sorted by key,
 * as InfluxDB prefers. Throws a non-retriable SeismoError when the point cannot be written at all
 * (no measurement, no storable field, bad timestamp).
 */
export function toLine(p: InfluxPoint): string {
  if (typeof p.measurement !== 'string' || p.measurement === '') throw new SeismoError('point has no measurement');
  if (typeof p.ts !== 'number' || !Number.isFinite(p.ts)) throw new SeismoError(`point ${p.measurement} has a bad timestamp: ${String(p.ts)}`);
  let line = escapeMeasurement(p.measurement);
  if (line === '') throw new SeismoError(`point has an unusable measurement: ${JSON.stringify(p.measurement)}`);
  const tagKeys = Object.keys(p.tags).sort();
  for (const k of tagKeys) {
    const v = p.tags[k];
    if (typeof v !== 'string') continue;
    const key = escapeKey(k);
    const value = escapeKey(v);
    if (key === '' || value === '') continue;
    line += `,${key}=${value}`;
  }
  let sep = ' ';
  let nFields = 0;
  for (const k of Object.keys(p.fields)) {
    const v = p.fields[k];
    let text: string;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) continue;
      text = String(v);
    } else if (typeof v === 'boolean') {
      text = v ? 'true' : 'false';
    } else if (typeof v === 'string') {
      text = quoteString(v);
    } else {
      continue;
    }
    const key = escapeKey(k);
    if (key === '') continue;
    line += `${sep}${key}=${text}`;
    sep = ',';
    nFields++;
  }
  if (nFields === 0) throw new SeismoError(`point ${p.measurement} has no field that can be stored`);
  return `${line} ${Math.round(p.ts)}`;
}
