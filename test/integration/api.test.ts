import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { apiSchema } from '../../api/config.js';
import { createApiServer, type ApiServer, type ApiDeps } from '../../api/server.js';
import { ApiError } from '../../api/router.js';
import { DashboardState } from '../../api/state.js';
import { seriesId, type SeriesRef } from '../../ingest/sample.js';
import type { Alert } from '../../pipeline/ports.js';
import type { Context } from '../../pipeline/component.js';

const servers: ApiServer[] = [];

function makeCtx(): Context {
  return { logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal };
}

async function startServer(deps: Partial<ApiDeps> = {}, overrides: Record<string, unknown> = {}) {
  const ctx = makeCtx();
  const state = deps.state ?? new DashboardState({ maxSeries: 100, recentPoints: 10, maxAlerts: 50 });
  const cfg = apiSchema.parse({ port: 0, ...overrides });
  const server = createApiServer(cfg, ctx, { readiness: deps.readiness ?? [], state, ...(deps.alertHistory ? { alertHistory: deps.alertHistory } : {}), ...(deps.routes ? { routes: deps.routes } : {}) });
  servers.push(server);
  await server.start();
  const { host, port } = server.address();
  const base = `http://${host}:${port}`;
  return { server, ctx, state, base };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const cpu: SeriesRef = { source: 'prometheus', name: 'cpu', labels: { host: 'a' } };
const mem: SeriesRef = { source: 'host', name: 'mem', labels: { host: 'b' } };

function alert(series: SeriesRef, ts: number, state: 'firing' | 'resolved', extra: Partial<Alert> = {}): Alert {
  const id = seriesId(series);
  return {
    id: `${id}:${state}:${ts}`,
    dedupKey: `${id}:1`,
    series: { ...series, id },
    ts,
    value: 42,
    expected: { lo: 1, hi: 2 },
    score: 0.97,
    detector: 'mad',
    severity: 'warning',
    state,
    explanation: 'value 42 above the band 1..2',
    ...extra,
  };
}

describe('api server', () => {
  it('serves only health, readiness and metrics in ops mode (worker roles)', async () => {
    const { base, ctx } = await startServer({ routes: 'ops', readiness: [{ name: 'kafka', check: async () => true }] });
    new Counter({ name: 'seismo_ops_probe_total', help: 'a metric of the process', registers: [ctx.registry] });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('seismo_ops_probe_total 0');
    for (const path of ['/', '/api/series', '/api/alerts']) expect((await fetch(`${base}${path}`)).status).toBe(404);
  });

  it('names api.port and --http-port when the port is taken', async () => {
    const { server } = await startServer();
    const { port } = server.address();
    const second = createApiServer(apiSchema.parse({ port }), makeCtx(), { readiness: [], state: new DashboardState({ maxSeries: 1, recentPoints: 2, maxAlerts: 1 }) });
    await expect(second.start()).rejects.toThrow(/api\.port: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\).*--http-port/);
  });

  it('serves /healthz and HEAD /healthz', async () => {
    const { base } = await startServer();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('ok');
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('/readyz fails until every check passes and reports each check', async () => {
    let kafkaReady: boolean | string = 'not connected';
    const { base } = await startServer({
      readiness: [
        { name: 'kafka', check: async () => kafkaReady },
        { name: 'always', check: async () => true },
      ],
    });
    let res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    let body = (await res.json()) as { ready: boolean; checks: Array<{ name: string; ok: boolean; detail?: string }> };
    expect(body.ready).toBe(false);
    expect(body.checks).toEqual([
      { name: 'kafka', ok: false, detail: 'not connected' },
      { name: 'always', ok: true },
    ]);
    kafkaReady = true;
    res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    body = (await res.json()) as typeof body;
    expect(body.ready).toBe(true);
  });

  it('/readyz counts a throwing or hanging check as not ready', async () => {
    const { base, server } = await startServer({ readiness: [{ name: 'boom', check: async () => Promise.reject(new Error('redis down')) }] }, { readinessTimeoutMs: 50 });
    server.addReadinessCheck({ name: 'slow', check: () => new Promise(() => undefined) });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean; detail?: string }> };
    expect(body.checks).toEqual([
      { name: 'boom', ok: false, detail: 'redis down' },
      { name: 'slow', ok: false, detail: 'timed out after 50 ms' },
    ]);
  });

  it('/metrics serves the registry in Prometheus text format, including seismo_api_* metrics', async () => {
    const { base } = await startServer();
    await fetch(`${base}/healthz`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/seismo_api_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(text).toContain('# TYPE seismo_api_received_total counter');
    expect(text).toContain('seismo_api_request_duration_seconds_bucket');
  });

  it('/api/series lists watched series with filters and recent points', async () => {
    const { base, state } = await startServer();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) {
      state.observe({ id: seriesId(cpu), series: cpu, ts: t0 + i * 1000, value: i, score: 0.1 * i, warm: i > 2, forecast: i, lo: i - 1, hi: i + 1 });
    }
    state.observe({ id: seriesId(mem), series: mem, ts: t0, value: 7 });
    const all = (await (await fetch(`${base}/api/series`)).json()) as { series: Array<Record<string, unknown>>; total: number };
    expect(all.total).toBe(2);
    expect(all.series.map((s) => s.name)).toEqual(['cpu', 'mem']);
    expect(all.series[0]).toMatchObject({ id: seriesId(cpu), source: 'prometheus', labels: { host: 'a' }, lastTs: t0 + 4000, lastValue: 4, warm: true, pointsSeen: 5, lo: 3, hi: 5 });
    expect((all.series[0].recent as unknown[]).length).toBe(5);
    const bySource = (await (await fetch(`${base}/api/series?source=host`)).json()) as { series: Array<{ name: string }> };
    expect(bySource.series.map((s) => s.name)).toEqual(['mem']);
    const limited = (await (await fetch(`${base}/api/series?limit=1&recent=false`)).json()) as { series: Array<{ recent: unknown[] }> };
    expect(limited.series).toHaveLength(1);
    expect(limited.series[0].recent).toEqual([]);
    const bad = await fetch(`${base}/api/series?limit=abc`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('limit');
    const one = await fetch(`${base}/api/series/${seriesId(mem)}`);
    expect(((await one.json()) as { lastValue: number }).lastValue).toBe(7);
    expect((await fetch(`${base}/api/series/nope`)).status).toBe(404);
  });

  it('/api/alerts lists alerts newest first with limit, state and series filters', async () => {
    const { base, state } = await startServer();
    state.recordAlert(alert(cpu, 1000, 'firing'));
    state.recordAlert(alert(mem, 2000, 'firing'));
    state.recordAlert(alert(cpu, 3000, 'resolved'));
    const get = async (q: string) => (await (await fetch(`${base}/api/alerts${q}`)).json()) as { alerts: Alert[]; source: string };
    const all = await get('');
    expect(all.source).toBe('memory');
    expect(all.alerts.map((a) => a.ts)).toEqual([3000, 2000, 1000]);
    expect((await get('?limit=2')).alerts.map((a) => a.ts)).toEqual([3000, 2000]);
    expect((await get('?state=firing')).alerts.map((a) => a.ts)).toEqual([2000, 1000]);
    expect((await get(`?series=${seriesId(cpu)}`)).alerts.map((a) => a.ts)).toEqual([3000, 1000]);
    expect((await fetch(`${base}/api/alerts?state=open`)).status).toBe(400);
    const noInflux = await fetch(`${base}/api/alerts?source=influx`);
    expect(noInflux.status).toBe(400);
    expect(((await noInflux.json()) as { error: string }).error).toContain('InfluxDB');
  });

  it('/api/alerts reads the history when asked or when the ring is empty after a restart', async () => {
    const seen: unknown[] = [];
    const history = {
      recentAlerts: async (filter: unknown) => {
        seen.push(filter);
        return [alert(cpu, 9000, 'firing')];
      },
    };
    const { base, state } = await startServer({ alertHistory: history });
    const empty = (await (await fetch(`${base}/api/alerts?limit=5&state=firing`)).json()) as { alerts: Alert[]; source: string };
    expect(empty.source).toBe('influx');
    expect(empty.alerts.map((a) => a.ts)).toEqual([9000]);
    expect(seen[0]).toEqual({ limit: 5, state: 'firing' });
    state.recordAlert(alert(mem, 100, 'firing'));
    const mem1 = (await (await fetch(`${base}/api/alerts`)).json()) as { alerts: Alert[]; source: string };
    expect(mem1.source).toBe('memory');
    expect(mem1.alerts.map((a) => a.ts)).toEqual([100]);
    const forced = (await (await fetch(`${base}/api/alerts?source=influx`)).json()) as { source: string };
    expect(forced.source).toBe('influx');
  });

  it('serves the dashboard as one self-contained HTML page', async () => {
    const { base } = await startServer();
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('api/series');
    expect(html).toContain('api/alerts');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('routes added with addRoute get params, query and a parsed JSON body', async () => {
    const { base, server } = await startServer({}, { maxBodyBytes: 1024 });
    server.addRoute('POST', '/api/silences', (req) => ({ status: 201, body: { got: req.body, q: req.query.get('x') } }));
    server.addRoute('DELETE', '/api/silences/:id', (req) => {
      if (req.params.id === 'missing') throw new ApiError(404, 'no such silence');
      return { status: 204 };
    });
    expect(() => server.addRoute('post', '/api/silences', () => ({}))).toThrow(/already registered/);
    const post = await fetch(`${base}/api/silences?x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: { host: 'a' } }) });
    expect(post.status).toBe(201);
    expect(await post.json()).toEqual({ got: { matchers: { host: 'a' } }, q: '1' });
    expect((await fetch(`${base}/api/silences/abc%20d`, { method: 'DELETE' })).status).toBe(204);
    const missing = await fetch(`${base}/api/silences/missing`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no such silence' });
    const badJson = await fetch(`${base}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/not valid JSON/);
    const notJson = await fetch(`${base}/api/silences`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(notJson.status).toBe(415);
    const big = await fetch(`${base}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(5000) }) });
    expect(big.status).toBe(413);
    const wrong = await fetch(`${base}/api/silences`, { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(((await wrong.json()) as { error: string }).error).toContain('PUT');
    const nf = await fetch(`${base}/nowhere`);
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: string }).error).toContain('/nowhere');
  });

  it('rejects a chunked body over the limit with 413', async () => {
    const { base, server } = await startServer({}, { maxBodyBytes: 1024 });
    server.addRoute('POST', '/echo', (req) => ({ body: req.body }));
    const url = new URL(`${base}/echo`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/echo', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('"' + 'x'.repeat(800));
      req.write('x'.repeat(800));
      req.end('"');
    });
    expect(status).toBe(413);
  });

  it('a handler error becomes a 500 with a JSON error and is counted', async () => {
    const { base, server, ctx } = await startServer();
    server.addRoute('GET', '/boom', () => {
      throw new Error('kaput');
    });
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toContain('kaput');
    const metrics = await ctx.registry.metrics();
    expect(metrics).toMatch(/seismo_api_errors_total\{type="handler"\} 1/);
  });

  it('stop() waits for in-flight requests, then closes; safe before start and twice', async () => {
    const idle = createApiServer(apiSchema.parse({ port: 0 }), makeCtx(), { readiness: [], state: new DashboardState() });
    await idle.stop();
    await idle.stop();
    expect(() => idle.address()).toThrow(/not listening/);

    const { base, server } = await startServer();
    let release: () => void = () => undefined;
    server.addRoute('GET', '/slow', () => new Promise((resolve) => (release = () => resolve({ body: { done: true } }))));
    const pending = fetch(`${base}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    let stopped = false;
    const stopping = server.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await stopping;
    expect(stopped).toBe(true);
    await server.stop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('lifecycle: start, serve, stop; standard metrics appear', async () => {
    const { base, server, ctx } = await startServer();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await server.stop();
    await server.stop();
    const text = await ctx.registry.metrics();
    for (const m of ['received_total 1', 'sent_total 1', 'dropped_total 0', 'buffer_depth 0']) expect(text).toContain(`seismo_api_${m}`);
    expect(text).toContain('# TYPE seismo_api_errors_total counter');
  });

  it('binds the configured host and a free port when port is 0', async () => {
    const a = await startServer();
    const b = await startServer();
    expect(a.server.address().host).toBe('127.0.0.1');
    expect(a.server.address().port).toBeGreaterThan(0);
    expect(a.server.address().port).not.toBe(b.server.address().port);
  });
});
