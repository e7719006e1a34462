import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { createCollector, MemoryCheckpointStore, RedisCheckpointStore, type Collector } from '../../ingest/index.js';
import { seriesId, type Sample } from '../../ingest/sample.js';
import type { DatadogCollector } from '../../ingest/datadog/collector.js';
import { CaptureDlq, metricValue, testContext } from '../unit/ingest/helpers.js';
import { redisUrl, uniqueName, waitFor } from './stack.js';
import { createTopic, deleteTopic, duplicates, KafkaSampleEmitter, pointKeys, readTopic, testKafka } from './collectors-kafka.js';
import { DD_API_KEY, DD_APP_KEY, FakeDatadog, STEP_MS, valueAt } from './collectors-datadog-server.js';

const QUERY = 'avg:system.cpu.user{env:test} by {host}';

/** The datapoints the fake server holds in (now - backfill, now], as the collector must emit them. */
function expected(now: number, backfillMs: number): Sample[] {
  const out: Sample[] = [];
  for (const host of ['a', 'b']) {
    const series = { source: 'datadog', name: 'cpu', labels: { host, env: 'test' } };
    for (let t = Math.floor((now - backfillMs) / STEP_MS) * STEP_MS + STEP_MS; t <= now; t += STEP_MS) {
      const v = valueAt(host, t);
      if (v !== null) out.push({ series, id: seriesId(series), ts: t, value: v });
    }
  }
  return out;
}

const sortKeys = (s: Sample[]): string[] => pointKeys(s).sort();

