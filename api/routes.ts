import type { Registry } from 'prom-client';
import type { ApiConfig } from './config.js';
import type { AlertFilter, DashboardState, SeriesFilter } from './state.js';
import { ApiError, type RouteHandler } from './router.js';
import { dashboardHtml } from './dashboard.js';
import type { Alert } from '../pipeline/ports.js';

/** Alerts kept beyond this process' memory (InfluxDB `seismo_alerts`), newest first. */
export interface AlertHistory {
  recentAlerts(filter: AlertFilter, signal?: AbortSignal): Promise<Alert[]>;
}

export interface BuiltinDeps {
  cfg: ApiConfig;
  registry: Registry;
  state: DashboardState;
  alertHistory: AlertHistory | undefined;
  readiness: () => Promise<{ ready: boolean; checks: Array<{ name: string; ok: boolean; detail?: string }> }>;
}

const MAX_LIMIT = 10_000;

/** `/healthz`, `/readyz`, `/metrics`, `/api/series`, `/api/alerts` and the dashboard at `/`. */
export function builtinRoutes(deps: BuiltinDeps): Array<{ method: string; path: string; handler: RouteHandler }> {
  const page = dashboardHtml({ refreshMs: deps.cfg.dashboardRefreshMs });
  const startedAt = Date.now();
  return [
    {
      method: 'GET',
      path: '/',
      handler: () => ({ text: page, contentType: 'text/html; charset=utf-8' }),
    },
    {
      method: 'GET',
      path: '/healthz',
      handler: () => ({ body: { status: 'ok', uptimeMs: Date.now() - startedAt } }),
    },
    {
      method: 'GET',
      path: '/readyz',
      handler: async () => {
        const report = await deps.readiness();
        return { status: report.ready ? 200 : 503, body: report };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async () => ({ text: await deps.registry.metrics(), contentType: deps.registry.contentType }),
    },
    {
      method: 'GET',
      path: '/api/series',
      handler: (req) => {
        const filter: SeriesFilter = { limit: intParam(req.query, 'limit', 500) };
        const source = req.query.get('source');
        const name = req.query.get('name');
        if (source) filter.source = source;
        if (name) filter.name = name;
        if (boolParam(req.query, 'firing')) filter.firing = true;
        const withRecent = boolParam(req.query, 'recent') ?? true;
        const stats = deps.state.stats();
        return { body: { series: deps.state.seriesSnapshot(filter, withRecent), total: stats.series, evicted: stats.evictedSeries } };
      },
    },
    {
      method: 'GET',
      path: '/api/series/:id',
      handler: (req) => {
        const s = deps.state.getSeries(req.params.id);
        if (!s) throw new ApiError(404, `series ${req.params.id} is not watched`);
        return { body: s };
      },
    },
    {
      method: 'GET',
      path: '/api/alerts',
      handler: async (req) => {
        const filter: AlertFilter = { limit: intParam(req.query, 'limit', 100) };
        const state = req.query.get('state');
        if (state) {
          if (state !== 'firing' && state !== 'resolved') throw new ApiError(400, `state: found ${JSON.stringify(state)}; allowed: firing, resolved`);
          filter.state = state;
        }
        const series = req.query.get('series');
        if (series) filter.series = series;
        const source = req.query.get('source');
        if (source && source !== 'influx' && source !== 'memory') throw new ApiError(400, `source: found ${JSON.stringify(source)}; allowed: memory, influx`);
        if (source === 'influx' && !deps.alertHistory) throw new ApiError(400, 'source=influx: no InfluxDB is configured (influxdb section)');
        // After a restart the ring is empty: fall back to the history so the page is not blank.
        const useHistory = deps.alertHistory && (source === 'influx' || (source !== 'memory' && deps.state.stats().alertsSeen === 0));
        if (useHistory && deps.alertHistory) {
          try {
            return { body: { alerts: await deps.alertHistory.recentAlerts(filter, req.signal), source: 'influx' } };
          } catch (err) {
            if (source === 'influx') throw new ApiError(502, `reading alerts from InfluxDB failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        return { body: { alerts: deps.state.recentAlerts(filter), source: 'memory' } };
      },
    },
  ];
}

function intParam(q: URLSearchParams, key: string, dflt: number): number {
  const raw = q.get(key);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new ApiError(400, `${key}: found ${JSON.stringify(raw)}; allowed: an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

function boolParam(q: URLSearchParams, key: string): boolean | undefined {
  const raw = q.get(key);
  if (raw === null) return undefined;
  if (raw === '' || raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ApiError(400, `${key}: found ${JSON.stringify(raw)}; allowed: true, false, 1, 0`);
}
