import type { Context } from './component.js';
import { Lifecycle } from './component.js';
import { BoundedChannel } from './channel.js';
import type { DeadLetter, DeadLetterSink, Emitter } from './ports.js';
import type { StageWorker } from './transport.js';
import { withRetry } from './retry.js';
import { errorMessage } from './errors.js';
import { componentMetrics } from './telemetry.js';

/** Emitter into a bounded channel: resolves once the channel accepted every item (waits while full). */
export function channelEmitter<T>(channel: BoundedChannel<T>): Emitter<T> {
  return { emit: (items) => channel.sendAll(items) };
}

/**
 * Runs a stage worker over an in-process channel (embedded mode): receive up to `batchSize` items,
 * process, flush (retried), repeat; a flush that keeps failing stops the stage with an error
 * instead of dropping data. `stop()` lets the worker drain what the channel still holds: close the
 * channel first (the upstream has stopped), then stop this input.
 */
export class ChannelStageInput<T> extends Lifecycle {
  readonly name: string;
  private loop: Promise<void> | null = null;
  private failed: Error | null = null;

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
    return this.failed === null;
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
        await this.worker.process(items, 0);
        await withRetry(() => this.worker.flush(0), undefined, {
          onRetry: (err, attempt, waitMs) => {
            metrics.errors.inc({ type: 'flush' });
            this.ctx.logger.warn({ stage: this.worker.name, attempt, waitMs, err: errorMessage(err) }, 'flush failed; retrying');
          },
        });
        metrics.sent.inc(items.length);
      }
    })().catch((err: unknown) => {
      this.failed = err instanceof Error ? err : new Error(String(err));
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
