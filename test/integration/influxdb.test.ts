import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { influxdbSchema, type InfluxdbConfig } from '../../sinks/influxdb/config.js';
import { createInfluxWriter, type InfluxWriter, type Rejection } from '../../sinks/influxdb/writer.js';
import { alertPoint, featurePoint, scorePoint } from '../../sinks/influxdb/points.js';
import { dropDatabase, queryInflux } from '../../sinks/influxdb/query.js';
import { influxAlertHistory } from '../../sinks/influxdb/alert-history.js';
import { seriesId, type SeriesRef } from '../../ingest/sample.js';
import type { Alert } from '../../pipeline/ports.js';
import { influxUrl as INFLUX_URL } from './stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function ctx() {
  return { logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal };
}

/** A config on a database of its own, dropped after the test. */
function uniqueCfg(overrides: Record<string, unknown> = {}): InfluxdbConfig {
  const cfg = influxdbSchema.parse({ url: INFLUX_URL, database: `seismo_test_${randomBytes(5).toString('hex')}`, flushIntervalMs: 50, ...overrides });
  cleanups.push(() => dropDatabase(cfg));
  return cfg;
}

async function started(cfg: InfluxdbConfig, c = ctx()): Promise<InfluxWriter> {
  const w = createInfluxWriter(cfg, c);
  cleanups.push(() => w.stop());
  await w.start();
  return w;
}

const series: SeriesRef = { source: 'prometheus', name: 'http_requests', labels: { job: 'api', path: '/a b,c=d', note: 'say "hi"' } };
const id = seriesId(series);

describe.each(['v2', 'v1'] as const)('InfluxDB writer, %s write mode (real InfluxDB)', (writeMode) => {
  it('creates the database, writes features, scores and alerts, and reads them back with InfluxQL', async () => {
    const cfg = uniqueCfg({ writeMode });
    const w = await started(cfg);
    const dbs = await queryInflux(cfg, 'SHOW DATABASES');
    expect(dbs.map((r) => r.name)).toContain(cfg.database);

    const t0 = Date.UTC(2026, 0, 1);
    await w.write([
      featurePoint({ id, series, ts: t0, value: 10, count: 5, mean: 9, std: 1, min: 8, max: 10, ewma: 9.5 }),
      scorePoint(id, series, t0, 10, { score: 0.93, forecast: 9, lo: 8, hi: 9.8, detectors: { mad: 0.9 }, warm: true }),
    ]);
    const alert: Alert = {
      id: `${id}:firing:${t0}`, dedupKey: `${id}:1`, series: { ...series, id }, ts: t0, value: 10, expected: { lo: 8, hi: 9.8 },
      score: 0.93, detector: 'mad', severity: 'critical', state: 'firing', explanation: 'value 10 above band 8..9.8\n(3 points)',
    };
    await w.write([alertPoint(alert)]);
    await w.flush();

    const features = await queryInflux(cfg, 'SELECT * FROM seismo_features WHERE series_id = $id', { id });
    expect(features).toEqual([
      { time: t0, series_id: id, source: 'prometheus', metric: 'http_requests', l_job: 'api', l_path: '/a b,c=d', l_note: 'say "hi"', value: 10, count: 5, mean: 9, std: 1, min: 8, max: 10, ewma: 9.5 },
    ]);
    const scores = await queryInflux(cfg, 'SELECT score, forecast, lo, hi, warm, d_mad FROM seismo_scores');
    expect(scores).toEqual([{ time: t0, score: 0.93, forecast: 9, lo: 8, hi: 9.8, warm: true, d_mad: 0.9 }]);
    expect(await influxAlertHistory(cfg).recentAlerts({ limit: 10 })).toEqual([alert]);
  });

  it('writing the same series and timestamp again overwrites the point', async () => {
    const cfg = uniqueCfg({ writeMode });
    const w = await started(cfg);
    const f = { id, series, ts: 1_700_000_000_000, value: 1, count: 1, mean: 1, std: 0, min: 1, max: 1, ewma: 1 };
    await w.write([featurePoint(f)]);
    await w.flush();
    await w.write([featurePoint({ ...f, value: 2 }), featurePoint(f), featurePoint({ ...f, value: 3 })]);
    await w.flush();
    const rows = await queryInflux(cfg, 'SELECT value FROM seismo_features');
    expect(rows).toEqual([{ time: f.ts, value: 3 }]);
  });

  it('writes many points across batches, in order, with backpressure on a small buffer', async () => {
    const cfg = uniqueCfg({ writeMode, batchSize: 500, maxBufferPoints: 1000 });
    const c = ctx();
    const w = await started(cfg, c);
    const t0 = 1_700_000_000_000;
    for (let chunk = 0; chunk < 10; chunk++) {
      await w.write(Array.from({ length: 1000 }, (_, i) => ({ measurement: 'bulk', tags: { s: String(i % 10) }, fields: { v: chunk * 1000 + i }, ts: t0 + chunk * 1000 + i })));
    }
    await w.flush();
    const rows = await queryInflux(cfg, 'SELECT count(v) FROM bulk');
    expect(rows[0].count).toBe(10_000);
    const text = await c.registry.metrics();
    expect(text).toMatch(/seismo_influxdb_sent_total 10000/);
    expect(text).toMatch(/seismo_influxdb_backpressure_waits_total [1-9]/);
    expect(text).toMatch(/seismo_influxdb_batches_total 20/);
  });

  it('a point InfluxDB refuses (field type conflict) is counted and handed on; the rest of its batch is stored', async () => {
    const cfg = uniqueCfg({ writeMode });
    const c = ctx();
    const rejected: Rejection[] = [];
    const w = createInfluxWriter(cfg, c, { onRejected: (r) => void rejected.push(r) });
    cleanups.push(() => w.stop());
    await w.start();
    await w.write([{ measurement: 'conflict', tags: {}, fields: { v: 1 }, ts: 1000 }]);
    await w.flush();
    await w.write([
      { measurement: 'conflict', tags: {}, fields: { v: 2 }, ts: 2000 },
      { measurement: 'conflict', tags: {}, fields: { v: 'text' }, ts: 3000 },
      { measurement: 'conflict', tags: {}, fields: { v: 4 }, ts: 4000 },
    ]);
    await w.flush();
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toMatch(/HTTP 400.*field type conflict/);
    expect(rejected[0].dropped).toBe(1);
    const rows = await queryInflux(cfg, 'SELECT v FROM conflict');
    expect(rows.map((r) => r.v)).toEqual([1, 2, 4]);
    expect(await c.registry.metrics()).toMatch(/seismo_influxdb_errors_total\{type="rejected_points"\} 1/);
  });
});

