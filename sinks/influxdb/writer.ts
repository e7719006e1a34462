import type { InfluxdbConfig } from './config.js';
import { LineBuffer, type Batch } from './buffer.js';
import { toLine, type InfluxPoint } from './line-protocol.js';
import { createDatabase, resolveInfluxToken } from './query.js';
import { RejectedPointsError, createTransport, type InfluxTransport } from './transport.js';
import { influxMetrics, type InfluxMetrics } from './telemetry.js';
import { Lifecycle, type Component, type Context } from '../../pipeline/component.js';
import type { PointSink } from '../../pipeline/point-sink.js';
import { SeismoError, errorMessage } from '../../pipeline/errors.js';
import { withRetry, type RetryPolicy } from '../../pipeline/retry.js';

/**
 * Writes points to InfluxDB in batches.
 *
 * - `write(points)` resolves once the points are buffered; it waits while the buffer is at its
 *   bounds (points and bytes): a slow or unreachable InfluxDB slows the producer down.
 * - `flush()` resolves once everything written before it is durable (InfluxDB answered 204). If a
 *   batch among those was given up on after its retries, it rejects with that error; so does the
 *   next `write()` when a background flush gave up. An error is reported once by `write()` and to
 *   every `flush()` already waiting.
 * - Batches go out every `flushIntervalMs`, as soon as `batchSize` points are queued, and on
 *   `flush()`; by default one at a time, in order, so a later write of the same point wins
 *   (`maxInFlightBatches` > 1 overlaps them, still settling them in order).
 * - Points InfluxDB refuses for good (400 partial write: field type conflict, outside the retention
 *   policy, unparseable) are not an outage: InfluxDB stored the rest of the batch, and sending it
 *   again would fail again forever. They are counted as dropped, logged, and handed to
 *   `onRejected` (e.g. the dead-letter topic); if that hook throws, the error goes to the caller.
 */
export interface InfluxWriter extends Component {
  write(points: InfluxPoint[]): Promise<void>;
  flush(): Promise<void>;
  /**
   * A handle for one of several producers sharing this writer: its `flush()` waits for, and
   * reports failures of, exactly the points written through it. With `write`/`flush` on the
   * writer itself, a failure is reported once, to whichever producer asks first.
   */
  scope(): PointSink<InfluxPoint>;
  /** False while stopped, or when the last batch was given up on (until a batch succeeds). */
  readonly healthy: boolean;
}

/** What InfluxDB refused in one batch: the batch's lines (it does not say which) and why. */
export interface Rejection {
  lines: string[];
  reason: string;
  /** Points InfluxDB reported dropped, when it said. */
  dropped: number | undefined;
}

export interface InfluxWriterOptions {
  /** Called for every batch InfluxDB refused in part; default: count and log only. */
  onRejected?: (rejection: Rejection) => Promise<void> | void;
}

export function createInfluxWriter(cfg: InfluxdbConfig, ctx: Context, opts: InfluxWriterOptions = {}): InfluxWriter {
  const token = resolveInfluxToken(cfg);
  const prepare = async (): Promise<void> => {
    if (cfg.createDatabase) await createDatabase(cfg, { token, signal: ctx.signal });
  };
  return new BatchingInfluxWriter(cfg, ctx, createTransport(cfg, token), prepare, opts);
}

interface Failure {
  fromSeq: number;
  toSeq: number;
  error: SeismoError;
  /** A scope reported it: the writer's own write/flush/stop need not report it again. */
  reportedByScope?: boolean;
}

const MAX_FAILURES_KEPT = 256;

/** The writer over any transport; exported so the buffering logic can be tested without a server. */
export class BatchingInfluxWriter extends Lifecycle implements InfluxWriter {
  readonly name = 'influxdb';
  private readonly buffer: LineBuffer;
  private readonly metrics: InfluxMetrics;
  private readonly retry: RetryPolicy;
  private timer: NodeJS.Timeout | null = null;
  /** Batches taken and not yet settled, in the order taken. */
  private readonly inFlight: Array<{ batch: Batch; done: boolean }> = [];
  /** Requests under way (at most maxInFlightBatches). */
  private sending = 0;
  /** Lines up to this sequence number are to be sent even if they do not fill a batch. */
  private flushTarget = 0;
  /** Failures of lines up to here were reported to a caller already. */
  private reportedUpTo = 0;
  private failures: Failure[] = [];
  /** Failures recorded since start; `failures` holds the last ones, the first `failureBase` are gone. */
  private failureCount = 0;
  private failureBase = 0;
  private closing = false;
  private lastBatchFailed = false;

  constructor(
    private readonly cfg: InfluxdbConfig,
    private readonly ctx: Context,
    private readonly transport: InfluxTransport,
    private readonly prepare: () => Promise<void> = async () => undefined,
    private readonly opts: InfluxWriterOptions = {},
  ) {
    super();
    this.buffer = new LineBuffer({
      maxPoints: cfg.maxBufferPoints,
      maxBytes: cfg.maxBufferBytes,
      batchSize: cfg.batchSize,
      maxBatchBytes: cfg.maxBatchBytes,
    });
    this.metrics = influxMetrics(ctx.registry);
    this.retry = { attempts: cfg.retry.attempts, baseMs: cfg.retry.baseMs, maxMs: cfg.retry.maxMs };
  }

