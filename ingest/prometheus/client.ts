import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import { resolveSecret } from '../../config/load.js';
import { SeismoError } from '../../pipeline/errors.js';
import { classifyHttp } from '../../pipeline/http-result.js';
import type { PrometheusSourceConfig } from './config.js';

/** One series of a range query result, timestamps in ms, values possibly NaN. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: Array<{ ts: number; value: number }>;
}

/** A point of the raw answer that is neither a number nor NaN/±Inf; removed before parsing. */
export interface MalformedPoint {
  metric: unknown;
  point: unknown;
  reason: string;
}

/** How Prometheus formats sample values: decimal floats, `NaN`, `+Inf`, `-Inf`. */
const PROM_FLOAT = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

/**
 * Takes malformed points out of a raw query_range answer (prometheus-query would turn them into
 * NaN, indistinguishable from a real NaN) and returns them; spells ±Inf so that it parses.
 */
export function extractMalformed(body: unknown): MalformedPoint[] {
  const result = (body as { data?: { result?: unknown } })?.data?.result;
  if (!Array.isArray(result)) return [];
  const bad: MalformedPoint[] = [];
  for (const series of result as Array<{ metric?: unknown; values?: unknown }>) {
    if (!Array.isArray(series?.values)) continue;
    series.values = series.values.filter((p: unknown) => {
      let reason: string | null = null;
      if (!Array.isArray(p) || p.length !== 2) reason = 'point is not a [timestamp, value] pair';
      else if (typeof p[0] !== 'number' || !Number.isFinite(p[0])) reason = `timestamp is not a number: ${JSON.stringify(p[0])?.slice(0, 64)}`;
      else if (typeof p[1] !== 'string' || !PROM_FLOAT.test(p[1])) reason = `value is not a Prometheus float: ${JSON.stringify(p[1])?.slice(0, 64)}`;
      if (reason) bad.push({ metric: series.metric, point: p, reason });
      // parseFloat() knows `Infinity`, not Prometheus' `+Inf`: keep infinities infinite, not NaN.
      else if ((p as [number, string])[1].endsWith('Inf')) (p as [number, string])[1] = (p as [number, string])[1].replace('Inf', 'Infinity');
      return reason === null;
    });
  }
  return bad;
}

/** The error shape prometheus-query rejects with. */
interface DriverError {
  status?: string;
  errorType?: string;
  error?: string;
  httpStatus?: number;
}

/**
 * Range queries over prometheus-query's PrometheusDriver with seismo's auth, TLS, header, timeout
 * and cancellation settings; failures become SeismoErrors classified by the shared HTTP classifier.
 */
export class PrometheusClient {
  private readonly driver: PrometheusDriver;
  /** Malformed points of the answer being parsed (one request at a time per client). */
  private malformed: MalformedPoint[] = [];

  constructor(cfg: PrometheusSourceConfig, keyPath: string, signal: AbortSignal) {
    const headers: Record<string, string> = { ...cfg.headers };
    if (cfg.bearerToken !== undefined) headers.Authorization = `Bearer ${resolveSecret(cfg.bearerToken, `${keyPath}.bearerToken`)}`;
    const auth = cfg.basicAuth
      ? { username: cfg.basicAuth.username, password: resolveSecret(cfg.basicAuth.password, `${keyPath}.basicAuth.password`) }
      : undefined;
    const httpsAgent =
      cfg.tls.caFile !== undefined || cfg.tls.insecureSkipVerify
        ? new HttpsAgent({
            ...(cfg.tls.caFile !== undefined ? { ca: readFileSync(cfg.tls.caFile) } : {}),
            rejectUnauthorized: !cfg.tls.insecureSkipVerify,
          })
        : undefined;
    this.driver = new PrometheusDriver({
      endpoint: cfg.url,
      baseURL: cfg.apiPath,
      headers,
      ...(auth ? { auth } : {}),
      timeout: cfg.timeoutMs,
      requestInterceptor: {
        onFulfilled: (req) => {
          if (httpsAgent) req.httpsAgent = httpsAgent;
          req.signal = signal;
          return req;
        },
      },
      responseInterceptor: {
        onFulfilled: (res) => {
          this.malformed.push(...extractMalformed(res.data));
          return res;
        },
      },
    });
  }

  /** Series of the answer, and the malformed points taken out of it (for the dead-letter sink). */
  async rangeQuery(query: string, startMs: number, endMs: number, stepMs: number): Promise<{ series: RangeSeries[]; malformed: MalformedPoint[] }> {
    let result: QueryResult;
    this.malformed = [];
    try {
      result = await this.driver.rangeQuery(query, startMs, endMs, stepMs / 1000);
    } catch (err) {
      throw toSeismoError(err);
    }
    if (String(result.resultType) !== 'matrix') {
      throw new SeismoError(`prometheus: range query returned ${String(result.resultType)}, expected matrix`, { retriable: false });
    }
    const malformed = this.malformed;
    this.malformed = [];
    const series = result.result.map((rv: { metric: { name?: string; labels?: Record<string, unknown> } | null; values: Array<{ time: Date; value: number }> }) => {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(rv.metric?.labels ?? {})) labels[k] = String(v);
      if (rv.metric?.name) labels.__name__ = rv.metric.name;
      return { labels, points: rv.values.map((p) => ({ ts: p.time.getTime(), value: p.value })) };
    });
    return { series, malformed };
  }
}

function toSeismoError(err: unknown): SeismoError {
  const e = (err ?? {}) as DriverError;
  if (typeof e.httpStatus === 'number') {
    const outcome = classifyHttp(e.httpStatus, { get: () => null }, e.error ?? '');
    return new SeismoError(`prometheus: HTTP ${e.httpStatus}: ${e.error ?? ''}`, { retriable: outcome.kind === 'retryable', cause: err });
  }
  // A certificate problem does not heal by retrying; a refused or timed-out connection may.
  if (e.errorType) return new SeismoError(`prometheus: ${e.errorType}: ${e.error ?? ''}`, { retriable: e.errorType !== 'client_error' && e.errorType !== 'ssl_error' && !/certificate/i.test(e.error ?? ''), cause: err });
  if (err instanceof Error) return new SeismoError(`prometheus: ${err.message}`, { retriable: true, cause: err });
  return new SeismoError(`prometheus: ${String(err)}`, { retriable: true, cause: err });
}