/** A local HTTP server standing in front of InfluxDB: answers from a script, records requests. */
async function fakeInflux(script: Array<{ status: number; headers?: Record<string, string>; body?: string }>) {
  const seen: Array<{ method: string; url: string; body: string; at: number; auth?: string }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString(), at: Date.now(), ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      const step = script.length > 1 ? script.shift()! : script[0];
      res.writeHead(step.status, { 'content-type': 'application/json', ...(step.headers ?? {}) });
      res.end(step.body ?? (step.status === 204 ? undefined : JSON.stringify({ error: `scripted ${step.status}` })));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => server.close(() => r(undefined))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe.each(['v2', 'v1'] as const)('InfluxDB writer, %s write mode, against a failing server', (writeMode) => {
  const base = { writeMode, createDatabase: false, database: 'db1', retentionPolicy: 'rp1', retry: { attempts: 4, baseMs: 10, maxMs: 2000 } };

  it('retries a 503 with Retry-After, waiting as told, then succeeds on 204', async () => {
    const fake = await fakeInflux([{ status: 503, headers: { 'retry-after': '1' } }, { status: 429, headers: { 'retry-after': '0' } }, { status: 204 }]);
    const w = await started(influxdbSchema.parse({ url: fake.url, token: 'user:secret', ...base }));
    await w.write([{ measurement: 'm', tags: { a: 'b' }, fields: { v: 1 }, ts: 5 }]);
    await w.flush();
    expect(fake.seen).toHaveLength(3);
    expect(fake.seen.every((r) => r.body === 'm,a=b v=1 5')).toBe(true);
    expect(fake.seen[1].at - fake.seen[0].at).toBeGreaterThanOrEqual(990);
    const path = fake.seen[0].url;
    if (writeMode === 'v2') {
      expect(path).toBe('/api/v2/write?org=seismo&bucket=db1%2Frp1&precision=ms');
      expect(fake.seen[0].auth).toBe('Token user:secret');
    } else {
      expect(path).toBe('/write?db=db1&rp=rp1&precision=ms');
      expect(fake.seen[0].auth).toBe(`Basic ${Buffer.from('user:secret').toString('base64')}`);
    }
    expect(w.healthy).toBe(true);
  });

  it('gives up after the configured attempts on a persistent 500 and rejects flush()', async () => {
    const fake = await fakeInflux([{ status: 500 }]);
    const c = ctx();
    const w = await started(influxdbSchema.parse({ url: fake.url, ...base }), c);
    await w.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, ts: 5 }]);
    await expect(w.flush()).rejects.toThrow(/HTTP 500/);
    expect(fake.seen).toHaveLength(4);
    expect(w.healthy).toBe(false);
    expect(await c.registry.metrics()).toMatch(/seismo_influxdb_errors_total\{type="gave_up"\} 1/);
  });

  it('does not retry a 401 and reports it', async () => {
    const fake = await fakeInflux([{ status: 401, body: '{"error":"authorization failed"}' }]);
    const w = await started(influxdbSchema.parse({ url: fake.url, ...base }));
    await w.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, ts: 5 }]);
    await expect(w.flush()).rejects.toThrow(/HTTP 401.*authorization failed/);
    expect(fake.seen).toHaveLength(1);
  });

  it('takes a 400 "unable to parse" as refused points: not retried, not blocking', async () => {
    const fake = await fakeInflux([{ status: 400, body: '{"error":"unable to parse \'m v=\': missing field value"}' }, { status: 204 }]);
    const c = ctx();
    const w = await started(influxdbSchema.parse({ url: fake.url, ...base }), c);
    await w.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, ts: 5 }]);
    await w.flush();
    expect(fake.seen).toHaveLength(1);
    expect(await c.registry.metrics()).toMatch(/seismo_influxdb_dropped_total 1/);
    await w.write([{ measurement: 'm', tags: {}, fields: { v: 2 }, ts: 6 }]);
    await w.flush();
    expect(fake.seen).toHaveLength(2);
  });

  it('retries a refused connection, then reports it', async () => {
    const fake = await fakeInflux([{ status: 204 }]);
    const url = fake.url;
    await cleanups.pop()!(); // close the server: its port now refuses connections
    const w = await started(influxdbSchema.parse({ url, ...base, retry: { attempts: 3, baseMs: 5, maxMs: 20 } }));
    await w.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, ts: 5 }]);
    await expect(w.flush()).rejects.toThrow(/influxdb write/);
  });
});

