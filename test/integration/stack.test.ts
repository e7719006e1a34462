/**
 * Smoke tests of the local stack: each service is exercised with the client library seismo uses
 * for it, so a broken or incompatible server (e.g. a Kafka version kafkajs cannot speak to) fails
 * here first, with a clear name.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { Redis } from 'ioredis';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  influxQuery,
  influxUrl,
  kafkaBrokers,
  motoUrl,
  promQuery,
  redisUrl,
  setExporterGauge,
  testExporterJob,
  testExporterUrl,
  uniqueName,
  waitFor,
} from './stack.js';

describe('kafka', () => {
  const kafka = new Kafka({ clientId: uniqueName('stack-test'), brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = uniqueName('stack-test');
  const compacted = uniqueName('stack-test-state');
  const groupId = uniqueName('stack-test-group');

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic, compacted] }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates topics (one compacted) and reports their offsets', async () => {
    await admin.connect();
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 3, replicationFactor: 1 },
        { topic: compacted, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    expect(created).toBe(true);

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] }],
    });
    expect(described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');

    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => o.high)).toEqual(['0', '0', '0']);
  });

  it('produces, consumes with a consumer group and commits offsets', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `series-${i % 7}`, value: JSON.stringify({ i }) }));
    await producer.send({ topic, acks: -1, messages });
    // A keyed record on the compacted topic, as state snapshots are written.
    await producer.send({ topic: compacted, messages: [{ key: 'series-1', value: 'snapshot' }] });
    await producer.disconnect();

    const highs = await admin.fetchTopicOffsets(topic);
    expect(highs.reduce((sum, p) => sum + Number(p.high), 0)).toBe(30);

    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const seen: number[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
          seen.push((JSON.parse(message.value?.toString() ?? '{}') as { i: number }).i);
          await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        },
      });
      await waitFor(() => seen.length >= 30, { timeoutMs: 30_000, description: '30 messages consumed' });
    } finally {
      await consumer.disconnect();
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]));
    for (const { partition, high } of highs) {
      // A partition that got no message has no committed offset (-1).
      expect(byPartition.get(partition)).toBe(high === '0' ? '-1' : high);
    }
  });
});

describe('influxdb', () => {
  const db = uniqueName('stack_test').replace(/-/g, '_');

  afterAll(async () => {
    await influxQuery(`DROP DATABASE "${db}"`).catch(() => undefined);
  });

  it('accepts writes through the v2 write API and answers InfluxQL', async () => {
    await influxQuery(`CREATE DATABASE "${db}"`);
    // InfluxDB 1.8: bucket is `database/retention-policy`, no token needed with auth off.
    const writeApi = new InfluxDB({ url: influxUrl, token: '' }).getWriteApi('', `${db}/autogen`, 'ms');
    const t0 = Date.now() - 10_000;
    for (let i = 0; i < 5; i += 1) {
      writeApi.writePoint(new Point('stack_smoke').tag('series', 'a').floatField('value', i * 1.5).timestamp(new Date(t0 + i * 1000)));
    }
    await writeApi.close();

    const result = await influxQuery('SELECT count("value"), sum("value") FROM "stack_smoke"', db);
    expect(result.results[0]?.series?.[0]?.values[0]?.slice(1)).toEqual([5, 15]);
  });
});

describe('redis', () => {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const key = uniqueName('seismo:stack-test');

  afterAll(async () => {
    await redis.del(key).catch(() => undefined);
    redis.disconnect();
  });

  it('answers PING and stores a value', async () => {
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    await redis.set(key, 'v1', 'EX', 60);
    expect(await redis.get(key)).toBe('v1');
  });
});

describe('prometheus and the test exporter', () => {
  const metric = uniqueName('seismo_stack_test').replace(/-/g, '_');
  const labels = { case: 'smoke' };

  afterAll(async () => {
    await setExporterGauge(metric, labels, null).catch(() => undefined);
  });

  it('rejects a malformed gauge, and a batch containing one changes nothing', async () => {
    const res = await fetch(`${testExporterUrl}/set`, { method: 'POST', body: JSON.stringify({ name: 'bad name', value: 1 }) });
    expect(res.status).toBe(400);
    const batch = [
      { name: metric, labels: { case: 'batch' }, value: 1 },
      { name: metric, labels: { case: 'batch2' }, value: 'not a number' },
    ];
    const res2 = await fetch(`${testExporterUrl}/set`, { method: 'POST', body: JSON.stringify(batch) });
    expect(res2.status).toBe(400);
    expect(await res2.text()).toMatch(/^item 1: value must be/);
    expect(await (await fetch(`${testExporterUrl}/metrics`)).text()).not.toContain(metric);
  });

  it('scrapes a gauge set on the test exporter', async () => {
    await setExporterGauge(metric, labels, 42.5);
    const text = await (await fetch(`${testExporterUrl}/metrics`)).text();
    expect(text).toContain(`${metric}{case="smoke"} 42.5`);

    const sample = await waitFor(
      async () => (await promQuery(`${metric}{job="${testExporterJob}"}`))[0],
      { timeoutMs: 15_000, description: `${metric} in Prometheus` },
    );
    expect(sample.value[1]).toBe('42.5');
    expect(sample.metric.case).toBe('smoke');

    await setExporterGauge(metric, labels, -3);
    await waitFor(async () => (await promQuery(`${metric}{job="${testExporterJob}"}`))[0]?.value[1] === '-3', {
      timeoutMs: 15_000,
      description: 'updated gauge in Prometheus',
    });
  });

  it('scrapes the node exporter', async () => {
    const up = await promQuery('up{job="node"}');
    expect(up[0]?.value[1]).toBe('1');
  });
});

describe('moto (CloudWatch)', () => {
  const client = new CloudWatchClient({
    endpoint: motoUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const namespace = uniqueName('Seismo/StackTest');
  // moto 5.1 drops the namespace filter of a GetMetricData query that has dimensions, so the
  // dimension value must be unique too, or earlier runs' points are averaged in.
  const instanceId = uniqueName('i-stack');

  afterAll(() => client.destroy());

  it('stores metric data and returns it through GetMetricData', async () => {
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const start = new Date(end.getTime() - 5 * 60_000);
    await client.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [1, 2, 3].map((v, i) => ({
          MetricName: 'CPUUtilization',
          Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
          // Mid-period, so no point sits on a bucket boundary.
          Timestamp: new Date(start.getTime() + 90_000 + i * 60_000),
          Value: v * 10,
          Unit: 'Percent',
        })),
      }),
    );
    const out = await client.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: [
          {
            Id: 'cpu',
            MetricStat: {
              Metric: { Namespace: namespace, MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: instanceId }] },
              Period: 60,
              Stat: 'Average',
            },
          },
        ],
      }),
    );
    const series = out.MetricDataResults?.[0];
    expect(series?.Id).toBe('cpu');
    expect([...(series?.Values ?? [])].sort((a, b) => a - b)).toEqual([10, 20, 30]);
  });
});