  protected async doStart(): Promise<void> {
    await withRetry(() => this.prepare(), this.retry, {
      signal: this.ctx.signal,
      onRetry: (err, attempt, waitMs) => this.ctx.logger.warn({ err: errorMessage(err), attempt, waitMs }, 'influxdb: preparing the database failed; retrying'),
    });
    this.timer = setInterval(() => this.requestFlush(), this.cfg.flushIntervalMs);
    this.timer.unref();
    this.ctx.logger.info({ url: this.cfg.url, mode: this.cfg.writeMode, database: this.cfg.database }, 'influxdb writer started');
  }

  protected async doStop(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    let failure: unknown = null;
    try {
      await this.flushAll(this.reportedUpTo);
    } catch (err) {
      failure = err;
    }
    this.buffer.wake();
    await this.transport.close();
    this.ctx.logger.info('influxdb writer stopped');
    if (failure) throw failure;
  }

  get healthy(): boolean {
    return this.running && !this.lastBatchFailed;
  }

  async write(points: InfluxPoint[]): Promise<void> {
    this.checkRunning();
    this.throwUnreported();
    await this.push(points);
  }

  scope(): PointSink<InfluxPoint> {
    return new WriterScope(this);
  }

  /** @internal Accepts points, waiting for room; `onSeq` learns each accepted line's number. */
  async push(points: InfluxPoint[], onSeq?: (seq: number) => void): Promise<void> {
    this.checkRunning();
    let accepted = 0;
    for (const p of points) {
      let line: string;
      try {
        line = toLine(p);
      } catch (err) {
        this.metrics.dropped.inc();
        this.metrics.errors.inc({ type: 'invalid_point' });
        this.ctx.logger.warn({ reason: errorMessage(err), measurement: p?.measurement, tags: p?.tags }, 'influxdb: point dropped');
        continue;
      }
      const bytes = Buffer.byteLength(line) + 1;
      while (!this.buffer.hasRoom(bytes)) {
        this.metrics.blocked.inc();
        this.updateDepth();
        this.requestFlush();
        await this.buffer.roomFreed();
        if (this.closing) throw new SeismoError('influxdb writer stopped while waiting for buffer room; points not written', { retriable: true });
      }
      const seq = this.buffer.push(line);
      onSeq?.(seq);
      accepted++;
      if (this.buffer.hasFullBatch()) this.pump();
    }
    this.metrics.received.inc(accepted);
    this.updateDepth();
  }

  flush(): Promise<void> {
    return this.flushAll(this.reportedUpTo);
  }

  get failuresSoFar(): number {
    return this.failureCount;
  }

  /** @internal Resolves once every line up to `target` is settled (written or given up on). */
  async settle(target: number): Promise<void> {
    this.flushTarget = Math.max(this.flushTarget, target);
    this.pump();
    await this.buffer.waitSettled(target);
  }

  /**
   * @internal The first failure, among those recorded since failure number `since`, that hit one of
   * the line ranges; a conservative error if some of those failures are no longer kept.
   */
  failureIn(ranges: Array<[number, number]>, since: number): SeismoError | null {
    let first: SeismoError | null = null;
    for (const f of this.failures.slice(Math.max(0, since - this.failureBase))) {
      if (ranges.some(([from, to]) => f.fromSeq <= to && from <= f.toSeq)) {
        f.reportedByScope = true;
        first ??= f.error;
      }
    }
    if (first) return first;
    if (since < this.failureBase) return new SeismoError('influxdb write: too many failed batches to tell which points were stored; assume they were not', { retriable: true });
    return null;
  }

  private checkRunning(): void {
    if (!this.running) throw new SeismoError(`influxdb writer is ${this.closing ? 'stopped' : 'not started'}; points not written`, { retriable: true });
  }

  private async flushAll(floor: number): Promise<void> {
    const target = this.buffer.lastAccepted;
    await this.settle(target);
    const failed = this.failures.find((f) => f.toSeq > floor && f.fromSeq <= target && !f.reportedByScope);
    this.reportedUpTo = Math.max(this.reportedUpTo, target);
    if (failed) throw failed.error;
  }

  private requestFlush(): void {
    if (this.buffer.queuedPoints === 0) return;
    this.flushTarget = Math.max(this.flushTarget, this.buffer.lastAccepted);
    this.pump();
  }

  private throwUnreported(): void {
    const failed = this.failures.find((f) => f.toSeq > this.reportedUpTo && !f.reportedByScope);
    if (!failed) return;
    this.reportedUpTo = Math.max(...this.failures.map((f) => f.toSeq));
    throw failed.error;
  }

  private pruneFailures(): void {
    const excess = this.failures.length - MAX_FAILURES_KEPT;
    if (excess > 0) {
      this.failures.splice(0, excess);
      this.failureBase += excess;
    }
  }

