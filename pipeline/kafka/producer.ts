import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Context } from '../component.js';
import { Lifecycle } from '../component.js';
import type { DeadLetter, DeadLetterSink, Emitter } from '../ports.js';
import type { KafkaConfig } from './config.js';
import { encodeDeadLetters, type Codec, type OutRecord } from './codec.js';
import { SeismoError } from '../errors.js';
import { componentMetrics, type ComponentMetrics } from '../telemetry.js';

/** Most records, and bytes, in one produce request; bigger emits are split (brokers cap a batch at ~1 MB). */
const MAX_RECORDS_PER_SEND = 10_000;
const MAX_BYTES_PER_SEND = 512 * 1024;

/**
 * The one producer of a process, shared by every emitter. Sends wait for the acknowledgement of
 * all in-sync replicas, so a resolved `send` means the records are durable in Kafka.
 */
export class KafkaProducer extends Lifecycle {
  readonly name = 'kafka-producer';
  private readonly producer: Producer;
  private readonly metrics: ComponentMetrics;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly cfg: KafkaConfig,
    ctx: Context,
  ) {
    super();
    const p = cfg.producer;
    this.producer = kafka.producer(
      { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, ...(p.idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {}) },
    );
    this.metrics = componentMetrics(ctx.registry, 'kafka_producer');
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  protected async doStart(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  protected async doStop(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }

  async send(topic: string, records: OutRecord[]): Promise<void> {
    if (records.length === 0) return;
    const compression = this.cfg.producer.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    try {
      for (const messages of chunks(records)) {
        await this.producer.send({ topic, messages, acks: -1, compression, timeout: this.cfg.producer.timeoutMs });
      }
      this.metrics.sent.inc(records.length);
    } catch (err) {
      this.metrics.errors.inc({ type: 'send' });
      const retriable = (err as { retriable?: boolean }).retriable ?? true;
      throw new SeismoError(`produce to ${topic} failed: ${(err as Error).message}`, { retriable, cause: err });
    }
  }
}

function* chunks(records: OutRecord[]): Generator<OutRecord[]> {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    const size = records[i].value.length + records[i].key.length + 64;
    if (i > start && (i - start >= MAX_RECORDS_PER_SEND || bytes + size > MAX_BYTES_PER_SEND)) {
      yield records.slice(start, i);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < records.length) yield records.slice(start);
}

/** Emitter writing encoded items to one topic; resolves once Kafka acknowledged them. */
export function kafkaEmitter<T>(producer: KafkaProducer, topic: string, codec: Codec<T>): Emitter<T> {
  return { emit: (items) => producer.send(topic, codec.encode(items)) };
}

/** Dead-letter sink writing to the DLQ topic and counting per stage. */
export function kafkaDeadLetterSink(producer: KafkaProducer, topic: string, ctx: Context): DeadLetterSink {
  const metrics = componentMetrics(ctx.registry, 'dlq');
  return {
    async deadLetter(entries: DeadLetter[]) {
      if (entries.length === 0) return;
      metrics.received.inc(entries.length);
      for (const e of entries) ctx.logger.warn({ stage: e.stage, reason: e.reason }, 'dead letter');
      await producer.send(topic, encodeDeadLetters(entries));
      metrics.sent.inc(entries.length);
    },
  };
}
