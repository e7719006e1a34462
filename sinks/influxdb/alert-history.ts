import type { InfluxdbConfig } from './config.js';
import { MEASUREMENTS, alertFromRow } from './points.js';
import { queryInflux, resolveInfluxToken } from './query.js';
import type { AlertFilter } from '../../api/state.js';
import type { AlertHistory } from '../../api/routes.js';
import type { Alert } from '../../pipeline/ports.js';

/** Recent alerts read back from `seismo_alerts`, newest first, for `/api/alerts`. */
export function influxAlertHistory(cfg: InfluxdbConfig): AlertHistory {
  const token = resolveInfluxToken(cfg);
  return {
    async recentAlerts(filter: AlertFilter, signal?: AbortSignal): Promise<Alert[]> {
      const where: string[] = [];
      const params: Record<string, string> = {};
      if (filter.state) {
        where.push('"state" = $state');
        params.state = filter.state;
      }
      if (filter.series) {
        where.push('"series_id" = $series');
        params.series = filter.series;
      }
      const limit = Math.max(1, Math.min(10_000, Math.floor(filter.limit ?? 100)));
      const q = `SELECT * FROM ${MEASUREMENTS.alerts}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC LIMIT ${limit}`;
      const rows = await queryInflux(cfg, q, params, { token, ...(signal ? { signal } : {}) });
      return rows.map(alertFromRow).filter((a): a is Alert => a !== null);
    },
  };
}
