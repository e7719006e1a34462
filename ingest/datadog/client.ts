import { client, v1, v2 } from '@datadog/datadog-api-client';
import { resolveSecret } from '../../config/load.js';
import { SeismoError } from '../../pipeline/errors.js';
import { classifyHttp, parseRetryAfter } from '../../pipeline/http-result.js';
import { sleep } from '../../pipeline/retry.js';
import type { DatadogSourceConfig } from './config.js';
import { DatadogFormatError, parseV1, parseV2, type DatadogSeries } from './format.js';

/** What the transport learnt from the last response: status and rate-limit headers. */
interface LastResponse {
  status: number;
  headers: Record<string, string>;
}

/** Hooks the collector uses to count and log what the transport does. */
export interface TransportEvents {
  onThrottle(waitMs: number, remaining: number): void;
}

/**
 * The HTTP transport of the Datadog client: fetch with a timeout and the shutdown signal, and a
 * rate-limit governor reading X-RateLimit-Remaining / X-RateLimit-Reset: when the remaining budget
 * drops to `minRemaining`, the next request waits for the reset instead of running into a 429.
 */
export class GovernedFetch implements client.HttpLibrary {
  last: LastResponse | null = null;
  private pausedUntil = 0;

  constructor(
    /** `clock` is wall-clock time for the pauses (never the collector's data clock, which tests freeze). */
    private readonly opts: { timeoutMs: number; minRemaining: number; signal: AbortSignal; clock?: () => number },
    private readonly events: TransportEvents,
  ) {}

  async send(request: client.RequestContext): Promise<client.ResponseContext> {
    const wait = this.pausedUntil - (this.opts.clock ?? Date.now)();
    if (wait > 0) {
      await sleep(wait, this.opts.signal);
    }
    const body = request.getBody();
    const res = await fetch(request.getUrl(), {
      method: request.getHttpMethod(),
      headers: request.getHeaders(),
      ...(typeof body === 'string' || Buffer.isBuffer(body) ? { body } : {}),
      signal: AbortSignal.any([this.opts.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    const data = Buffer.from(await res.arrayBuffer());
    this.last = { status: res.status, headers };
    this.govern(headers);
    return new client.ResponseContext(res.status, headers, { text: async () => data.toString('utf8'), binary: async () => data });
  }

  private govern(headers: Record<string, string>): void {
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = Number(headers['x-ratelimit-reset']);
    if (headers['x-ratelimit-remaining'] === undefined || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    if (remaining <= this.opts.minRemaining) {
      const waitMs = Math.max(0, reset * 1000);
      this.pausedUntil = (this.opts.clock ?? Date.now)() + waitMs;
      this.events.onThrottle(waitMs, remaining);
    }
  }

  /** ms the server asks us to wait after a 429: X-RateLimit-Reset, else Retry-After. */
  retryAfterMs(): number | undefined {
    const reset = Number(this.last?.headers['x-ratelimit-reset']);
    if (Number.isFinite(reset) && this.last?.headers['x-ratelimit-reset'] !== undefined) return Math.max(0, reset * 1000);
    return parseRetryAfter(this.last?.headers['retry-after']);
  }
}

/** Metric queries through @datadog/datadog-api-client, v2 timeseries or v1 query. */
export class DatadogClient {
  readonly transport: GovernedFetch;
  /** URL of the v2 timeseries endpoint as the client resolves it (site or baseUrl), for logs. */
  readonly apiUrl: string;
  private readonly v1: v1.MetricsApi;
  private readonly v2: v2.MetricsApi;

  constructor(cfg: DatadogSourceConfig, keyPath: string, signal: AbortSignal, events: TransportEvents) {
    this.transport = new GovernedFetch({ timeoutMs: cfg.timeoutMs, minRemaining: cfg.minRateLimitRemaining, signal }, events);
    const configuration = client.createConfiguration({
      authMethods: {
        apiKeyAuth: resolveSecret(cfg.apiKey, `${keyPath}.apiKey`),
        appKeyAuth: resolveSecret(cfg.appKey, `${keyPath}.appKey`),
      },
      httpApi: this.transport,
      enableRetry: false,
      ...(cfg.baseUrl ? { baseServer: new client.BaseServerConfiguration(cfg.baseUrl.replace(/\/$/, ''), {}) } : {}),
    });
    if (!cfg.baseUrl) configuration.setServerVariables({ site: cfg.site });
    this.apiUrl = configuration.getServer('v2.MetricsApi.queryTimeseriesData').makeRequestContext('/api/v2/query/timeseries', client.HttpMethod.POST).getUrl();
    this.v1 = new v1.MetricsApi(configuration);
    this.v2 = new v2.MetricsApi(configuration);
  }

  /** v2 timeseries query over [fromMs, toMs]. */
  async queryV2(query: string, fromMs: number, toMs: number, rollupMs: number | undefined): Promise<DatadogSeries[]> {
    const body: v2.TimeseriesFormulaQueryRequest = {
      data: {
        type: 'timeseries_request',
        attributes: {
          from: fromMs,
          to: toMs,
          ...(rollupMs !== undefined ? { interval: rollupMs } : {}),
          queries: [{ dataSource: 'metrics', query, name: 'q' }],
          formulas: [{ formula: 'q' }],
        },
      },
    };
    const res = await this.call(() => this.v2.queryTimeseriesData({ body }), 'v2 query/timeseries');
    return this.parse(() => parseV2({ data: { attributes: res.data?.attributes ?? {} } }));
  }

  /** v1 query over [fromMs, toMs] (the API takes whole seconds). */
  async queryV1(query: string, fromMs: number, toMs: number): Promise<DatadogSeries[]> {
    const res = await this.call(() => this.v1.queryMetrics({ from: Math.floor(fromMs / 1000), to: Math.ceil(toMs / 1000), query }), 'v1 query');
    return this.parse(() => parseV1(res));
  }

  private parse(fn: () => DatadogSeries[]): DatadogSeries[] {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DatadogFormatError) throw new SeismoError(`datadog: malformed response: ${err.message}`, { retriable: false, cause: err });
      throw err;
    }
  }

  private async call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.toError(err, what);
    }
  }

  private toError(err: unknown, what: string): SeismoError {
    if (err instanceof client.ApiException) {
      const status = (err as client.ApiException<unknown>).code;
      const headers = this.transport.last?.headers ?? {};
      const outcome = classifyHttp(status, { get: (n) => headers[n.toLowerCase()] ?? null }, JSON.stringify((err as client.ApiException<unknown>).body ?? '').slice(0, 300));
      const retryAfterMs = status === 429 ? this.transport.retryAfterMs() : outcome.kind === 'retryable' ? outcome.retryAfterMs : undefined;
      return new DatadogHttpError(`datadog ${what}: HTTP ${status}`, status, outcome.kind === 'retryable', retryAfterMs, err);
    }
    const name = err instanceof Error ? err.name : '';
    const message = err instanceof Error ? err.message : String(err);
    return new SeismoError(`datadog ${what}: ${name === 'TimeoutError' ? 'timed out' : message}`, { retriable: true, cause: err });
  }
}

/** A non-2xx answer; `status` lets the collector fall back from v2 to v1 on 404/403. */
export class DatadogHttpError extends SeismoError {
  constructor(
    message: string,
    readonly status: number,
    retriable: boolean,
    retryAfterMs: number | undefined,
    cause: unknown,
  ) {
    super(message, { retriable, cause, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
}
