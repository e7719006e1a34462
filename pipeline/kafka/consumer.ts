import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Context } from '../component.js';
import { Lifecycle } from '../component.js';
import type { DeadLetter, DeadLetterSink } from '../ports.js';
import type { StageWorker } from '../transport.js';
import type { KafkaConfig } from './config.js';
import type { Codec } from './codec.js';
import { withRetry } from '../retry.js';
import { errorMessage } from '../errors.js';
import { componentMetrics, type ComponentMetrics } from '../telemetry.js';

export interface KafkaStageInputOptions<T> {
  kafka: Kafka;
  cfg: KafkaConfig;
  /** Topic to consume. */
  topic: string;
  /** Consumer group, e.g. `seismo-processor`. */
  groupId: string;
  /** Name used in dead letters and metrics, e.g. `features`. */
  stage: string;
  codec: Codec<T>;
  dlq: DeadLetterSink;
  worker: StageWorker<T>;
  /** Where a new group starts: the beginning of the topic (default) or its end. */
  fromBeginning?: boolean;
}

/**
 * Runs a stage worker as a member of a Kafka consumer group. Per batch: decode (malformed records
 * become dead letters), process, flush (retried with backoff), then resolve the batch's offsets so
 * they are committed. A batch that keeps failing is given up: the worker drops that partition's
 * state and the consumer restarts from the last committed offset. A batch that waits on a slow
 * downstream pauses its partition (and keeps heartbeating) instead of buffering more.
 */
