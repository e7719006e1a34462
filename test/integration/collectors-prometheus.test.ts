import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { createCollector, MemoryCheckpointStore, RedisCheckpointStore, type CheckpointStore, type Collector } from '../../ingest/index.js';
import type { Sample } from '../../ingest/sample.js';
import { CaptureDlq, metricValue, testContext } from '../unit/ingest/helpers.js';
import { prometheusUrl, promQuery, redisUrl, setExporterGauge, testExporterJob, uniqueName, waitFor } from './stack.js';
import { createTopic, deleteTopic, duplicates, KafkaSampleEmitter, readTopic, testKafka } from './collectors-kafka.js';

const STEP = 1000;

/** Every step instant in (after, end]. */
function instants(after: number, end: number): number[] {
  const out: number[] = [];
  for (let t = (Math.floor(after / STEP) + 1) * STEP; t <= end; t += STEP) out.push(t);
  return out;
}

describe('prometheus collector against the stack Prometheus', () => {
  let kafka: Kafka;
  let producer: Producer;
  let topic = '';

  beforeAll(() => {
    kafka = testKafka();
  });
  beforeEach(async () => {
    topic = uniqueName('seismo-prom');
    await createTopic(kafka, topic);
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });
  afterEach(async () => {
    await producer.disconnect();
    await deleteTopic(kafka, topic);
  });

  function source(queries: unknown[], extra: Record<string, unknown> = {}): never {
    return { type: 'prometheus', name: uniqueName('prom'), url: prometheusUrl, queries, stepMs: STEP, intervalMs: 30_000, timeoutMs: 10_000, jitterRatio: 0, ...extra } as never;
  }

  function collector(cfg: never, now: () => number, checkpoints: CheckpointStore = new MemoryCheckpointStore(), ctx = testContext()) {
    const out = new KafkaSampleEmitter(producer, topic);
    const dlq = new CaptureDlq();
    return { c: createCollector(cfg, ctx, out, dlq, { checkpoints, now }), out, dlq, ctx };
  }

  it('test exporter gauges with known values -> exactly those samples in Kafka, then the next window continues without gap or duplicate', async () => {
    const metric = uniqueName('seismo_coll').replace(/-/g, '_');
    await setExporterGauge(metric, { case: 'a' }, 42);
    await setExporterGauge(metric, { case: 'b' }, -1.5);
    const visibleAt = await waitFor(async () => ((await promQuery(metric)).length === 2 ? Date.now() : false), { description: 'gauges scraped' });
    await new Promise((r) => setTimeout(r, 3000));
    const [labelsA] = (await promQuery(`${metric}{case="a"}`)).map((r) => r.metric);
    const now1 = Date.now();
    const store = new MemoryCheckpointStore();
    const cfg = source([{ name: 'gauge', query: metric }], { backfillMs: now1 - visibleAt });
    const first = collector(cfg, () => now1, store);
    await first.c.runOnce();
    let got = await readTopic(kafka, topic);
    const expectedTs = instants(visibleAt, now1);
    const a = got.filter((s) => s.series.labels.case === 'a');
    const b = got.filter((s) => s.series.labels.case === 'b');
    expect(a.map((s) => s.ts)).toEqual(expectedTs);
    expect(b.map((s) => s.ts)).toEqual(expectedTs);
    expect(new Set(a.map((s) => s.value))).toEqual(new Set([42]));
    expect(new Set(b.map((s) => s.value))).toEqual(new Set([-1.5]));
    const { __name__, ...rest } = labelsA;
    expect(a[0].series).toEqual({ source: 'prometheus', name: __name__, labels: rest });
    expect(a[0].series.labels.job).toBe(testExporterJob);

    // The gauge changes; the next run reads from the checkpoint on.
    await setExporterGauge(metric, { case: 'a' }, 7);
    await waitFor(async () => (await promQuery(`${metric}{case="a"}`))[0]?.value[1] === '7', { description: 'new value scraped' });
    await new Promise((r) => setTimeout(r, 2000));
    const now2 = Date.now();
    const second = collector(cfg, () => now2, store);
    await second.c.runOnce();
    got = await readTopic(kafka, topic);
    expect(duplicates(got)).toEqual([]);
    const a2 = got.filter((s) => s.series.labels.case === 'a');
    expect(a2.map((s) => s.ts)).toEqual([...expectedTs, ...instants(expectedTs[expectedTs.length - 1], now2)]);
    const values = a2.map((s) => s.value);
    // 42 until the change was scraped, 7 from then on; the last two seconds are after it.
    const firstSeven = values.indexOf(7);
    expect(firstSeven).toBeGreaterThan(expectedTs.length - 1);
    expect(values.slice(0, firstSeven).every((v) => v === 42)).toBe(true);
    expect(values.slice(firstSeven).every((v) => v === 7)).toBe(true);
    await setExporterGauge(metric, { case: 'a' }, null);
    await setExporterGauge(metric, { case: 'b' }, null);
  });

  it('counter -> rate, NaN points skipped and counted (not dead-lettered), series without __name__ take the query name', async () => {
    const now = Math.floor(Date.now() / STEP) * STEP - 2000;
    const { c, ctx, dlq } = collector(
      source([
        { name: 'clock', query: 'vector(time())', rate: true },
        { name: 'nan', query: 'vector(0) / 0' },
      ], { backfillMs: 20_000, maxPointsPerRequest: 7 }),
      () => now,
    );
    await c.runOnce();
    const got = await readTopic(kafka, topic);
    const ts = instants(now - 20_000, now);
    expect(got.map((s) => [s.series.name, s.ts, s.value])).toEqual(ts.map((t) => ['clock:rate', t, 1]));
    expect(got[0].series.labels).toEqual({});
    expect(await metricValue(ctx.registry, 'seismo_ingest_stale_points_total', { query: 'nan' })).toBe(ts.length);
    expect(dlq.entries).toEqual([]);
    // 20 instants in requests of at most 7 points (6 + the one before, for the rate).
    expect(await metricValue(ctx.registry, 'seismo_ingest_requests_total', { outcome: 'ok' })).toBe(Math.ceil(20 / 6) + Math.ceil(20 / 7));
  });

  it('sends bearer token and tenant headers to a front end, and fails fast (breaker) when refused', async () => {
    const seen: Array<Record<string, string | string[] | undefined>> = [];
    const proxy: Server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.headers.authorization !== 'Bearer s3cret' || req.headers['x-scope-orgid'] !== 'team-a') {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: 'no' }));
        return;
      }
      void fetch(`${prometheusUrl}${req.url}`).then(async (r) => {
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const now = Math.floor(Date.now() / STEP) * STEP;
      const ok = collector(source([{ name: 'one', query: 'vector(1)' }], { url, backfillMs: 5000, bearerToken: 's3cret', headers: { 'X-Scope-OrgID': 'team-a' } }), () => now);
      await ok.c.runOnce();
      expect((await readTopic(kafka, topic)).map((s) => s.ts)).toEqual(instants(now - 5000, now));
      const ctx = testContext();
      const bad = collector(source([{ query: 'vector(1)' }], { url, backfillMs: 5000, intervalMs: 300, timeoutMs: 200, bearerToken: 'wrong', breaker: { failureThreshold: 2, coolDownMs: 60_000 } }), () => now, undefined, ctx);
      await bad.c.start();
      await new Promise((r) => setTimeout(r, 1500));
      await bad.c.stop();
      expect(await metricValue(ctx.registry, 'seismo_ingest_polls_total', { outcome: 'error' })).toBe(2);
      expect(await metricValue(ctx.registry, 'seismo_ingest_skipped_ticks_total', { reason: 'breaker_open' })).toBeGreaterThan(0);
      // A 401 is not retried within a run.
      expect(seen.filter((h) => h.authorization === 'Bearer wrong')).toHaveLength(2);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('TLS front end: trusted through caFile or insecureSkipVerify, refused otherwise; basic auth sent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seismo-tls-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    expect(gen.status).toBe(0);
    const auth: string[] = [];
    const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
      auth.push(req.headers.authorization ?? '');
      void fetch(`${prometheusUrl}${req.url}`).then(async (r) => {
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const now = Math.floor(Date.now() / STEP) * STEP;
      const q = [{ name: 'one', query: 'vector(1)' }];
      const viaCa = collector(source(q, { name: 'tls-ca', url, backfillMs: 3000, tls: { caFile: cert }, basicAuth: { username: 'seismo', password: 'pw' } }), () => now);
      await viaCa.c.runOnce();
      const viaSkip = collector(source(q, { name: 'tls-skip', url, backfillMs: 3000, tls: { insecureSkipVerify: true } }), () => now);
      await viaSkip.c.runOnce();
      const untrusted = collector(source(q, { name: 'tls-none', url, backfillMs: 3000 }), () => now);
      await expect(untrusted.c.runOnce()).rejects.toThrow(/certificate|self.signed|ssl/i);
      expect((await readTopic(kafka, topic)).map((s) => s.ts)).toEqual([...instants(now - 3000, now), ...instants(now - 3000, now)]);
      expect(auth[0]).toBe(`Basic ${Buffer.from('seismo:pw').toString('base64')}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a front end answering malformed points: dead-lettered with a reason; NaN skipped; +Inf rejected; the rest emitted', async () => {
    const now = Math.floor(Date.now() / STEP) * STEP;
    const t = (i: number): number => (now - 3000 + i * STEP) / 1000;
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'matrix', result: [{ metric: { __name__: 'm', k: 'v' }, values: [[t(0), '1'], [t(1), 'abc'], [t(2), 'NaN'], [t(3), '+Inf'], ['x', '2']] }] },
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { c, dlq, ctx } = collector(source([{ name: 'q', query: 'm' }], { url, backfillMs: 4000 }), () => now);
      await c.runOnce();
      const got = await readTopic(kafka, topic);
      expect(got.map((s) => [s.series.name, s.series.labels, s.ts, s.value])).toEqual([['m', { k: 'v' }, now - 3000, 1]]);
      expect(dlq.entries.map((e) => [e.stage, e.reason.replace(/\d{4}-.*Z/, 'T')])).toEqual([
        ['ingest.prometheus', 'malformed point: value is not a Prometheus float: "abc"'],
        ['ingest.prometheus', 'malformed point: timestamp is not a number: "x"'],
        ['ingest.prometheus', 'value is not finite: Infinity'],
      ]);
      expect(await metricValue(ctx.registry, 'seismo_ingest_stale_points_total', { query: 'q' })).toBe(1);
      expect(await metricValue(ctx.registry, 'seismo_ingest_dead_letters_total')).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('restart: stopped mid-run, restarted on the same Redis checkpoints, every point once in Kafka', async () => {
    const store = new RedisCheckpointStore(redisUrl, uniqueName('seismo-test'));
    try {
      const now = Math.floor(Date.now() / STEP) * STEP - 1000;
      const cfg = source([
        { name: 'two', query: 'vector(2)' },
        { name: 'up', query: `up{job="${testExporterJob}"} * 0 + 5` },
      ], { backfillMs: 120_000, maxPointsPerRequest: 10 });
      const inner = new KafkaSampleEmitter(producer, topic);
      let first: Collector | null = null;
      let stopping: Promise<void> | null = null;
      let batches = 0;
      const out = {
        emit: async (items: Sample[]) => {
          await inner.emit(items);
          if (++batches === 3) stopping = first!.stop();
        },
      };
      first = createCollector(cfg, testContext(), out, new CaptureDlq(), { checkpoints: store, now: () => now });
      await first.start();
      await waitFor(() => stopping !== null, { timeoutMs: 30_000, description: 'three batches emitted' });
      await stopping;
      expect(inner.sent).toBe(30);
      const second = createCollector(cfg, testContext(), new KafkaSampleEmitter(producer, topic), new CaptureDlq(), { checkpoints: store, now: () => now });
      await second.runOnce();
      const got = await readTopic(kafka, topic);
      expect(duplicates(got)).toEqual([]);
      const two = got.filter((s) => s.series.name === 'two');
      expect(two.map((s) => s.ts).sort((x, y) => x - y)).toEqual(instants(now - 120_000, now));
      // `up` exists only while Prometheus has scraped the exporter: compare with Prometheus' own answer.
      const start = instants(now - 120_000, now)[0];
      const params = new URLSearchParams({ query: `up{job="${testExporterJob}"} * 0 + 5`, start: String(start / 1000), end: String(now / 1000), step: '1' });
      const direct = (await (await fetch(`${prometheusUrl}/api/v1/query_range?${params}`)).json()) as { data: { result: Array<{ values: Array<[number, string]> }> } };
      const up = got.filter((s) => s.series.name === 'up');
      expect(up.map((s) => s.ts).sort((x, y) => x - y)).toEqual(direct.data.result.flatMap((r) => r.values.map(([t]) => Math.round(t * 1000))).sort((x, y) => x - y));
      expect(up.length).toBeGreaterThan(0);
      expect(new Set(up.map((s) => s.value))).toEqual(new Set([5]));
    } finally {
      await store.clear();
      await store.close();
    }
  });
});

