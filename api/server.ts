import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram } from 'prom-client';
import type { ApiConfig } from './config.js';
import type { DashboardState } from './state.js';
import { ApiError, Router, type ApiRequest, type ApiResponse, type RouteHandler } from './router.js';
import { builtinRoutes, type AlertHistory, type SeriesHistory } from './routes.js';
import { Lifecycle, type Component, type Context } from '../pipeline/component.js';
import { componentMetrics, type ComponentMetrics } from '../pipeline/telemetry.js';
import { ConfigError, errorMessage } from '../pipeline/errors.js';

/** A readiness check: true = ready; false or a string (the reason) = not ready; a throw = not ready. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean | string>;
}

export interface ApiDeps {
  /** Checks behind `/readyz`; more can be added later with `addReadinessCheck`. */
  readiness: ReadinessCheck[];
  /** What the pipeline feeds and the dashboard shows. */
  state: DashboardState;
  /** Alert history beyond the in-memory ring (InfluxDB `seismo_alerts`), when configured. */
  alertHistory?: AlertHistory;
  /** Series from stored scores (InfluxDB `seismo_scores`), for a process that has none of its own. */
  seriesHistory?: SeriesHistory;
  /**
   * `all` (default): the dashboard and the whole API. `ops`: only `/healthz`, `/readyz` and
   * `/metrics`, what a worker role (collector, processor, detector, notifier) serves for probes
   * and scraping.
   */
  routes?: 'all' | 'ops';
}

/** The routes an `ops` server keeps. */
const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export interface ApiServer extends Component {
  /** Registers a route; `pathPattern` may hold `:name` segments. Throws on a duplicate. */
  addRoute(method: string, pathPattern: string, handler: RouteHandler): void;
  addReadinessCheck(check: ReadinessCheck): void;
  /** Bound address; valid after `start()` resolved. */
  address(): { host: string; port: number };
}

export function createApiServer(cfg: ApiConfig, ctx: Context, deps: ApiDeps): ApiServer {
  return new HttpApiServer(cfg, ctx, deps);
}

class HttpApiServer extends Lifecycle implements ApiServer {
  readonly name = 'api';
  private readonly router = new Router();
  private readonly readiness: ReadinessCheck[];
  private readonly metrics: ComponentMetrics;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'route'>;
  private server: Server | null = null;
  private bound: { host: string; port: number } | null = null;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly stopController = new AbortController();
  private closing = false;

