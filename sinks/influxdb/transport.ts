import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import type { InfluxdbConfig } from './config.js';
import { effectiveBucket } from './config.js';
import { authHeader } from './query.js';
import { SeismoError, errorMessage } from '../../pipeline/errors.js';
import { classifyHttp, classifyNetworkError, outcomeToError, type HttpOutcome } from '../../pipeline/http-result.js';

/**
 * InfluxDB refused some points of a batch for good (400 `partial write`, `unable to parse`: a field
 * type conflict, a point outside the retention policy, a line it cannot read) and stored the
 * others. Sending the batch again cannot help.
 */
export class RejectedPointsError extends SeismoError {
  constructor(
    message: string,
    /** Points InfluxDB reported as dropped (`dropped=N`), when it said. */
    readonly dropped: number | undefined,
  ) {
    super(message, { retriable: false });
  }
}

const REJECTION = /partial write|unable to parse|points beyond retention policy|field type conflict/i;

/** A 400 whose body says the data (not the request) was refused becomes a RejectedPointsError. */
function rejectionOf(status: number, body: string, what: string): RejectedPointsError | null {
  if (status !== 400 || !REJECTION.test(body)) return null;
  const dropped = /dropped=(\d+)/.exec(body);
  return new RejectedPointsError(`${what}: HTTP 400: ${body.slice(0, 500)}`, dropped ? Number(dropped[1]) : undefined);
}

/**
 * Sends one batch of line protocol (millisecond precision) and resolves once InfluxDB has accepted
 * it (204). Throws a SeismoError whose `retriable`/`retryAfterMs` come from the one HTTP
 * classifier; retrying is the caller's business.
 */
export interface InfluxTransport {
  send(lines: string[]): Promise<void>;
  close(): Promise<void>;
}

export function createTransport(cfg: InfluxdbConfig, token: string | undefined): InfluxTransport {
  return cfg.writeMode === 'v1' ? new V1Transport(cfg, token) : new V2Transport(cfg, token);
}

/**
 * `/api/v2/write` through @influxdata/influxdb-client, with its own batching, timer and retries
 * turned off. One WriteApi per concurrent batch, so batches in flight never share a client buffer.
 */
class V2Transport implements InfluxTransport {
  private readonly client: InfluxDB;
  private readonly idle: WriteApi[] = [];
  private readonly all: WriteApi[] = [];

  constructor(
    private readonly cfg: InfluxdbConfig,
    token: string | undefined,
  ) {
    this.client = new InfluxDB({ url: cfg.url, timeout: cfg.timeoutMs, ...(token ? { token } : {}) });
  }

  private writeApi(): WriteApi {
    const reused = this.idle.pop();
    if (reused) return reused;
    const api = this.client.getWriteApi(this.cfg.org, effectiveBucket(this.cfg), 'ms', {
      // The writer owns batching: the client never sends on its own (no timer, a batch bigger than ours)...
      batchSize: this.cfg.batchSize + 1,
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
      flushInterval: 0,
      // ...nor retries: a failed flush rejects at once and the writer's retry policy decides.
      maxRetries: 0,
      maxBufferLines: this.cfg.batchSize + 1,
      writeFailed: (err: Error) => Promise.reject(err),
    });
    this.all.push(api);
    return api;
  }

  async send(lines: string[]): Promise<void> {
    const api = this.writeApi();
    try {
      api.writeRecords(lines);
      await api.flush();
    } catch (err) {
      throw toSeismoError(err);
    } finally {
      this.idle.push(api);
    }
  }

  async close(): Promise<void> {
    for (const api of this.all.splice(0)) api.dispose();
    this.idle.length = 0;
  }
}

/** `/write?db=&rp=&precision=ms` with fetch, for InfluxDB 1.x before 1.8. */
class V1Transport implements InfluxTransport {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly cfg: InfluxdbConfig,
    token: string | undefined,
  ) {
    const q = new URLSearchParams({ db: cfg.database, rp: cfg.retentionPolicy, precision: 'ms' });
    this.endpoint = `${cfg.url.replace(/\/+$/, '')}/write?${q.toString()}`;
    this.headers = { ...authHeader(token), 'content-type': 'text/plain; charset=utf-8' };
  }

  async send(lines: string[]): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body: lines.join('\n'),
        signal: AbortSignal.timeout(this.cfg.timeoutMs),
      });
    } catch (err) {
      throw outcomeToError(classifyNetworkError(err) as Exclude<HttpOutcome, { kind: 'success' }>, 'influxdb write');
    }
    const body = res.status === 204 ? '' : await res.text().catch(() => '');
    const rejected = rejectionOf(res.status, body, 'influxdb write');
    if (rejected) throw rejected;
    const outcome = classifyHttp(res.status, res.headers, body);
    if (outcome.kind !== 'success') throw outcomeToError(outcome, 'influxdb write');
  }

  async close(): Promise<void> {}
}

/** Maps what @influxdata/influxdb-client throws onto the one HTTP classifier. */
function toSeismoError(err: unknown): SeismoError {
  if (err instanceof SeismoError) return err;
  if (err instanceof HttpError) {
    const rejected = rejectionOf(err.statusCode, err.body ?? '', 'influxdb write');
    if (rejected) return rejected;
    const headers = err.headers ?? {};
    const get = (name: string): string | null => {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
    };
    const outcome = classifyHttp(err.statusCode, { get }, err.body ?? err.message);
    if (outcome.kind === 'success') return new SeismoError(`influxdb write: unexpected success status ${err.statusCode}`, { retriable: true, cause: err });
    const e = outcomeToError(outcome, 'influxdb write');
    return new SeismoError(e.message, { retriable: e.retriable, cause: err, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) });
  }
  const e = outcomeToError(classifyNetworkError(err) as Exclude<HttpOutcome, { kind: 'success' }>, 'influxdb write');
  return new SeismoError(`${e.message}`, { retriable: true, cause: err instanceof Error ? err : new Error(errorMessage(err)) });
}