describe('datadog collector against a local Datadog API server', () => {
  const dd = new FakeDatadog();
  let kafka: Kafka;
  let producer: Producer;
  let topic = '';

  beforeAll(async () => {
    await dd.start();
    kafka = testKafka();
  });
  afterAll(async () => {
    await dd.stop();
  });
  beforeEach(async () => {
    dd.reset();
    topic = uniqueName('seismo-dd');
    await createTopic(kafka, topic);
    // One producer per topic: a kafkajs producer keeps asking for the metadata of deleted topics.
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });
  afterEach(async () => {
    await producer.disconnect();
    await deleteTopic(kafka, topic);
  });

  function source(extra: Record<string, unknown> = {}): never {
    return {
      type: 'datadog',
      name: uniqueName('dd'),
      baseUrl: dd.url,
      apiKey: DD_API_KEY,
      appKey: DD_APP_KEY,
      queries: [{ name: 'cpu', query: QUERY }],
      intervalMs: 60_000,
      timeoutMs: 5_000,
      backfillMs: 3_600_000,
      lagMs: 0,
      chunkMs: 900_000,
      jitterRatio: 0,
      ...extra,
    } as never;
  }

  function collector(cfg: never, now: number, ctx = testContext(), checkpoints = new MemoryCheckpointStore()) {
    const out = new KafkaSampleEmitter(producer, topic);
    const dlq = new CaptureDlq();
    const c = createCollector(cfg, ctx, out, dlq, { checkpoints, now: () => now });
    return { c, out, dlq, ctx };
  }

  it('v2 (times/values): every non-null point of the backfill, in time chunks, exactly once in Kafka', async () => {
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const { c, ctx, dlq } = collector(source(), now);
    await c.runOnce();
    const got = await readTopic(kafka, topic);
    expect(sortKeys(got)).toEqual(sortKeys(expected(now, 3_600_000)));
    expect(duplicates(got)).toEqual([]);
    const byKey = new Map(expected(now, 3_600_000).map((s) => [`${s.id}@${s.ts}`, s.value]));
    expect(got.every((s) => byKey.get(`${s.id}@${s.ts}`) === s.value)).toBe(true);
    expect(dd.requests.map((r) => r.path)).toEqual(Array(4).fill('/api/v2/query/timeseries'));
    expect(dd.requests.every((r) => r.to! - r.from! < 900_000)).toBe(true);
    expect(await metricValue(ctx.registry, 'seismo_ingest_stale_points_total', { query: 'cpu' })).toBeGreaterThan(0);
    expect(dlq.entries).toEqual([]);
    // A second run right away has nothing new to read.
    await c.runOnce();
    expect(dd.requests).toHaveLength(4);
  });

  it('falls back to v1 (pointlist) when v2 answers 404, with the same series ids', async () => {
    dd.v2Missing = true;
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const { c } = collector(source({ backfillMs: 1_200_000 }), now);
    await c.runOnce();
    expect((c as DatadogCollector).apiVersion).toBe('v1');
    const got = await readTopic(kafka, topic);
    expect(sortKeys(got)).toEqual(sortKeys(expected(now, 1_200_000)));
    expect(duplicates(got)).toEqual([]);
    expect(dd.requests[0]).toMatchObject({ path: '/api/v2/query/timeseries', status: 404 });
    expect(dd.requests.slice(1).every((r) => r.path === '/api/v1/query' && r.status === 200)).toBe(true);
  });

  it('api: v1 uses only the v1 endpoint', async () => {
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const { c } = collector(source({ api: 'v1', backfillMs: 600_000 }), now);
    await c.runOnce();
    expect(sortKeys(await readTopic(kafka, topic))).toEqual(sortKeys(expected(now, 600_000)));
    expect(new Set(dd.requests.map((r) => r.path))).toEqual(new Set(['/api/v1/query']));
  });

  it('slows down before the rate limit is spent: no 429 although the budget is 3 requests per 2 s', async () => {
    dd.rateLimit = 3;
    dd.ratePeriodS = 2;
    dd.resetWindow();
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const { c, ctx } = collector(source({ chunkMs: 600_000, minRateLimitRemaining: 0 }), now);
    await c.runOnce();
    expect(dd.requests.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(await metricValue(ctx.registry, 'seismo_ingest_requests_total', { outcome: 'throttled' })).toBeGreaterThan(0);
    expect(sortKeys(await readTopic(kafka, topic))).toEqual(sortKeys(expected(now, 3_600_000)));
  });

  it('on 429 waits as X-RateLimit-Reset says, then goes on; nothing lost or doubled', async () => {
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const { c, ctx } = collector(source({ chunkMs: 1_200_000, maxAttempts: 5 }), now);
    dd.ratePeriodS = 2;
    dd.resetWindow();
    dd.budgetTakenNext = 1;
    await c.runOnce();
    const limited = dd.requests.findIndex((r) => r.status === 429);
    expect(limited).toBe(0);
    const next = dd.requests[limited + 1];
    expect(next.status).toBe(200);
    // X-RateLimit-Reset was at least 1 s.
    expect(next.at - dd.requests[limited].at).toBeGreaterThanOrEqual(950);
    expect(await metricValue(ctx.registry, 'seismo_ingest_requests_total', { outcome: 'rate_limited' })).toBe(1);
    const got = await readTopic(kafka, topic);
    expect(sortKeys(got)).toEqual(sortKeys(expected(now, 3_600_000)));
    expect(duplicates(got)).toEqual([]);
  });

  it('retries 5xx answers and slow answers (timeout) and still delivers every point once', async () => {
    dd.failNext = 2;
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const checkpoints = new MemoryCheckpointStore();
    const { c } = collector(source({ name: 'dd-retry', backfillMs: 1_800_000, timeoutMs: 300 }), now, testContext(), checkpoints);
    await c.runOnce();
    expect(dd.requests.slice(0, 2).map((r) => r.status).sort()).toEqual([500, 503]);
    expect(dd.requests.slice(2).every((r) => r.status === 200)).toBe(true);
    // One minute later, the first answer is slower than the timeout.
    dd.requests.length = 0;
    dd.slowNext = 1;
    dd.slowMs = 1500;
    const { c: c2 } = collector(source({ name: 'dd-retry', backfillMs: 1_800_000, timeoutMs: 300 }), now + 60_000, testContext(), checkpoints);
    await c2.runOnce();
    expect(dd.requests).toHaveLength(2);
    const got = await readTopic(kafka, topic);
    expect(duplicates(got)).toEqual([]);
    expect(sortKeys(got)).toEqual(sortKeys(expected(now + 60_000, 1_860_000)));
  });

  it('a failing source opens the breaker and the error is counted, not thrown from the timer', async () => {
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const ctx = testContext();
    const { c } = collector(source({ apiKey: 'wrong', intervalMs: 1000, timeoutMs: 500, breaker: { failureThreshold: 2, coolDownMs: 60_000 } }), now, ctx);
    await c.start();
    await new Promise((r) => setTimeout(r, 3500));
    await c.stop();
    expect(await metricValue(ctx.registry, 'seismo_ingest_polls_total', { outcome: 'error' })).toBe(2);
    expect(await metricValue(ctx.registry, 'seismo_ingest_breaker_state')).toBe(2);
    expect(await metricValue(ctx.registry, 'seismo_ingest_skipped_ticks_total', { reason: 'breaker_open' })).toBeGreaterThan(0);
  });

  it('restart: stopped mid-run, restarted on the same Redis checkpoints, every point once in Kafka', async () => {
    const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const store = new RedisCheckpointStore(redisUrl, uniqueName('seismo-test'));
    try {
      const cfg = source({ chunkMs: 300_000 });
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
      const total = expected(now, 3_600_000).length;
      expect(inner.sent).toBeGreaterThan(0);
      expect(inner.sent).toBeLessThan(total);
      const second = createCollector(cfg, testContext(), new KafkaSampleEmitter(producer, topic), new CaptureDlq(), { checkpoints: store, now: () => now });
      await second.runOnce();
      await second.stop();
      const got = await readTopic(kafka, topic);
      expect(duplicates(got)).toEqual([]);
      expect(sortKeys(got)).toEqual(sortKeys(expected(now, 3_600_000)));
    } finally {
      await store.clear();
      await store.close();
    }
  });
});
