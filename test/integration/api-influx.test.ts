import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { apiSchema } from '../../api/config.js';
import { createApiServer } from '../../api/server.js';
import { DashboardState } from '../../api/state.js';
import { influxdbSchema } from '../../sinks/influxdb/config.js';
import { createInfluxWriter } from '../../sinks/influxdb/writer.js';
import { alertPoint, scorePoint } from '../../sinks/influxdb/points.js';
import { dropDatabase, queryInflux } from '../../sinks/influxdb/query.js';
import { influxAlertHistory } from '../../sinks/influxdb/alert-history.js';
import { influxSeriesHistory } from '../../sinks/influxdb/series-history.js';
import type { SeriesSnapshot } from '../../api/state.js';
import { seriesId, type SeriesRef } from '../../ingest/sample.js';
import type { Alert } from '../../pipeline/ports.js';
import { influxUrl as INFLUX_URL } from './stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const ctx = () => ({ logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal });

function alert(series: SeriesRef, ts: number, state: 'firing' | 'resolved'): Alert {
  const id = seriesId(series);
  return {
    id: `${id}:${state}:${ts}`, dedupKey: `${id}:${ts}`, series: { ...series, id }, ts, value: ts / 1000, expected: { lo: 0, hi: 1 },
    score: 0.95, detector: 'mad', severity: 'warning', state, explanation: `it's "odd"; value=${ts / 1000}`,
  };
}

