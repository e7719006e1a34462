import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Context } from '../component.js';
import { Lifecycle } from '../component.js';
import type { StateStore } from '../state-store.js';
import type { KafkaProducer } from './producer.js';
import { SeismoError } from '../errors.js';
import { sleep } from '../retry.js';

/**
 * Snapshots in a compacted topic. Every worker tails the whole topic (keys of its own stage only)
 * with a private consumer group, so whichever worker gets a partition finds the newest state of its
 * series; `catchUp` waits until the tail has reached the topic's end as of the call.
 */
export class KafkaStateStore extends Lifecycle implements StateStore {
  readonly name: string;
  private readonly latest = new Map<string, Buffer>();
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly groupId: string;
  /** Next offset to read per partition, as far as the tail has got. */
  private readonly position = new Map<number, bigint>();

  constructor(
    kafka: Kafka,
    private readonly producer: KafkaProducer,
    private readonly topic: string,
    private readonly stage: string,
    groupPrefix: string,
    private readonly ctx: Context,
  ) {
    super();
    this.name = `state-store:${stage}`;
    this.groupId = `${groupPrefix}-state-${stage}-${randomUUID().slice(0, 8)}`;
    this.consumer = kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    this.admin = kafka.admin();
  }

  get size(): number {
    return this.latest.size;
  }

  protected async doStart(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    const prefix = `${this.stage}:`;
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const key = m.key?.toString('utf8');
          if (!key?.startsWith(prefix)) continue;
          if (m.value === null) this.latest.delete(key);
          else this.latest.set(key, m.value);
        }
        this.position.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      },
    });
    await this.catchUp();
  }

  protected async doStop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    await this.admin.disconnect();
  }

  get(key: string): unknown {
    const v = this.latest.get(key);
    return v === undefined ? undefined : JSON.parse(v.toString('utf8'));
  }

  async put(entries: Array<{ key: string; state: unknown }>): Promise<void> {
    if (entries.length === 0) return;
    const records = entries.map((e) => {
      const value = JSON.stringify(e.state);
      this.latest.set(e.key, Buffer.from(value));
      return { key: e.key, value };
    });
    await this.producer.send(this.topic, records);
  }

  async catchUp(timeoutMs = 30_000): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = ends.filter((e) => {
        const high = BigInt(e.high);
        const low = BigInt(e.low);
        if (high === low) return false;
        return (this.position.get(e.partition) ?? low) < high;
      });
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        throw new SeismoError(`state topic ${this.topic}: not caught up after ${timeoutMs} ms (partitions ${behind.map((b) => b.partition).join(',')})`, { retriable: true });
      }
      await sleep(20, this.ctx.signal);
    }
  }
}
