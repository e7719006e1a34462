import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { runReplay } from '../../pipeline/replay-command.js';
import { sampleCodec } from '../../pipeline/kafka/codec.js';
import { makeSample } from '../../ingest/sample.js';
import { kafkaBrokers, uniqueName } from './stack.js';

const topic = `${uniqueName('replay')}.samples`;
const groupPrefix = uniqueName('replay-g');
// Replay reads records by their Kafka timestamp; the range must be recent enough for the broker's retention.
const base = Date.now() - 3 * 3600_000;
const series = { source: 'file', name: 'synthetic/spiky', labels: { file: 'synthetic/spiky.csv' } };
const other = { source: 'prometheus', name: 'node load', labels: { instance: 'a' } };
const SPIKE_ROW = 150;
const ts = (i: number): number => base + i * 60_000;

describe('seismo replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seismo-replay-'));
  const kafka = new Kafka({ clientId: 'replay-test', brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    const samples = Array.from({ length: 200 }, (_, i) => makeSample(series, ts(i), i === SPIKE_ROW ? 400 : 50 + Math.sin(i / 4) + (i % 5) * 0.1));
    const samples2 = Array.from({ length: 200 }, (_, i) => makeSample(other, ts(i), 1 + (i % 3) * 0.01));
    // Several messages per series (10 points each), like collector polls; plus one malformed record.
    const codec = sampleCodec('series-binary');
    for (let i = 0; i < 200; i += 10) {
      const recs = codec.encode([...samples.slice(i, i + 10), ...samples2.slice(i, i + 10)]);
      await producer.send({ topic, messages: recs.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })) });
    }
    await producer.send({ topic, messages: [{ key: 'x', value: 'garbage', timestamp: String(ts(100)) }] });
    await producer.disconnect();
    writeFileSync(join(dir, 'seismo.yaml'), `kafka:\n  brokers: [${kafkaBrokers.map((b) => `"${b}"`).join(', ')}]\n  groupPrefix: ${groupPrefix}\ndetect:\n  warmupPoints: 30\n`);
    const spikeText = new Date(ts(SPIKE_ROW)).toISOString().replace('T', ' ').slice(0, 19);
    const endText = new Date(ts(SPIKE_ROW + 5)).toISOString().replace('T', ' ').slice(0, 19);
    writeFileSync(join(dir, 'labels.json'), JSON.stringify({ 'synthetic/spiky.csv': [[`${spikeText}.000000`, `${endText}.000000`]] }));
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates a time range of a samples topic with the detector code, writes per-series CSVs and scores against labels', async () => {
    const out = join(dir, 'out');
    const r = await runReplay({ topic, from: new Date(ts(0)).toISOString(), to: String(ts(199)), config: join(dir, 'seismo.yaml'), labels: join(dir, 'labels.json'), out });
    expect(r.series).toBe(2);
    expect(r.rows).toBe(400);
    expect(r.rejected_records).toBe(1);
    expect(r.events).toMatchObject({ recall: 1 });
    const csv = readFileSync(join(out, 'synthetic', 'spiky.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('timestamp,value,anomaly_score,alert,forecast,lo,hi');
    expect(csv).toHaveLength(201);
    const spikeRow = csv[SPIKE_ROW + 1].split(',');
    expect(spikeRow[1]).toBe('400');
    expect(spikeRow[3]).toBe('1');
    // No consumer group of the replay is left behind.
    const { groups } = await admin.listGroups();
    expect(groups.filter((g) => g.groupId.startsWith(`${groupPrefix}-replay`))).toEqual([]);

    // A narrower range sees exactly its points, also those of records that straddle its ends.
    const part = await runReplay({ topic, from: String(ts(15)), to: String(ts(24)), config: join(dir, 'seismo.yaml') });
    expect(part.rows).toBe(20);
  });
});
