import type { InfluxdbConfig } from './config.js';
import { LABEL_TAG_PREFIX, MEASUREMENTS } from './points.js';
import { queryInflux, resolveInfluxToken, type InfluxRow } from './query.js';
import type { RecentPoint, SeriesFilter, SeriesSnapshot } from '../../api/state.js';
import type { SeriesHistory } from '../../api/routes.js';

export interface SeriesHistoryOptions {
  /** How far back to look for series, ms. Default 1 hour. */
  windowMs?: number;
  /** Recent points per series. Default 120. */
  recentPoints?: number;
}

/**
 * Watched series rebuilt from `seismo_scores` (and their alert state from `seismo_alerts`), for
 * `GET /api/series` in a process that does not run the detector itself (the `api` role) or has
 * just restarted. One query per table: the last `recentPoints` points of each series.
 */
export function influxSeriesHistory(cfg: InfluxdbConfig, opts: SeriesHistoryOptions = {}): SeriesHistory {
  const token = resolveInfluxToken(cfg);
  const windowMs = Math.max(1000, Math.floor(opts.windowMs ?? 3600_000));
  const perSeries = Math.max(2, Math.floor(opts.recentPoints ?? 120));
  return {
    async recentSeries(filter: SeriesFilter, signal?: AbortSignal): Promise<SeriesSnapshot[]> {
      const where = [`time > now() - ${windowMs}ms`];
      const params: Record<string, string> = {};
      if (filter.source) {
        where.push('"source" = $source');
        params.source = filter.source;
      }
      if (filter.name) {
        where.push('"metric" = $name');
        params.name = filter.name;
      }
      const seriesLimit = Math.max(1, Math.min(10_000, Math.floor(filter.limit ?? 500)));
      const common = { token, ...(signal ? { signal } : {}) };
      const alertQuery = queryInflux(
        cfg,
        `SELECT last("score") FROM ${MEASUREMENTS.alerts} WHERE time > now() - ${Math.max(windowMs, 24 * 3600_000)}ms GROUP BY "series_id", "state"`,
        undefined,
        common,
      );
      let rows: InfluxRow[];
      let alertState: Map<string, 'firing' | 'resolved'>;
      if (filter.firing) {
        // The firing filter must run before SLIMIT, or a page of quiet series could hide the
        // firing ones: ask only for the series whose latest alert is firing, a chunk at a time.
        alertState = latestAlertState(await alertQuery);
        const firing = [...alertState].filter(([, st]) => st === 'firing').map(([id]) => id).sort();
        rows = [];
        const seen = new Set<string>();
        for (let i = 0; i < firing.length && seen.size < seriesLimit; i += FIRING_CHUNK) {
          const ids = firing.slice(i, i + FIRING_CHUNK);
          const idParams: Record<string, string> = { ...params };
          ids.forEach((id, k) => (idParams[`id${k}`] = id));
          const w = [...where, `(${ids.map((_, k) => `"series_id" = $id${k}`).join(' OR ')})`];
          const got = await queryInflux(cfg, seriesQuery(w, perSeries, seriesLimit - seen.size), idParams, common);
          for (const r of got) if (typeof r.series_id === 'string') seen.add(r.series_id);
          rows.push(...got);
        }
      } else {
        const [r, a] = await Promise.all([
          queryInflux(cfg, seriesQuery(where, perSeries, seriesLimit), params, common),
          alertQuery.catch(() => [] as InfluxRow[]),
        ]);
        rows = r;
        alertState = latestAlertState(a);
      }
      const bySeries = new Map<string, InfluxRow[]>();
      for (const r of rows) {
        const id = typeof r.series_id === 'string' ? r.series_id : null;
        if (!id) continue;
        const list = bySeries.get(id) ?? [];
        list.push(r);
        bySeries.set(id, list);
      }
      const out: SeriesSnapshot[] = [];
      for (const [id, list] of bySeries) {
        list.sort((a, b) => num(a.time)! - num(b.time)!);
        const last = list[list.length - 1];
        const state = alertState.get(id) ?? null;
        if (filter.firing && state !== 'firing') continue;
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries(last)) {
          if (k.startsWith(LABEL_TAG_PREFIX) && typeof v === 'string' && v !== '') labels[k.slice(LABEL_TAG_PREFIX.length)] = v;
        }
        out.push({
          id,
          source: typeof last.source === 'string' ? last.source : '',
          name: typeof last.metric === 'string' ? last.metric : '',
          labels,
          lastTs: num(last.time) ?? 0,
          lastValue: num(last.value) ?? Number.NaN,
          lastScore: num(last.score),
          forecast: num(last.forecast),
          lo: num(last.lo),
          hi: num(last.hi),
          warm: last.warm === true,
          pointsSeen: list.length,
          alertState: state,
          recent: list
            .filter((r) => num(r.value) !== null)
            .map((r) => [num(r.time)!, num(r.value)!, num(r.score), num(r.lo), num(r.hi)] as RecentPoint),
        });
      }
      return out;
    },
  };
}

/** Series ids asked for in one query when listing firing series. */
const FIRING_CHUNK = 100;

function seriesQuery(where: string[], perSeries: number, seriesLimit: number): string {
  return `SELECT * FROM ${MEASUREMENTS.scores} WHERE ${where.join(' AND ')} GROUP BY "series_id" ORDER BY time DESC LIMIT ${perSeries} SLIMIT ${seriesLimit}`;
}

/** Per series, the state of its most recent alert (rows of `last(score)` grouped by series and state). */
function latestAlertState(rows: InfluxRow[]): Map<string, 'firing' | 'resolved'> {
  const best = new Map<string, { ts: number; state: 'firing' | 'resolved' }>();
  for (const r of rows) {
    const id = r.series_id;
    const state = r.state;
    const ts = num(r.time);
    if (typeof id !== 'string' || (state !== 'firing' && state !== 'resolved') || ts === null) continue;
    const cur = best.get(id);
    if (!cur || ts > cur.ts) best.set(id, { ts, state });
  }
  return new Map([...best].map(([id, v]) => [id, v.state]));
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
