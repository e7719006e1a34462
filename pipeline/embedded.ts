import type { Context } from './component.js';
import { Lifecycle } from './component.js';
import { BoundedChannel } from './channel.js';
import type { DeadLetter, DeadLetterSink, Emitter } from './ports.js';
import type { StageWorker } from './transport.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { errorMessage } from './errors.js';
import { componentMetrics } from './telemetry.js';

/** Emitter into a bounded channel: resolves once the channel accepted every item (waits while full). */
export function channelEmitter<T>(channel: BoundedChannel<T>): Emitter<T> {
  return { emit: (items) => channel.sendAll(items) };
}

/**
 * Flush retries in embedded mode: there is no broker to redeliver from, so a flush that fails for
 * a retriable reason (InfluxDB down) is retried until it succeeds, backing off up to 30 s, while
 * the channel in front of the stage fills and slows its upstream down.
 */
const EMBEDDED_FLUSH_RETRY: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseMs: 200, maxMs: 30_000 };

/**
 * Runs a stage worker over an in-process channel (embedded mode): receive up to `batchSize` items,
 * process, flush, repeat. A flush that fails for a retriable reason is retried with backoff until
 * it succeeds (the stage reports not ready meanwhile) instead of dropping data; one that fails for
 * good stops the stage with an error. `stop()` lets the worker drain what the channel still holds:
 * close the channel first (the upstream has stopped), then stop this input. `halt()` ends a flush
 * retry that cannot succeed, for a forced shutdown.
 */
export class ChannelStageInput<T> extends Lifecycle {
  readonly name: string;
  private loop: Promise<void> | null = null;
  private failed: Error | null = null;
  /** The error of a flush being retried, while it is. */
  private failing: Error | null = null;
  private readonly halted = new AbortController();
  /** Items received but not yet flushed. */
  private inHand = 0;

  constructor(
    private readonly channel: BoundedChannel<T>,
    private readonly worker: StageWorker<T>,
    private readonly ctx: Context,
    private readonly batchSize: number,
    private readonly onFatal?: (err: Error) => void,
  ) {
    super();
    this.name = `channel-input:${worker.name}`;
  }

  get healthy(): boolean {
    return this.failed === null && this.failing === null;
  }

  /** Why the stage is not healthy, for /readyz. */
  get problem(): string | null {
    if (this.failed) return `stage stopped: ${errorMessage(this.failed)}`;
    if (this.failing) return `flush failing, retrying: ${errorMessage(this.failing)}`;
    return null;
  }

  /** Ends a flush retry in progress (forced shutdown): the batch in hand is not delivered. */
  halt(): void {
    this.halted.abort(new Error(`${this.worker.name}: stopped while a flush was still failing`));
  }

  protected async doStart(): Promise<void> {
    await this.worker.assigned([0]);
    const metrics = componentMetrics(this.ctx.registry, `${this.worker.name}_input`);
    this.loop = (async () => {
      for (;;) {
        const items = await this.channel.receive(this.batchSize);
        metrics.bufferDepth.set(this.channel.depth);
        if (items.length === 0) return; // closed and drained
        metrics.received.inc(items.length);
        this.inHand = items.length;
        await this.worker.process(items, 0);
        await withRetry(() => this.worker.flush(0), EMBEDDED_FLUSH_RETRY, {
          signal: this.halted.signal,
          onRetry: (err, attempt, waitMs) => {
            this.failing = err instanceof Error ? err : new Error(String(err));
            metrics.errors.inc({ type: 'flush' });
            this.ctx.logger.warn({ stage: this.worker.name, attempt, waitMs, err: errorMessage(err) }, 'flush failed; retrying');
          },
        });
        if (this.failing) this.ctx.logger.info({ stage: this.worker.name }, 'flush succeeded again');
        this.failing = null;
        this.inHand = 0;
        metrics.sent.inc(items.length);
      }
    })().catch((err: unknown) => {
      this.failed = err instanceof Error ? err : new Error(String(err));
      this.failing = null;
      if (this.halted.signal.aborted) {
        metrics.dropped.inc(this.inHand);
        this.ctx.logger.error({ stage: this.worker.name, dropped: this.inHand }, 'stopped while a flush was failing; the batch in hand was not delivered');
        return;
      }
      this.ctx.logger.error({ stage: this.worker.name, err: errorMessage(err) }, 'stage stopped');
      this.onFatal?.(this.failed);
    });
  }

  protected async doStop(): Promise<void> {
    this.channel.close();
    await this.loop;
    await this.worker.close();
  }
}

/**
 * Dead letters in embedded mode: logged, counted, and the newest `capacity` kept for the API.
 * (With Kafka they go to the DLQ topic instead.)
 */
export class MemoryDeadLetterSink implements DeadLetterSink {
  private readonly ring: DeadLetter[] = [];
  private readonly metrics;

  constructor(
    private readonly ctx: Context,
    private readonly capacity = 1000,
  ) {
    this.metrics = componentMetrics(ctx.registry, 'dlq');
  }

  deadLetter(entries: DeadLetter[]): Promise<void> {
    this.metrics.received.inc(entries.length);
    for (const e of entries) {
      this.ctx.logger.warn({ stage: e.stage, reason: e.reason }, 'dead letter');
      this.ring.push(e);
      if (this.ring.length > this.capacity) {
        this.ring.shift();
        this.metrics.dropped.inc();
      }
    }
    this.metrics.bufferDepth.set(this.ring.length);
    return Promise.resolve();
  }

  get entries(): readonly DeadLetter[] {
    return this.ring;
  }
}
