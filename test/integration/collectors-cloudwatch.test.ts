import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Kafka, Producer } from 'kafkajs';
import { createCollector, MemoryCheckpointStore, RedisCheckpointStore, type CheckpointStore, type Collector } from '../../ingest/index.js';
import { seriesId, type Sample } from '../../ingest/sample.js';
import { CaptureDlq, metricValue, testContext } from '../unit/ingest/helpers.js';
import { motoUrl, redisUrl, uniqueName, waitFor } from './stack.js';
import { createTopic, deleteTopic, duplicates, KafkaSampleEmitter, pointKeys, readTopic, testKafka } from './collectors-kafka.js';

const REGION = 'us-east-1';
const HOSTS = 510;
const POINTS = 3;
const PERIOD_MS = 60_000;

const sortKeys = (s: Sample[]): string[] => pointKeys(s).sort();

describe('cloudwatch collector against moto', () => {
  let cw: CloudWatchClient;
  let kafka: Kafka;
  let producer: Producer;
  let topic = '';
  let namespace = '';
  // moto ignores the namespace when a query has dimensions: a metric name per test keeps tests apart.
  let metricName = '';
  let base = 0;
  let testIndex = 0;

  beforeAll(() => {
    // The SDK's default credential chain reads these; moto accepts any credentials.
    process.env.AWS_ACCESS_KEY_ID ??= 'testing';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
    cw = new CloudWatchClient({ region: REGION, endpoint: motoUrl });
    kafka = testKafka();
  });
  afterAll(() => cw.destroy());

  beforeEach(async () => {
    topic = uniqueName('seismo-cw');
    namespace = `Seismo/Test/${uniqueName('ns')}`;
    metricName = uniqueName('Load').replace(/-/g, '_');
    await createTopic(kafka, topic);
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // moto scans every stored datapoint of the queried time range per query and period: each test
    // uses its own time range so that it only meets its own data.
    base = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS - testIndex++ * 15 * PERIOD_MS;
    // HOSTS metrics (more than one GetMetricData call of 500 queries), POINTS datapoints each.
    const data: MetricDatum[] = [];
    for (let h = 0; h < HOSTS; h++) {
      for (let k = 1; k <= POINTS; k++) {
        data.push({ MetricName: metricName, Dimensions: [{ Name: 'Host', Value: `h${h}` }], Timestamp: new Date(base - k * PERIOD_MS), Value: h + k / 10 });
      }
    }
    // moto fails on large PutMetricData requests; 20 datums per call (the old CloudWatch limit) works.
    for (let i = 0; i < data.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 20) }));
  });
  afterEach(async () => {
    await producer.disconnect();
    await deleteTopic(kafka, topic);
  });

  function source(extra: Record<string, unknown> = {}): never {
    return {
      type: 'cloudwatch',
      name: uniqueName('cw'),
      region: REGION,
      endpoint: motoUrl,
      metrics: [{ name: 'load', namespace, metricName, dimensions: [{ name: 'Host' }], stat: 'Average' }],
      periodSeconds: 60,
      // moto scans every stored datapoint per query and period: slow, hence the long timeout.
      intervalMs: 180_000,
      timeoutMs: 120_000,
      backfillMs: 4 * 60_000,
      revisionWindowMs: 3 * 60_000,
      jitterRatio: 0,
      ...extra,
    } as never;
  }

  function expected(stat = 'Average', value = (h: number, k: number) => h + k / 10): Sample[] {
    const out: Sample[] = [];
    for (let h = 0; h < HOSTS; h++) {
      const series = { source: 'cloudwatch', name: `${namespace}/${metricName}`, labels: { stat, Host: `h${h}`, region: REGION } };
      for (let k = 1; k <= POINTS; k++) out.push({ series, id: seriesId(series), ts: base - k * PERIOD_MS, value: value(h, k) });
    }
    return out;
  }

  function run(cfg: never, now: number, checkpoints: CheckpointStore, ctx = testContext()) {
    const out = new KafkaSampleEmitter(producer, topic);
    const c = createCollector(cfg, ctx, out, new CaptureDlq(), { checkpoints, now: () => now });
    return { c, out, ctx };
  }

  it('discovers >500 metrics, reads them in GetMetricData calls of at most 500 queries: exactly the datapoints put', async () => {
    const { c, ctx } = run(source(), base + 5_000, new MemoryCheckpointStore());
    await c.runOnce();
    await c.stop();
    const got = await readTopic(kafka, topic);
    expect(got).toHaveLength(HOSTS * POINTS);
    expect(duplicates(got)).toEqual([]);
    expect(sortKeys(got)).toEqual(sortKeys(expected()));
    const want = new Map(expected().map((s) => [`${s.id}@${s.ts}`, s.value]));
    expect(got.filter((s) => Math.abs(want.get(`${s.id}@${s.ts}`)! - s.value) > 1e-9)).toEqual([]);
    expect(await metricValue(ctx.registry, 'seismo_ingest_requests_total', { outcome: 'GetMetricData' })).toBe(Math.ceil(HOSTS / 500));
    // 510 metrics: ListMetrics answers in pages of 500, followed through NextToken.
    expect(await metricValue(ctx.registry, 'seismo_ingest_requests_total', { outcome: 'ListMetrics' })).toBe(2);
  });

  it('re-reads the revision window and re-emits only the datapoint whose value changed', async () => {
    const store = new MemoryCheckpointStore();
    const cfg = source({ name: 'cw-rev' });
    const first = run(cfg, base + 5_000, store);
    await first.c.runOnce();
    await first.c.stop();
    const before = await readTopic(kafka, topic);
    expect(before).toHaveLength(HOSTS * POINTS);
    // CloudWatch revises: a late datapoint for h7 two periods ago changes its average.
    await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: [{ MetricName: metricName, Dimensions: [{ Name: 'Host', Value: 'h7' }], Timestamp: new Date(base - 2 * PERIOD_MS), Value: 107.2 }] }));
    const second = run(cfg, base + 30_000, store);
    await second.c.runOnce();
    await second.c.stop();
    const got = await readTopic(kafka, topic);
    // The topic has several partitions, so read order is not emit order: what the second poll
    // added is the multiset difference between the two reads.
    const remaining = new Map<string, number>();
    const keyOf = (s: Sample): string => `${s.id}@${s.ts}@${s.value}`;
    for (const s of before) remaining.set(keyOf(s), (remaining.get(keyOf(s)) ?? 0) + 1);
    const extra = got.filter((s) => {
      const n = remaining.get(keyOf(s)) ?? 0;
      if (n > 0) remaining.set(keyOf(s), n - 1);
      return n === 0;
    });
    expect(extra.map((s) => [s.series.labels.Host, s.ts - base, Number(s.value.toFixed(9))])).toEqual([['h7', -2 * PERIOD_MS, 57.2]]);
    expect(extra[0]).toMatchObject({ ts: base - 2 * PERIOD_MS, series: { labels: { Host: 'h7' } } });
    expect(extra[0].value).toBeCloseTo((7.2 + 107.2) / 2, 9);
    expect(await metricValue(second.ctx.registry, 'seismo_ingest_revisions_total', { query: 'load' })).toBe(1);
    // Nothing changed since: a third poll emits nothing.
    const third = run(cfg, base + 40_000, store);
    await third.c.runOnce();
    await third.c.stop();
    expect(await readTopic(kafka, topic)).toHaveLength(HOSTS * POINTS + 1);
  });

  it('restart: stopped mid-run, restarted on the same Redis checkpoints, every datapoint once in Kafka', async () => {
    const store = new RedisCheckpointStore(redisUrl, uniqueName('seismo-test'));
    try {
      const cfg = source({
        metrics: ['Average', 'Maximum', 'Sum'].map((stat) => ({ name: `load-${stat}`, namespace, metricName, dimensions: [{ name: 'Host' }], stat })),
      });
      const inner = new KafkaSampleEmitter(producer, topic);
      let first: Collector | null = null;
      let stopping: Promise<void> | null = null;
      const out = {
        emit: async (items: Sample[]) => {
          await inner.emit(items);
          stopping ??= first!.stop();
        },
      };
      first = createCollector(cfg, testContext(), out, new CaptureDlq(), { checkpoints: store, now: () => base + 5_000 });
      await first.start();
      await waitFor(() => stopping !== null, { timeoutMs: 60_000, description: 'first batch emitted' });
      await stopping;
      const all = ['Average', 'Maximum', 'Sum'].flatMap((stat) => expected(stat));
      expect(inner.sent).toBeGreaterThan(0);
      expect(inner.sent).toBeLessThan(all.length);
      const second = createCollector(cfg, testContext(), new KafkaSampleEmitter(producer, topic), new CaptureDlq(), { checkpoints: store, now: () => base + 20_000 });
      await second.runOnce();
      await second.stop();
      const got = await readTopic(kafka, topic);
      expect(duplicates(got)).toEqual([]);
      expect(sortKeys(got)).toEqual(sortKeys(all));
    } finally {
      await store.clear();
      await store.close();
    }
  });
});
