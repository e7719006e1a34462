import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { Registry, type Counter } from 'prom-client';
import { parseConfig } from '../../config/load.js';
import { Pipeline } from '../../pipeline/assemble.js';
import { featureCodec } from '../../pipeline/kafka/codec.js';
import { KafkaStageInput } from '../../pipeline/kafka/consumer.js';
import type { StageWorker } from '../../pipeline/transport.js';
import { createSeriesModel } from '../../detect/model.js';
import type { ScoredPoint } from '../../detect/worker/stage.js';
import type { FeatureRecord } from '../../pipeline/ports.js';
import type { Context } from '../../pipeline/component.js';
import { kafkaBrokers, uniqueName } from './stack.js';
import { waitFor } from './e2e-helpers.js';

const prefix = uniqueName('pipe');
const topics = { samples: `${prefix}.samples`, features: `${prefix}.features`, alerts: `${prefix}.alerts`, dlq: `${prefix}.dlq`, state: `${prefix}.state` };
const cfg = parseConfig({
  log: { level: 'warn' },
  api: { enabled: false },
  kafka: { brokers: kafkaBrokers, groupPrefix: prefix, topics, partitions: 2, consumer: { maxWaitTimeMs: 50, commitIntervalMs: 0, sessionTimeoutMs: 10_000 } },
  sources: [],
  detect: { warmupPoints: 10 },
  workers: { snapshotIntervalMs: 0 },
});
const series = { source: 'test', name: 'handoff', labels: { run: prefix } };
const id = 'a1b2c3d4e5f60718';
const t0 = Date.now() - 120_000;
const points: FeatureRecord[] = Array.from({ length: 60 }, (_, i) => {
  const value = 20 + Math.sin(i / 3) + (i % 7) * 0.05;
  return { id, series, ts: t0 + i * 1000, value, count: 1, mean: value, std: 0, min: value, max: value, ewma: value };
});

function context(): Context {
  return { logger: pino({ level: 'warn' }), registry: new Registry(), signal: new AbortController().signal };
}

describe('Kafka transport: state handoff, dead letters, offsets', () => {
  const kafka = new Kafka({ clientId: prefix, brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.deleteGroups([`${prefix}-detector`]).catch(() => undefined);
    await admin.disconnect();
  });

  async function produce(items: FeatureRecord[]): Promise<void> {
    const recs = featureCodec('series-binary').encode(items);
    await producer.send({ topic: topics.features, messages: recs.map((r) => ({ key: r.key, value: r.value })) });
  }

  async function runDetector(expectScored: number, before?: () => Promise<void>): Promise<{ scored: ScoredPoint[]; ctx: Context }> {
    const ctx = context();
    const scored: ScoredPoint[] = [];
    const p = new Pipeline(cfg, ctx, { role: 'detector', onScored: (s) => scored.push(...s) });
    await p.start();
    try {
      await before?.();
      await waitFor(() => (scored.length >= expectScored ? true : undefined), 60_000, `${expectScored} scored points`);
    } finally {
      await p.stop();
    }
    return { scored, ctx };
  }

  it('a second worker restores the series from the compacted state topic and scores exactly as one worker would', async () => {
    const first = await runDetector(40, () => produce(points.slice(0, 40)));
    expect(first.scored).toHaveLength(40);

    // A malformed record between the two runs goes to the DLQ with a reason; the stream moves on.
    await producer.send({ topic: topics.features, messages: [{ key: id, value: '{"not":"a feature"' }] });
    const second = await runDetector(20, () => produce(points.slice(40)));
    const restored = await second.ctx.registry.getSingleMetric('seismo_detect_restored_total')!.get();
    expect(restored.values[0].value).toBe(1);

    const reference = createSeriesModel(cfg.detect);
    const expected = points.map((p) => reference.update(p.ts, p.value).score);
    expect([...first.scored, ...second.scored].map((s) => s.result.score)).toEqual(expected);

    // Offsets of everything processed are committed.
    const [t] = await admin.fetchOffsets({ groupId: `${prefix}-detector`, topics: [topics.features] });
    const end = await admin.fetchTopicOffsets(topics.features);
    for (const p of end) expect(t.partitions.find((x) => x.partition === p.partition)?.offset).toBe(p.high === p.low ? '-1' : p.high);

    // The dead letter names the stage and the reason.
    const consumer = kafka.consumer({ groupId: `${prefix}-dlq-reader` });
    const letters: Array<{ stage: string; reason: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.dlq], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void letters.push(JSON.parse(message.value!.toString()) as { stage: string; reason: string }) });
    try {
      await waitFor(() => (letters.length ? true : undefined), 20_000, 'a dead letter');
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([`${prefix}-dlq-reader`]).catch(() => undefined);
    }
    expect(letters[0].stage).toBe('detect');
    expect(letters[0].reason).toMatch(/not JSON/);
  });

  it('a state restore that fails on an idle topic is counted and retried, and does not end the process', async () => {
    // With no batch waiting on the assignment, its rejection used to go unhandled (Node exits on
    // that; vitest fails the run).
    const topic = `${prefix}.idle`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const ctx = context();
    let restores = 0;
    const worker: StageWorker<FeatureRecord> = {
      name: 'idle',
      assigned: async () => {
        restores++;
        throw new Error('state topic: not caught up');
      },
      process: async () => undefined,
      flush: async () => undefined,
      abandon: async () => undefined,
      close: async () => undefined,
    };
    const input = new KafkaStageInput({ kafka, cfg: cfg.kafka!, topic, groupId: `${prefix}-idle`, stage: 'idle', codec: featureCodec('json'), dlq: { deadLetter: async () => undefined }, worker }, ctx);
    await input.start();
    try {
      const errors = ctx.registry.getSingleMetric('seismo_idle_input_errors_total') as Counter<'type'>;
      await waitFor(async () => ((await errors.get()).values.find((v) => v.labels.type === 'assign')?.value ? true : undefined), 30_000, 'the failed restore to be counted');
      await new Promise((r) => setTimeout(r, 200));
      expect(restores).toBe(1);
    } finally {
      await input.stop();
      await admin.deleteGroups([`${prefix}-idle`]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    }
  });
});