  constructor(
    private readonly cfg: ApiConfig,
    private readonly ctx: Context,
    deps: ApiDeps,
  ) {
    super();
    this.readiness = [...deps.readiness];
    this.metrics = componentMetrics(ctx.registry, 'api');
    this.requests =
      (ctx.registry.getSingleMetric('seismo_api_requests_total') as Counter<'method' | 'route' | 'status'> | undefined) ??
      new Counter({
        name: 'seismo_api_requests_total',
        help: 'HTTP requests served by the API, by method, route pattern and status',
        labelNames: ['method', 'route', 'status'],
        registers: [ctx.registry],
      });
    this.duration =
      (ctx.registry.getSingleMetric('seismo_api_request_duration_seconds') as Histogram<'route'> | undefined) ??
      new Histogram({
        name: 'seismo_api_request_duration_seconds',
        help: 'Seconds to serve an API request, by route pattern',
        labelNames: ['route'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
        registers: [ctx.registry],
      });
    for (const r of builtinRoutes({
      cfg,
      registry: ctx.registry,
      state: deps.state,
      alertHistory: deps.alertHistory,
      seriesHistory: deps.seriesHistory,
      readiness: () => this.readinessReport(),
    })) {
      if (deps.routes === 'ops' && !OPS_PATHS.has(r.path)) continue;
      this.router.add(r.method, r.path, r.handler);
    }
  }

  addRoute(method: string, pathPattern: string, handler: RouteHandler): void {
    this.router.add(method, pathPattern, handler);
  }

  addReadinessCheck(check: ReadinessCheck): void {
    this.readiness.push(check);
  }

  address(): { host: string; port: number } {
    if (!this.bound) throw new ApiError(500, 'api server is not listening; call start() first');
    return { ...this.bound };
  }

  protected doStart(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void =>
        reject(
          err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
            ? new ConfigError([
                `api.port: cannot listen on ${this.cfg.host}:${this.cfg.port} (${err.code}); give each process on this host its own port (api.port, or --http-port on seismo start), 0 for any free port, or set api.enabled: false`,
              ])
            : err,
        );
      server.once('error', onError);
      server.listen(this.cfg.port, this.cfg.host, () => {
        server.off('error', onError);
        server.on('error', (err) => {
          this.metrics.errors.inc({ type: 'server' });
          this.ctx.logger.error({ err }, 'api server error');
        });
        const a = server.address() as AddressInfo;
        this.bound = { host: a.address, port: a.port };
        this.ctx.logger.info({ host: a.address, port: a.port }, 'api listening');
        resolve();
      });
    });
  }

  protected async doStop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const drained = this.waitIdle();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.cfg.shutdownGraceMs);
      timer.unref();
    });
    if ((await Promise.race([drained, grace])) === 'timeout') {
      this.ctx.logger.warn({ inFlight: this.inFlight }, 'api stop: cutting connections of requests still running');
      this.stopController.abort(new ApiError(503, 'server stopping'));
    }
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
    this.ctx.logger.info('api stopped');
  }

  private waitIdle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async readinessReport(): Promise<{ ready: boolean; checks: Array<{ name: string; ok: boolean; detail?: string }> }> {
    const checks = await Promise.all(
      this.readiness.map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<string>((resolve) => {
            timer = setTimeout(() => resolve(`timed out after ${this.cfg.readinessTimeoutMs} ms`), this.cfg.readinessTimeoutMs);
          });
          const r = await Promise.race([c.check(), timeout]);
          return r === true ? { name: c.name, ok: true } : { name: c.name, ok: false, detail: r === false ? 'not ready' : r };
        } catch (err) {
          return { name: c.name, ok: false, detail: errorMessage(err) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    if (this.closing) checks.push({ name: 'api', ok: false, detail: 'shutting down' });
    return { ready: checks.every((c) => c.ok), checks };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.inFlight++;
    this.metrics.received.inc();
    this.metrics.bufferDepth.set(this.inFlight);
    let route = 'unmatched';
    let status = 500;
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort(new ApiError(499, 'client closed the connection'));
    });
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const match = this.router.match(method, url.pathname);
      let out: ApiResponse;
      if (match.kind === 'not-found') {
        out = { status: 404, body: { error: `no route for ${url.pathname}` } };
      } else if (match.kind === 'method-not-allowed') {
        out = { status: 405, body: { error: `method ${method} not allowed on ${url.pathname}` }, headers: { allow: match.allow.join(', ') } };
      } else {
        route = match.pattern;
        const body = await readJsonBody(req, this.cfg.maxBodyBytes);
        const apiReq: ApiRequest = {
          method,
          path: url.pathname,
          params: match.params,
          query: url.searchParams,
          headers: req.headers,
          body,
          signal: AbortSignal.any([clientGone.signal, this.stopController.signal]),
        };
        out = await match.handler(apiReq);
      }
      status = out.status ?? 200;
      send(res, method === 'HEAD', status, out);
    } catch (err) {
      status = err instanceof ApiError ? err.status : 500;
      if (status >= 500) {
        this.metrics.errors.inc({ type: 'handler' });
        this.ctx.logger.error({ err, url: req.url }, 'api request failed');
      }
      const message = err instanceof ApiError || status < 500 ? errorMessage(err) : `internal error: ${errorMessage(err)}`;
      if (status === 413) res.setHeader('connection', 'close');
      send(res, false, status, { status, body: { error: message } });
    } finally {
      this.requests.inc({ method: req.method ?? 'GET', route, status: String(status) });
      this.duration.observe({ route }, (performance.now() - started) / 1000);
      this.metrics.sent.inc();
      this.inFlight--;
      this.metrics.bufferDepth.set(this.inFlight);
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}

function send(res: ServerResponse, headOnly: boolean, status: number, out: ApiResponse): void {
  if (res.headersSent || res.destroyed) {
    res.end();
    return;
  }
  const payload =
    out.text !== undefined ? out.text : out.body === undefined && status === 204 ? '' : JSON.stringify(out.body ?? null);
  const type = out.text !== undefined ? (out.contentType ?? 'text/plain; charset=utf-8') : 'application/json; charset=utf-8';
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(out.headers ?? {}),
  };
  res.writeHead(status, headers);
  res.end(headOnly || status === 204 ? undefined : payload);
}

/** Reads the body up to `limit` bytes (413 past it) and parses it as JSON (400/415 on bad input). */
async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new ApiError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  const size = await new Promise<number>((resolve, reject) => {
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        req.resume(); // discard the rest; the response closes the connection
        reject(new ApiError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(total);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new ApiError(400, `reading request body failed: ${err.message}`));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? 'application/json');
  if (!/json/i.test(type)) throw new ApiError(415, `request body must be JSON (content-type application/json), got ${type}`);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, `request body is not valid JSON: ${errorMessage(err)}`);
  }
}
