import type { InfluxdbConfig } from './config.js';
import { resolveSecret } from '../../config/load.js';
import { SeismoError, errorMessage } from '../../pipeline/errors.js';
import { classifyHttp, classifyNetworkError, outcomeToError } from '../../pipeline/http-result.js';
import { withRetry, type RetryPolicy } from '../../pipeline/retry.js';

/** One row of an InfluxQL result: the series' tags merged with the columns (`time` in epoch ms). */
export type InfluxRow = Record<string, unknown>;

export interface QueryOptions {
  /** Database; default `cfg.database`. */
  database?: string;
  /** Token already resolved from its secret; default: resolved from `cfg.token` now. */
  token?: string;
  signal?: AbortSignal;
  /** Default: 3 attempts for network errors and retryable statuses. */
  retry?: RetryPolicy;
}

const QUERY_RETRY: RetryPolicy = { attempts: 3, baseMs: 100, maxMs: 2000 };

/** The token the config names, resolved from its secret (env or file), or undefined. */
export function resolveInfluxToken(cfg: Pick<InfluxdbConfig, 'token'>): string | undefined {
  if (cfg.token === undefined) return undefined;
  const t = resolveSecret(cfg.token, 'influxdb.token');
  return t === '' ? undefined : t;
}

/**
 * The Authorization header for a token: `user:password` (InfluxDB 1.x) is sent as Basic auth, any
 * other token as `Token <token>` (2.x, 3.x).
 */
export function authHeader(token: string | undefined): Record<string, string> {
  if (!token) return {};
  if (token.includes(':') && !token.startsWith('apiv3_')) return { authorization: `Basic ${Buffer.from(token).toString('base64')}` };
  return { authorization: `Token ${token}` };
}

/**
 * Runs InfluxQL over `/query` (InfluxDB 1.x, 2.x with a DBRP mapping, 3.x) and returns the rows of
 * every statement, with `time` as epoch ms. `params` fills `$name` placeholders (bind parameters),
 * which is how values from users reach a query safely. Reads go as GET, everything else as POST.
 * An InfluxQL error (bad query, unknown database) throws a non-retriable SeismoError.
 */
export async function queryInflux(
  cfg: Pick<InfluxdbConfig, 'url' | 'token' | 'database' | 'timeoutMs'>,
  influxql: string,
  params?: Record<string, string | number | boolean>,
  opts: QueryOptions = {},
): Promise<InfluxRow[]> {
  const token = opts.token ?? resolveInfluxToken(cfg);
  const form = new URLSearchParams({ q: influxql, epoch: 'ms' });
  const db = opts.database ?? cfg.database;
  if (db) form.set('db', db);
  if (params && Object.keys(params).length > 0) form.set('params', JSON.stringify(params));
  const isRead = /^\s*(select|show)\b/i.test(influxql) && !/\binto\b/i.test(influxql);
  const base = cfg.url.replace(/\/+$/, '');
  const body = await withRetry(
    async () => {
      const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(cfg.timeoutMs)]) : AbortSignal.timeout(cfg.timeoutMs);
      let res: Response;
      try {
        res = isRead
          ? await fetch(`${base}/query?${form.toString()}`, { headers: authHeader(token), signal })
          : await fetch(`${base}/query`, {
              method: 'POST',
              headers: { ...authHeader(token), 'content-type': 'application/x-www-form-urlencoded' },
              body: form.toString(),
              signal,
            });
      } catch (err) {
        if (opts.signal?.aborted) throw new SeismoError('influxdb query aborted', { cause: err });
        throw outcomeToError(classifyNetworkError(err) as { kind: 'retryable'; reason: string }, 'influxdb query');
      }
      const text = await res.text();
      const outcome = classifyHttp(res.status, res.headers, text);
      if (outcome.kind !== 'success') throw outcomeToError(outcome, 'influxdb query');
      return text;
    },
    opts.retry ?? QUERY_RETRY,
    opts.signal ? { signal: opts.signal } : {},
  );
  return parseQueryResponse(body, influxql);
}

interface QueryResponse {
  error?: string;
  results?: Array<{
    statement_id?: number;
    error?: string;
    series?: Array<{ name?: string; tags?: Record<string, string>; columns: string[]; values?: unknown[][] }>;
  }>;
}

/** Flattens a `/query` JSON answer into rows; throws on a top-level or statement error. */
export function parseQueryResponse(text: string, influxql = ''): InfluxRow[] {
  let parsed: QueryResponse;
  try {
    parsed = JSON.parse(text) as QueryResponse;
  } catch (err) {
    throw new SeismoError(`influxdb query: answer is not JSON (${errorMessage(err)}): ${text.slice(0, 200)}`);
  }
  if (parsed.error) throw new SeismoError(`influxdb query failed: ${parsed.error} (query: ${influxql.slice(0, 200)})`);
  const rows: InfluxRow[] = [];
  for (const r of parsed.results ?? []) {
    if (r.error) throw new SeismoError(`influxdb query failed: ${r.error} (query: ${influxql.slice(0, 200)})`);
    for (const s of r.series ?? []) {
      for (const v of s.values ?? []) {
        const row: InfluxRow = { ...(s.tags ?? {}) };
        s.columns.forEach((c, i) => {
          row[c] = v[i];
        });
        rows.push(row);
      }
    }
  }
  return rows;
}

/** Quotes an identifier for InfluxQL (`"my db"`). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `CREATE DATABASE` (idempotent on 1.x). */
export async function createDatabase(cfg: Pick<InfluxdbConfig, 'url' | 'token' | 'database' | 'timeoutMs'>, opts: QueryOptions = {}): Promise<void> {
  await queryInflux(cfg, `CREATE DATABASE ${quoteIdent(opts.database ?? cfg.database)}`, undefined, { ...opts, database: '' });
}

/** `DROP DATABASE` (used by tests to clean up). */
export async function dropDatabase(cfg: Pick<InfluxdbConfig, 'url' | 'token' | 'database' | 'timeoutMs'>, opts: QueryOptions = {}): Promise<void> {
  await queryInflux(cfg, `DROP DATABASE ${quoteIdent(opts.database ?? cfg.database)}`, undefined, { ...opts, database: '' });
}