export class KafkaStageInput<T> extends Lifecycle {
  readonly name: string;
  private readonly consumer: Consumer;
  private readonly metrics: ComponentMetrics;
  private assignment: Promise<void> = Promise.resolve();
  private partitions: number[] = [];
  private crashed: Error | null = null;
  private connected = false;
  private leaving = false;
  /** Next offset to commit per partition (output durable), and what was committed last. */
  private readonly resolved = new Map<number, string>();
  private readonly committed = new Map<number, string>();
  private lastCommit = Date.now();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly opts: KafkaStageInputOptions<T>,
    private readonly ctx: Context,
  ) {
    super();
    this.name = `kafka-input:${opts.stage}`;
    const c = opts.cfg.consumer;
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: c.sessionTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      maxBytesPerPartition: c.maxBytesPerPartition,
      maxBytes: c.maxBytes,
      maxWaitTimeInMs: c.maxWaitTimeMs,
      allowAutoTopicCreation: false,
    });
    this.metrics = componentMetrics(ctx.registry, `${opts.stage}_input`);
    const ev = this.consumer.events;
    this.consumer.on(ev.GROUP_JOIN, (e) => {
      const partitions = e.payload.memberAssignment[opts.topic] ?? [];
      ctx.logger.info({ stage: opts.stage, group: opts.groupId, partitions }, 'partitions assigned');
      for (const p of [...this.resolved.keys()]) {
        if (!partitions.includes(p)) {
          this.resolved.delete(p);
          this.committed.delete(p);
        }
      }
      this.partitions = partitions;
      const prev = this.assignment.catch(() => undefined);
      this.track(prev.then(() => opts.worker.assigned(partitions)));
    });
    this.consumer.on(ev.CONNECT, () => (this.connected = true));
    this.consumer.on(ev.DISCONNECT, () => (this.connected = false));
    this.consumer.on(ev.CRASH, (e) => {
      this.metrics.errors.inc({ type: 'crash' });
      const err = e.payload.error;
      ctx.logger.error({ stage: opts.stage, err: errorMessage(err), restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart) this.crashed = err;
    });
  }

  /**
   * Makes `p` the assignment the next batch waits for. Its failure is logged and counted here,
   * which also marks it handled: with no batch waiting (an idle topic), a rejected restore must
   * not end the process as an unhandled rejection. The next batch still sees it and retries.
   */
  private track(p: Promise<void>): void {
    p.catch((err: unknown) => {
      this.metrics.errors.inc({ type: 'assign' });
      this.ctx.logger.warn({ stage: this.opts.stage, err: errorMessage(err) }, 'restoring state for the assigned partitions failed; the next batch retries');
    });
    this.assignment = p;
  }

  /** Connected and not crashed for good (for /readyz). */
  get healthy(): boolean {
    return this.connected && this.crashed === null;
  }

  protected async doStart(): Promise<void> {
    await this.consumer.connect();
    this.connected = true;
    await this.consumer.subscribe({ topics: [this.opts.topic], fromBeginning: this.opts.fromBeginning ?? true });
    await this.consumer.run({
      // Offsets are committed here, only for batches whose output is durable (see handleBatch).
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.cfg.consumer.partitionsConsumedConcurrently,
      eachBatch: (payload) => {
        const p = this.handleBatch(payload);
        this.inFlight.add(p);
        return p.finally(() => this.inFlight.delete(p));
      },
    });
  }

  /** Offsets resolved but not yet committed, as kafkajs takes them. */
  private pendingOffsets(): Array<{ topic: string; partition: number; offset: string }> {
    const out: Array<{ topic: string; partition: number; offset: string }> = [];
    for (const [partition, offset] of this.resolved) {
      if (this.committed.get(partition) !== offset) out.push({ topic: this.opts.topic, partition, offset });
    }
    return out;
  }

  private async commit(): Promise<void> {
    const pending = this.pendingOffsets();
    this.lastCommit = Date.now();
    if (pending.length === 0) return;
    await this.consumer.commitOffsets(pending);
    for (const p of pending) this.committed.set(p.partition, p.offset);
  }

  protected async doStop(): Promise<void> {
    // No new batches; let those in flight finish; commit what they made durable; leave the group.
    this.leaving = true;
    this.consumer.pause([{ topic: this.opts.topic }]);
    await Promise.allSettled([...this.inFlight]);
    await this.commit().catch((err: unknown) => this.ctx.logger.warn({ stage: this.opts.stage, err: errorMessage(err) }, 'final offset commit failed; the last batches will be redelivered'));
    await this.consumer.disconnect();
    await this.assignment.catch(() => undefined);
    await this.opts.worker.close();
    this.connected = false;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, pause, isRunning, isStale } = payload;
    const { worker, codec, stage, dlq } = this.opts;
    try {
      await this.assignment;
    } catch (err) {
      // Restoring state for the new assignment failed (e.g. the state topic could not be read in
      // time): try again, and fail this batch so it is redelivered rather than processed cold.
      this.track(this.opts.worker.assigned(this.partitions));
      throw err;
    }
    if (this.leaving || !isRunning() || isStale() || batch.messages.length === 0) return;

    const items: T[] = [];
    const dead: DeadLetter[] = [];
    const now = Date.now();
    for (const m of batch.messages) {
      const d = codec.decode(m.value, now);
      if (d.ok) for (const it of d.items) items.push(it);
      else dead.push({ stage, reason: d.reason, payload: rawPayload(m.value), ts: now });
    }
    this.metrics.received.inc(items.length);

    let resume: (() => void) | null = null;
    const pauseTimer = setTimeout(() => {
      resume = pause();
      this.metrics.errors.inc({ type: 'paused' });
    }, this.opts.cfg.consumer.pauseAfterMs);
    const beat = setInterval(() => void heartbeat().catch(() => undefined), this.opts.cfg.consumer.heartbeatIntervalMs);
    try {
      if (dead.length) {
        this.metrics.dropped.inc(dead.length);
        await withRetry(() => dlq.deadLetter(dead), undefined, { signal: this.ctx.signal });
      }
      if (items.length) await worker.process(items, batch.partition);
      await withRetry(() => worker.flush(batch.partition), { attempts: this.opts.cfg.consumer.batchAttempts, baseMs: 200, maxMs: 10_000 }, {
        onRetry: (err, attempt, waitMs) => {
          this.metrics.errors.inc({ type: 'flush' });
          this.ctx.logger.warn({ stage, partition: batch.partition, attempt, waitMs, err: errorMessage(err) }, 'flush failed; retrying batch output');
        },
      });
    } catch (err) {
      this.metrics.errors.inc({ type: 'batch' });
      this.ctx.logger.error({ stage, partition: batch.partition, offset: batch.firstOffset(), err: errorMessage(err) }, 'batch given up; restarting from the last committed offset');
      await worker.abandon(batch.partition);
      throw err;
    } finally {
      clearTimeout(pauseTimer);
      clearInterval(beat);
      (resume as (() => void) | null)?.();
    }
    resolveOffset(batch.lastOffset());
    this.resolved.set(batch.partition, (BigInt(batch.lastOffset()) + 1n).toString());
    this.metrics.sent.inc(items.length);
    if (this.opts.cfg.consumer.commitIntervalMs === 0 || Date.now() - this.lastCommit >= this.opts.cfg.consumer.commitIntervalMs) {
      // A failed commit loses nothing: the offsets stay pending and go with the next commit (or,
      // after a rebalance, the records are redelivered and skipped as duplicates by the stage).
      await this.commit().catch((err: unknown) => {
        this.metrics.errors.inc({ type: 'commit' });
        this.ctx.logger.warn({ stage, err: errorMessage(err) }, 'offset commit failed; will retry with the next batch');
      });
    }
    await heartbeat();
  }
}

/** A rejected record as text: UTF-8, or base64 when it is binary. */
function rawPayload(value: Buffer | null): string | null {
  if (value === null) return null;
  return value.length > 0 && value[0] === 0 ? `base64:${value.toString('base64')}` : value.toString('utf8');
}