describe('InfluxDB writer lifecycle (real InfluxDB)', () => {
  it('create, start, send, stop; stop without start; stop twice; standard metrics appear', async () => {
    const cfg = uniqueCfg();
    const neverStarted = createInfluxWriter(cfg, ctx());
    await neverStarted.stop();
    await neverStarted.stop();

    const c = ctx();
    const w = createInfluxWriter(cfg, c);
    await w.start();
    await w.write([{ measurement: 'life', tags: { k: 'v' }, fields: { v: 1 }, ts: 1000 }]);
    await w.stop(); // flushes what is buffered
    await w.stop();
    expect(await queryInflux(cfg, 'SELECT v FROM life')).toEqual([{ time: 1000, v: 1 }]);
    const text = await c.registry.metrics();
    for (const m of ['received_total 1', 'sent_total 1', 'dropped_total 0', 'buffer_depth 0', 'batches_total 1', 'write_seconds_count{outcome="ok"} 1']) {
      expect(text).toContain(`seismo_influxdb_${m}`);
    }
    expect(text).toContain('# TYPE seismo_influxdb_errors_total counter');
  });
});

describe('InfluxDB writer start', () => {
  it('fails to start when the database cannot be created (server unreachable)', async () => {
    const fake = await fakeInflux([{ status: 204 }]);
    const url = fake.url;
    await cleanups.pop()!();
    const w = createInfluxWriter(influxdbSchema.parse({ url, retry: { attempts: 2, baseMs: 5, maxMs: 10 } }), ctx());
    await expect(w.start()).rejects.toThrow(/influxdb query/);
    await w.stop();
  });
});
