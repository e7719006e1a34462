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
    });
  }

  async rangeQuery(query: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]> {
    let result: QueryResult;
    try {
      result = await this.driver.rangeQuery(query, startMs, endMs, stepMs / 1000);
    } catch (err) {
      throw toSeismoError(err);
    }
    if (String(result.resultType) !== 'matrix') {
      throw new SeismoError(`prometheus: range query returned ${String(result.resultType)}, expected matrix`, { retriable: false });
    }
    return result.result.map((rv: { metric: { name?: string; labels?: Record<string, unknown> } | null; values: Array<{ time: Date; value: number }> }) => {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(rv.metric?.labels ?? {})) labels[k] = String(v);
      if (rv.metric?.name) labels.__name__ = rv.metric.name;
      return { labels, points: rv.values.map((p) => ({ ts: p.time.getTime(), value: p.value })) };
    });
  }
}

function toSeismoError(err: unknown): SeismoError {
  const e = (err ?? {}) as DriverError;
  if (typeof e.httpStatus === 'number') {
    const outcome = classifyHttp(e.httpStatus, { get: () => null }, e.error ?? '');
    return new SeismoError(`prometheus: HTTP ${e.httpStatus}: ${e.error ?? ''}`, { retriable: outcome.kind === 'retryable', cause: err });
  }
  if (e.errorType) return new SeismoError(`prometheus: ${e.errorType}: ${e.error ?? ''}`, { retriable: e.errorType !== 'client_error', cause: err });
  if (err instanceof Error) return new SeismoError(`prometheus: ${err.message}`, { retriable: true, cause: err });
  return new SeismoError(`prometheus: ${String(err)}`, { retriable: true, cause: err });
}
