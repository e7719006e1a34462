/**
 * Kafka plumbing of the collector integration tests: an Emitter that produces samples to a topic
 * (key = series id, acks from all replicas) and a reader that returns everything in a topic.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Emitter } from '../../pipeline/ports.js';
import type { Sample } from '../../ingest/sample.js';
import { kafkaBrokers, uniqueName, waitFor } from './stack.js';

export function testKafka(): Kafka {
  return new Kafka({ clientId: uniqueName('seismo-collectors-test'), brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
}

/** Resolves once Kafka acknowledged every message: the backpressure signal collectors wait for. */
export class KafkaSampleEmitter implements Emitter<Sample> {
  sent = 0;
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}
  async emit(items: Sample[]): Promise<void> {
    if (items.length === 0) return;
    const messages = items.map((s) => ({ key: s.id, value: JSON.stringify(s) }));
    // A topic created a moment ago may not be known to every broker connection yet.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.send({ topic: this.topic, acks: -1, messages });
        break;
      } catch (err) {
        const e = err as { type?: string; cause?: { type?: string } };
        const unknownTopic = e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || e.cause?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
        if (attempt >= 10 || !unknownTopic) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    this.sent += items.length;
  }
}

export async function createTopic(kafka: Kafka, topic: string, partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    await waitFor(
      async () => {
        const md = await admin.fetchTopicMetadata({ topics: [topic] });
        const parts = md.topics[0]?.partitions ?? [];
        return parts.length === partitions && parts.every((p) => p.leader >= 0);
      },
      { timeoutMs: 30_000, description: `topic ${topic} has leaders` },
    );
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Every message of the topic, up to the high watermark at call time, with its key checked against the sample id. */
export async function readTopic(kafka: Kafka, topic: string): Promise<Sample[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
  const out: Sample[] = [];
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({ groupId: uniqueName('seismo-collectors-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readTopic ${topic}: timed out`)), 60_000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const s = JSON.parse(message.value!.toString()) as Sample;
            if (message.key?.toString() !== s.id) throw new Error(`message key ${message.key?.toString()} is not the series id ${s.id}`);
            out.push(s);
            const high = remaining.get(partition);
            if (high !== undefined && Number(message.offset) + 1 >= high) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** `id@ts` of each sample, the identity of a datapoint. */
export function pointKeys(samples: Sample[]): string[] {
  return samples.map((s) => `${s.id}@${s.ts}`);
}

/** Datapoints that appear more than once. */
export function duplicates(samples: Sample[]): string[] {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const k of pointKeys(samples)) {
    if (seen.has(k)) dup.push(k);
    seen.add(k);
  }
  return dup;
}