describe('GET /api/alerts from InfluxDB (real InfluxDB)', () => {
  it('reads seismo_alerts with limit, state and series filters after a restart', async () => {
    const cfg = influxdbSchema.parse({ url: INFLUX_URL, database: `seismo_test_${randomBytes(5).toString('hex')}` });
    cleanups.push(() => dropDatabase(cfg));
    const writer = createInfluxWriter(cfg, ctx());
    cleanups.push(() => writer.stop());
    await writer.start();
    const a: SeriesRef = { source: 'host', name: 'cpu', labels: { host: 'x' } };
    const b: SeriesRef = { source: 'host', name: 'mem', labels: { host: "y' OR 1=1" } };
    const all = [alert(a, 1_000_000, 'firing'), alert(b, 2_000_000, 'firing'), alert(a, 3_000_000, 'resolved')];
    await writer.write(all.map((x) => alertPoint(x)));
    await writer.flush();

    const server = createApiServer(apiSchema.parse({ port: 0 }), ctx(), { readiness: [], state: new DashboardState(), alertHistory: influxAlertHistory(cfg) });
    cleanups.push(() => server.stop());
    await server.start();
    const { host, port } = server.address();
    const get = async (q: string) => {
      const res = await fetch(`http://${host}:${port}/api/alerts${q}`);
      expect(res.status).toBe(200);
      return (await res.json()) as { alerts: Alert[]; source: string };
    };
    const newest = await get('');
    expect(newest.source).toBe('influx');
    expect(newest.alerts).toEqual([all[2], all[1], all[0]]);
    expect((await get('?limit=1')).alerts).toEqual([all[2]]);
    expect((await get('?state=firing')).alerts).toEqual([all[1], all[0]]);
    expect((await get(`?series=${seriesId(a)}&state=firing`)).alerts).toEqual([all[0]]);
    expect((await get(`?series=${encodeURIComponent("x' OR '1'='1")}`)).alerts).toEqual([]);
  });

  it('answers 502 when InfluxDB cannot answer and source=influx was asked for', async () => {
    const cfg = influxdbSchema.parse({ url: INFLUX_URL, database: `seismo_missing_${randomBytes(5).toString('hex')}` });
    await expect(queryInflux(cfg, 'SELECT * FROM seismo_alerts')).rejects.toThrow(/database not found/);
    await expect(queryInflux(cfg, 'SELEKT nonsense')).rejects.toThrow(/HTTP 400.*error parsing query/);
    await expect(queryInflux(cfg, 'SELEKT nonsense')).rejects.toMatchObject({ retriable: false });
    const server = createApiServer(apiSchema.parse({ port: 0 }), ctx(), { readiness: [], state: new DashboardState(), alertHistory: influxAlertHistory(cfg) });
    cleanups.push(() => server.stop());
    await server.start();
    const { host, port } = server.address();
    const res = await fetch(`http://${host}:${port}/api/alerts?source=influx`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toMatch(/database not found/);
    // without source=influx the empty in-memory ring answers instead
    const fallback = await fetch(`http://${host}:${port}/api/alerts`);
    expect(fallback.status).toBe(200);
    expect(await fallback.json()).toEqual({ alerts: [], source: 'memory' });
  });

  it('GET /api/series rebuilds watched series from seismo_scores when this process has none', async () => {
    const cfg = influxdbSchema.parse({ url: INFLUX_URL, database: `seismo_test_${randomBytes(5).toString('hex')}` });
    cleanups.push(() => dropDatabase(cfg));
    const writer = createInfluxWriter(cfg, ctx());
    cleanups.push(() => writer.stop());
    await writer.start();
    const cpu: SeriesRef = { source: 'prometheus', name: 'cpu', labels: { host: 'a b' } };
    const mem: SeriesRef = { source: 'host', name: 'mem', labels: {} };
    const t0 = Date.now() - 60_000;
    const points = [];
    for (let i = 0; i < 5; i++) {
      const warm = i >= 2;
      points.push(scorePoint(seriesId(cpu), cpu, t0 + i * 1000, 10 + i, { score: i / 10, forecast: warm ? 10 : null, lo: warm ? 9 : null, hi: warm ? 11 : null, detectors: {}, warm }));
      points.push(scorePoint(seriesId(mem), mem, t0 + i * 1000, 100, { score: 0.01, forecast: null, lo: null, hi: null, detectors: {}, warm: false }));
    }
    points.push(alertPoint(alert(mem, t0 + 4000, 'firing')));
    await writer.write(points);
    await writer.flush();

    const state = new DashboardState();
    const server = createApiServer(apiSchema.parse({ port: 0 }), ctx(), { readiness: [], state, seriesHistory: influxSeriesHistory(cfg) });
    cleanups.push(() => server.stop());
    await server.start();
    const { host, port } = server.address();
    const get = async (q: string) => (await (await fetch(`http://${host}:${port}/api/series${q}`)).json()) as { series: SeriesSnapshot[]; from: string };
    const all = await get('');
    expect(all.from).toBe('influx');
    expect(all.series.map((x) => x.name)).toEqual(['mem', 'cpu']); // firing first
    const c = all.series[1];
    expect(c).toMatchObject({ id: seriesId(cpu), source: 'prometheus', labels: { host: 'a b' }, lastTs: t0 + 4000, lastValue: 14, lastScore: 0.4, warm: true, lo: 9, hi: 11, forecast: 10, pointsSeen: 5, alertState: null });
    expect(c.recent).toEqual([0, 1, 2, 3, 4].map((i) => [t0 + i * 1000, 10 + i, i / 10, i >= 2 ? 9 : null, i >= 2 ? 11 : null]));
    expect(all.series[0].alertState).toBe('firing');
    expect((await get('?source=prometheus')).series.map((x) => x.name)).toEqual(['cpu']);
    expect((await get('?name=mem&recent=false')).series.map((x) => [x.name, x.recent.length])).toEqual([['mem', 0]]);
    expect((await get('?firing=true')).series.map((x) => x.name)).toEqual(['mem']);
    expect((await get('?limit=1')).series).toHaveLength(1);
    // once the process watches series itself, its own state answers
    state.observe({ id: 'x', series: { source: 's', name: 'own', labels: {} }, ts: Date.now(), value: 1 });
    const own = await get('');
    expect(own.from).toBe('memory');
    expect(own.series.map((x) => x.name)).toEqual(['own']);
    expect((await get('?from=influx')).series).toHaveLength(2);
  });

  it('GET /api/series?firing=true&limit=N finds N firing series among many quiet ones', async () => {
    const cfg = influxdbSchema.parse({ url: INFLUX_URL, database: `seismo_test_${randomBytes(5).toString('hex')}` });
    cleanups.push(() => dropDatabase(cfg));
    const writer = createInfluxWriter(cfg, ctx());
    cleanups.push(() => writer.stop());
    await writer.start();
    const t0 = Date.now() - 60_000;
    const points = [];
    // 60 quiet series sort before the firing ones by id; 5 firing, 1 resolved after firing.
    const quiet = Array.from({ length: 60 }, (_, i): SeriesRef => ({ source: 'host', name: 'aaa_quiet', labels: { n: String(i).padStart(3, '0') } }));
    const firing = Array.from({ length: 5 }, (_, i): SeriesRef => ({ source: 'host', name: 'zzz_firing', labels: { n: String(i) } }));
    const resolved: SeriesRef = { source: 'host', name: 'zzz_resolved', labels: {} };
    for (const s of [...quiet, ...firing, resolved]) {
      points.push(scorePoint(seriesId(s), s, t0, 1, { score: 0.1, forecast: 1, lo: 0, hi: 2, detectors: {}, warm: true }));
    }
    for (const s of firing) points.push(alertPoint(alert(s, t0, 'firing')));
    points.push(alertPoint(alert(resolved, t0, 'firing')), alertPoint(alert(resolved, t0 + 1000, 'resolved')));
    await writer.write(points);
    await writer.flush();

    const history = influxSeriesHistory(cfg);
    const three = await history.recentSeries({ firing: true, limit: 3 });
    expect(three).toHaveLength(3);
    expect(three.every((x) => x.name === 'zzz_firing' && x.alertState === 'firing')).toBe(true);
    const all = await history.recentSeries({ firing: true, limit: 50 });
    expect(all.map((x) => x.labels.n).sort()).toEqual(['0', '1', '2', '3', '4']);
    expect((await history.recentSeries({ firing: true, limit: 50, name: 'aaa_quiet' }))).toEqual([]);
    expect(await history.recentSeries({ limit: 10 })).toHaveLength(10);
  });
});
