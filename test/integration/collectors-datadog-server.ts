/**
 * A local server speaking the Datadog metrics query APIs as documented: `POST /api/v2/query/timeseries`
 * (columnar times/values) and `GET /api/v1/query` (pointlist of [ts_ms, value] pairs), API and
 * application keys in `DD-API-KEY` / `DD-APPLICATION-KEY`, rate limits in `X-RateLimit-*` headers
 * with 429 once the budget is spent, plus injected 5xx answers and slow answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DD_API_KEY = 'test-api-key';
export const DD_APP_KEY = 'test-app-key';

/** The data every query returns: hosts a and b, one point per 10 s; b is null when (ts/10s) % 7 == 3. */
export const STEP_MS = 10_000;
export function valueAt(host: string, ts: number): number | null {
  const n = ts / STEP_MS;
  if (host === 'b' && n % 7 === 3) return null;
  return (n % 1000) + (host === 'b' ? 0.5 : 0);
}

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  from?: number;
  to?: number;
}

export class FakeDatadog {
  private server: Server | null = null;
  readonly requests: RecordedRequest[] = [];
  /** Answer 404 to the v2 endpoint (an account or proxy without it). */
  v2Missing = false;
  /** Requests allowed per rate-limit period, and the period in seconds. */
  rateLimit = 1000;
  ratePeriodS = 2;
  private windowStart = Date.now();
  private used = 0;
  /**
   * Other clients of the same organisation spend the whole budget before our next N requests: those
   * get 429 with X-RateLimit-Remaining 0 and the reset, although our last answer still showed budget.
   */
  budgetTakenNext = 0;
  /** The next N requests answer 500/503. */
  failNext = 0;
  /** The next N requests answer after this many ms. */
  slowNext = 0;
  slowMs = 0;

  /** Back to a clean state: no faults, a fresh rate-limit window, no recorded requests. */
  reset(): void {
    this.requests.length = 0;
    this.v2Missing = false;
    this.rateLimit = 1000;
    this.ratePeriodS = 2;
    this.windowStart = Date.now();
    this.used = 0;
    this.failNext = 0;
    this.budgetTakenNext = 0;
    this.slowNext = 0;
    this.slowMs = 0;
  }

  /** Starts a fresh rate-limit window (call after changing rateLimit). */
  resetWindow(): void {
    this.windowStart = Date.now();
    this.used = 0;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private rateHeaders(): Record<string, string> {
    const now = Date.now();
    if (now - this.windowStart >= this.ratePeriodS * 1000) {
      this.windowStart = now;
      this.used = 0;
    }
    const reset = Math.max(1, Math.ceil((this.windowStart + this.ratePeriodS * 1000 - now) / 1000));
    return {
      'X-RateLimit-Limit': String(this.rateLimit),
      'X-RateLimit-Period': String(this.ratePeriodS),
      'X-RateLimit-Remaining': String(Math.max(0, this.rateLimit - this.used)),
      'X-RateLimit-Reset': String(reset),
      'X-RateLimit-Name': 'query_metrics',
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const record: RecordedRequest = { at: Date.now(), method: req.method ?? '', path: url.pathname, status: 0 };
    this.requests.push(record);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (this.slowNext > 0) {
      this.slowNext--;
      await new Promise((r) => setTimeout(r, this.slowMs));
    }
    if (req.headers['dd-api-key'] !== DD_API_KEY || req.headers['dd-application-key'] !== DD_APP_KEY) {
      return send(403, { errors: ['Forbidden'] });
    }
    if (this.budgetTakenNext > 0) {
      this.budgetTakenNext--;
      this.used = this.rateLimit;
    }
    const rate = this.rateHeaders();
    if (this.used >= this.rateLimit) return send(429, { errors: ['Too many requests'] }, { ...rate, 'X-RateLimit-Remaining': '0' });
    this.used++;
    const headers = this.rateHeaders();
    if (this.failNext > 0) {
      this.failNext--;
      return send(this.failNext % 2 ? 500 : 503, { errors: ['Internal Server Error'] }, headers);
    }
    if (req.method === 'POST' && url.pathname === '/api/v2/query/timeseries') {
      if (this.v2Missing) return send(404, { errors: ['Not found'] }, headers);
      const attrs = (JSON.parse(body) as { data: { attributes: { from: number; to: number; queries: Array<{ query: string }> } } }).data.attributes;
      record.from = attrs.from;
      record.to = attrs.to;
      const times = this.times(attrs.from, attrs.to);
      return send(
        200,
        {
          data: {
            type: 'timeseries_response',
            id: '0',
            attributes: {
              series: ['a', 'b'].map((h) => ({ group_tags: [`host:${h}`, 'env:test'], query_index: 0, unit: null })),
              times,
              values: ['a', 'b'].map((h) => times.map((t) => valueAt(h, t))),
            },
          },
        },
        headers,
      );
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/query') {
      const from = Number(url.searchParams.get('from')) * 1000;
      const to = Number(url.searchParams.get('to')) * 1000;
      const query = url.searchParams.get('query') ?? '';
      record.from = from;
      record.to = to;
      const times = this.times(from, to);
      return send(
        200,
        {
          status: 'ok',
          res_type: 'time_series',
          query,
          from_date: from,
          to_date: to,
          series: ['a', 'b'].map((h) => ({
            metric: query.split(':')[1]?.split('{')[0] ?? 'metric',
            display_name: 'metric',
            scope: `env:test,host:${h}`,
            tag_set: [`host:${h}`, 'env:test'],
            expression: query,
            interval: STEP_MS / 1000,
            length: times.length,
            pointlist: times.map((t) => [t, valueAt(h, t)]),
          })),
        },
        headers,
      );
    }
    return send(404, { errors: ['Not found'] }, headers);
  }

  /** Bucket timestamps (multiples of STEP_MS) within [from, to]. */
  private times(from: number, to: number): number[] {
    const out: number[] = [];
    for (let t = Math.ceil(from / STEP_MS) * STEP_MS; t <= to; t += STEP_MS) out.push(t);
    return out;
  }
}
