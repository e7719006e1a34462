import type { Registry } from 'prom-client';
import type { ApiConfig } from './config.js';
import { compareSeries, type AlertFilter, type DashboardState, type SeriesFilter, type SeriesSnapshot } from './state.js';
import { ApiError, type RouteHandler } from './router.js';
import { dashboardHtml } from './dashboard.js';
import type { Alert } from '../pipeline/ports.js';

/** Alerts kept beyond this process' memory (InfluxDB `seismo_alerts`), newest first. */
export interface AlertHistory {
  recentAlerts(filter: AlertFilter, signal?: AbortSignal): Promise<Alert[]>;
}

/** Watched series rebuilt from stored scores (InfluxDB `seismo_scores`), for a process without its own. */
export interface SeriesHistory {
  recentSeries(filter: SeriesFilter, signal?: AbortSignal): Promise<SeriesSnapshot[]>;
}

export interface BuiltinDeps {
  cfg: ApiConfig;
  registry: Registry;
  state: DashboardState;
  alertHistory: AlertHistory | undefined;
  seriesHistory: SeriesHistory | undefined;
  readiness: () => Promise<{ ready: boolean; checks: Array<{ name: string; ok: boolean; detail?: string }> }>;
}

const MAX_LIMIT = 10_000;
/** How long the empty-ring fallback waits for InfluxDB before answering from memory. */
const FALLBACK_TIMEOUT_MS = 2000;

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
      handler: async (req) => {
        const filter: SeriesFilter = { limit: intParam(req.query, 'limit', 500) };
        const source = req.query.get('source');
        const name = req.query.get('name');
        if (source) filter.source = source;
        if (name) filter.name = name;
        if (boolParam(req.query, 'firing')) filter.firing = true;
        const withRecent = boolParam(req.query, 'recent') ?? true;
        const from = req.query.get('from');
        if (from && from !== 'influx' && from !== 'memory') throw new ApiError(400, `from: found ${JSON.stringify(from)}; allowed: memory, influx`);
        if (from === 'influx' && !deps.seriesHistory) throw new ApiError(400, 'from=influx: no InfluxDB is configured (influxdb section)');
        const stats = deps.state.stats();
        // A process that does not run the detector (or just restarted) has no series of its own.
        if (deps.seriesHistory && (from === 'influx' || (from !== 'memory' && stats.series === 0))) {
          const signal = from === 'influx' ? req.signal : AbortSignal.any([req.signal, AbortSignal.timeout(FALLBACK_TIMEOUT_MS)]);
          try {
            const found = (await deps.seriesHistory.recentSeries(filter, signal)).sort(compareSeries).slice(0, filter.limit);
            if (!withRecent) for (const s of found) s.recent = [];
            return { body: { series: found, total: found.length, evicted: 0, from: 'influx' } };
          } catch (err) {
            if (from === 'influx') throw new ApiError(502, `reading series from InfluxDB failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        return { body: { series: deps.state.seriesSnapshot(filter, withRecent), total: stats.series, evicted: stats.evictedSeries, from: 'memory' } };
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
          // Falling back for an empty ring must not make the page hang on a slow InfluxDB.
          const signal = source === 'influx' ? req.signal : AbortSignal.any([req.signal, AbortSignal.timeout(FALLBACK_TIMEOUT_MS)]);
          try {
            return { body: { alerts: await deps.alertHistory.recentAlerts(filter, signal), source: 'influx' } };
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
