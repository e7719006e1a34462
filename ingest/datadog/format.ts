/** The two response formats of Datadog metric queries, parsed into plain series. */

export interface DatadogSeries {
  /** Tags of the group, `host:a` → `{ host: 'a' }` (a tag without a colon gets an empty value). */
  tags: Record<string, string>;
  points: Array<{ ts: number; value: number | null }>;
}

/** `host:a` → ['host', 'a']; a tag may contain further colons in its value. */
export function parseTags(tags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    if (t === '*' || t === '') continue;
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

export class DatadogFormatError extends Error {}

function numOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  throw new DatadogFormatError(`value is not a number or null: ${JSON.stringify(v)?.slice(0, 64)}`);
}

/**
 * v1 `GET /api/v1/query`: `{ series: [{ metric, tag_set, scope, pointlist: [[ts_ms, value|null], …] }] }`.
 * Accepts snake_case (raw JSON) and camelCase (the client's models).
 */
export function parseV1(body: unknown): DatadogSeries[] {
  const b = body as { series?: unknown; status?: unknown; error?: unknown };
  if (!b || typeof b !== 'object') throw new DatadogFormatError('v1 response is not an object');
  if (b.status === 'error') throw new DatadogFormatError(`v1 query error: ${String(b.error ?? 'unknown')}`);
  if (!Array.isArray(b.series)) throw new DatadogFormatError('v1 response has no series array');
  return b.series.map((raw: Record<string, unknown>) => {
    const tagSet = (raw.tag_set ?? raw.tagSet) as string[] | undefined;
    const scopeTags = typeof raw.scope === 'string' ? raw.scope.split(',') : [];
    const pointlist = raw.pointlist;
    if (!Array.isArray(pointlist)) throw new DatadogFormatError('v1 series has no pointlist');
    const points = pointlist.map((p: unknown) => {
      if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number') throw new DatadogFormatError(`v1 point is not [ts, value]: ${JSON.stringify(p)?.slice(0, 64)}`);
      return { ts: Math.round(p[0]), value: numOrNull(p[1]) };
    });
    return { tags: parseTags(tagSet && tagSet.length ? tagSet : scopeTags), points };
  });
}

/**
 * v2 `POST /api/v2/query/timeseries`: columnar `{ data: { attributes: { series: [{ group_tags }],
 * times: [ts_ms…], values: [[v|null per time] per series] } } }`.
 */
export function parseV2(body: unknown): DatadogSeries[] {
  const attrs = (body as { data?: { attributes?: Record<string, unknown> } })?.data?.attributes;
  if (!attrs || typeof attrs !== 'object') throw new DatadogFormatError('v2 response has no data.attributes');
  const series = (attrs.series ?? []) as Array<Record<string, unknown>>;
  const times = (attrs.times ?? []) as unknown[];
  const values = (attrs.values ?? []) as unknown[];
  if (!Array.isArray(series) || !Array.isArray(times) || !Array.isArray(values)) throw new DatadogFormatError('v2 series/times/values are not arrays');
  if (times.some((t) => typeof t !== 'number')) throw new DatadogFormatError('v2 times must be numbers (ms)');
  return series.map((s, i) => {
    const column = values[i];
    if (!Array.isArray(column) || column.length !== times.length) {
      throw new DatadogFormatError(`v2 values[${i}] has ${Array.isArray(column) ? column.length : 'no'} entries for ${times.length} times`);
    }
    const tags = (s.group_tags ?? s.groupTags) as string[] | undefined;
    return { tags: parseTags(tags), points: times.map((t, j) => ({ ts: Math.round(t as number), value: numOrNull(column[j]) })) };
  });
}

/** Consecutive [from, to] ranges (ms) of at most chunkMs covering (afterTs, endTs]. */
export function timeChunks(afterTs: number, endTs: number, chunkMs: number): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let from = afterTs + 1; from <= endTs; from += chunkMs) out.push({ from, to: Math.min(endTs, from + chunkMs - 1) });
  return out;
}