  /**
   * Starts batches while fewer than `maxInFlightBatches` are in flight and there is something to
   * send (a full batch, or lines a flush asked for). Synchronous, so no wake-up is lost.
   */
  private pump(): void {
    while (this.sending < this.cfg.maxInFlightBatches) {
      const first = this.buffer.firstQueued;
      if (first === null) break;
      if (!this.buffer.hasFullBatch() && first > this.flushTarget) break;
      const batch = this.buffer.take();
      if (!batch) break;
      const entry = { batch, done: false };
      this.inFlight.push(entry);
      this.sending++;
      void this.sendBatch(batch)
        .catch((err: unknown) => this.ctx.logger.error({ err: errorMessage(err) }, 'influxdb: unexpected error in batch bookkeeping'))
        .then(() => {
          this.sending--;
          entry.done = true;
          // Batches settle in the order they were taken, so "settled up to N" stays exact.
          while (this.inFlight.length > 0 && this.inFlight[0].done) this.buffer.settle(this.inFlight.shift()!.batch);
          this.updateDepth();
          this.pump();
        });
    }
    this.updateDepth();
  }

  private async sendBatch(batch: Batch): Promise<void> {
    try {
      await withRetry(
        async () => {
          const end = this.metrics.writeSeconds.startTimer();
          try {
            await this.transport.send(batch.lines);
            end({ outcome: 'ok' });
          } catch (err) {
            end({ outcome: 'error' });
            throw err;
          }
        },
        this.retry,
        {
          signal: this.ctx.signal,
          onRetry: (err, attempt, waitMs) => {
            this.metrics.errors.inc({ type: 'retry' });
            this.ctx.logger.warn({ err: errorMessage(err), attempt, waitMs, points: batch.lines.length }, 'influxdb write failed; retrying');
          },
        },
      );
      this.metrics.sent.inc(batch.lines.length);
      this.metrics.batches.inc();
      this.lastBatchFailed = false;
    } catch (err) {
      if (err instanceof RejectedPointsError && (await this.rejected(batch, err))) return;
      const error = err instanceof SeismoError ? err : new SeismoError(`influxdb write: ${errorMessage(err)}`, { retriable: true, cause: err });
      this.failures.push({ fromSeq: batch.fromSeq, toSeq: batch.toSeq, error });
      this.failureCount++;
      this.pruneFailures();
      this.lastBatchFailed = true;
      this.metrics.dropped.inc(batch.lines.length);
      this.metrics.errors.inc({ type: error.retriable ? 'gave_up' : 'rejected' });
      this.ctx.logger.error({ err: error.message, points: batch.lines.length }, 'influxdb write gave up; the error goes to the caller');
    }
  }

  /** Accounts for points InfluxDB refused; false if the hook failed (then it is an ordinary failure). */
  private async rejected(batch: Batch, err: RejectedPointsError): Promise<boolean> {
    const dropped = Math.min(err.dropped ?? batch.lines.length, batch.lines.length);
    this.metrics.dropped.inc(dropped);
    this.metrics.sent.inc(batch.lines.length - dropped);
    this.metrics.errors.inc({ type: 'rejected_points' });
    this.metrics.batches.inc();
    this.lastBatchFailed = false;
    this.ctx.logger.error({ reason: err.message, dropped, points: batch.lines.length }, 'influxdb refused points; the rest of the batch is stored');
    try {
      await this.opts.onRejected?.({ lines: batch.lines, reason: err.message, dropped: err.dropped });
      return true;
    } catch (hookErr) {
      this.ctx.logger.error({ err: errorMessage(hookErr) }, 'influxdb: handing refused points on failed');
      return false;
    }
  }

  private updateDepth(): void {
    this.metrics.bufferDepth.set(this.buffer.depth);
    this.metrics.bufferBytes.set(this.buffer.bytes);
  }
}

/** Lines written under one key of a scope since its last flush. */
interface Written {
  /** Line ranges, merged when contiguous. */
  ranges: Array<[number, number]>;
  /** The writer's failure count when the first of those lines was written. */
  since: number;
}

/**
 * One producer's view of a shared writer: it tracks the lines written through it, per key (the
 * partition a stage is working on; see PointSink), so `flush(key)` settles and reports exactly
 * the lines of that key.
 */
class WriterScope implements PointSink<InfluxPoint> {
  private readonly written = new Map<number, Written>();

  constructor(private readonly writer: BatchingInfluxWriter) {}

  async write(points: InfluxPoint[], key = 0): Promise<void> {
    let w = this.written.get(key);
    if (!w) this.written.set(key, (w = { ranges: [], since: this.writer.failuresSoFar }));
    const { ranges } = w;
    await this.writer.push(points, (seq) => {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === seq - 1) last[1] = seq;
      else ranges.push([seq, seq]);
    });
  }

  async flush(key = 0): Promise<void> {
    const w = this.written.get(key);
    if (!w) return;
    // Lines written under this key while this flush waits belong to the next one.
    this.written.delete(key);
    if (w.ranges.length === 0) return;
    await this.writer.settle(w.ranges[w.ranges.length - 1][1]);
    const failed = this.writer.failureIn(w.ranges, w.since);
    if (failed) throw failed;
  }
}
