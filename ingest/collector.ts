import type { Logger } from 'pino';
import { Lifecycle, type Component, type Context } from '../pipeline/component.js';
import type { DeadLetterSink, Emitter } from '../pipeline/ports.js';
import { errorMessage } from '../pipeline/errors.js';
import { checkSample, DEFAULT_SAMPLE_LIMITS, type Sample, type SampleLimits } from './sample.js';
import { CircuitBreaker, breakerStateValue, type BreakerOptions } from './breaker.js';
import { ingestMetrics, type IngestMetrics } from './telemetry.js';
import type { CheckpointStore } from './checkpoint/store.js';

/** What every collector gets besides its configuration. */
export interface CollectorDeps {
  checkpoints: CheckpointStore;
  /** Clock in epoch ms (tests). Default Date.now. */
  now?: () => number;
  /** Overrides the source's backfillMs when it has no checkpoint (`seismo collect --since`). */
  backfillMs?: number;
}

/** A collector: a Component, plus one synchronous-to-the-caller run for `seismo collect --once`. */
export interface Collector extends Component {
  /** Runs one poll (or, for `file`, the whole replay) and resolves after its checkpoint; errors are thrown. */
  runOnce(): Promise<void>;
  /** For finite sources (`file` without loop): resolves when everything has been emitted. */
  readonly done?: Promise<void>;
}

/** Emitting side shared by all collectors: validation, dead letters, batching, metrics. */
export class SourceIO {
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** Limits of checkSample; the file source relaxes the age limit for historic replays. */
  limits: SampleLimits = DEFAULT_SAMPLE_LIMITS;

  constructor(
    readonly type: string,
    readonly sourceName: string,
    readonly ctx: Context,
    private readonly out: Emitter<Sample>,
    private readonly dlq: DeadLetterSink,
    now: (() => number) | undefined,
    private readonly maxBatch = 5000,
  ) {
    this.metrics = ingestMetrics(ctx.registry);
    this.logger = ctx.logger.child({ component: 'ingest', source: sourceName, type });
    this.now = now ?? Date.now;
  }

  get stage(): string {
    return `ingest.${this.type}`;
  }

  /**
   * Sends rejected inputs to the dead-letter sink, each with its reason; counted, and logged once per
   * call (a bad source must not flood the log).
   */
  async reject(query: string, items: Array<{ reason: string; payload: unknown }>): Promise<void> {
    if (items.length === 0) return;
    const ts = this.now();
    this.metrics.deadLetters.inc({ source: this.sourceName }, items.length);
    this.metrics.dropped.inc(items.length);
    const first = items[0].payload as { id?: unknown } | null;
    this.logger.warn(
      { query, rejected: items.length, reason: items[0].reason, ...(typeof first?.id === 'string' ? { seriesId: first.id } : {}) },
      'rejected to the dead-letter sink',
    );
    await this.dlq.deadLetter(items.map((i) => ({ stage: this.stage, reason: i.reason, payload: i.payload, ts })));
  }

  /**
   * Checks each sample, dead-letters the bad ones and emits the rest in batches; resolves when all
   * were accepted downstream (backpressure). Returns the number emitted.
   */
  async emit(query: string, samples: Sample[]): Promise<number> {
    this.metrics.received.inc(samples.length);
    const now = this.now();
    const good: Sample[] = [];
    const rejected: Array<{ reason: string; payload: unknown }> = [];
    for (const s of samples) {
      const reason = checkSample(s, now, this.limits);
      if (reason === null) good.push(s);
      else rejected.push({ reason, payload: s });
    }
    await this.reject(query, rejected);
    for (let i = 0; i < good.length; i += this.maxBatch) {
      const batch = good.slice(i, i + this.maxBatch);
      await this.out.emit(batch);
      this.metrics.sent.inc(batch.length);
      this.metrics.samples.inc({ source: this.sourceName, query }, batch.length);
    }
    return good.length;
  }

  /** A signal that fires after `timeoutMs` or when the process shuts down. */
  requestSignal(timeoutMs: number): AbortSignal {
    return AbortSignal.any([this.ctx.signal, AbortSignal.timeout(timeoutMs)]);
  }
}

export interface PollSettings {
  intervalMs: number;
  jitterRatio: number;
  breaker: BreakerOptions;
}

/** Told to a run so that a long backfill can end early, after its last committed window, on stop(). */
export interface RunControl {
  readonly stopping: boolean;
}

/**
 * A polling collector: a jittered, unref()ed timer runs `poll` every intervalMs; a tick is skipped
 * (and counted) while the previous run is still going or the breaker is open; errors go to one
 * handler (logged, counted, breaker) and never escape a timer. `stop()` waits for the run in flight
 * (which sees `stopping` and ends after its current window and checkpoint).
 */
export abstract class PollingCollector extends Lifecycle implements Collector {
  readonly name: string;
  protected readonly breaker: CircuitBreaker;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  private readonly control = { stopping: false };

  constructor(
    protected readonly io: SourceIO,
    private readonly settings: PollSettings,
  ) {
    super();
    this.name = `ingest.${io.type}.${io.sourceName}`;
    // Cool-downs run on wall-clock time, not on the data clock `io.now` (which tests may freeze).
    this.breaker = new CircuitBreaker(settings.breaker);
  }

  /** One poll: read, emit, checkpoint. Throws on failure. */
  protected abstract poll(control: RunControl): Promise<void>;

  /**
   * Runs `pollOne` for each query of a poll: one failing query does not stop the others (each
   * keeps its own checkpoint); the poll then fails with every failure named, for the breaker.
   */
  protected async pollEach<Q extends { name: string }>(
    queries: readonly Q[],
    control: RunControl,
    [one, many]: readonly [string, string],
    pollOne: (q: Q) => Promise<void>,
  ): Promise<void> {
    const failures: string[] = [];
    for (const q of queries) {
      if (control.stopping) break;
      try {
        await pollOne(q);
      } catch (err) {
        failures.push(`${q.name}: ${errorMessage(err)}`);
        this.io.logger.warn({ query: q.name, err: errorMessage(err) }, `${one} failed`);
      }
    }
    if (failures.length) throw new Error(`${failures.length} of ${queries.length} ${many} failed: ${failures.join('; ')}`);
  }

  protected async doStart(): Promise<void> {
    this.io.metrics.breakerState.set({ source: this.io.sourceName }, 0);
    this.schedule(Math.random() * this.settings.jitterRatio * this.settings.intervalMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private nextDelay(): number {
    const j = this.settings.jitterRatio * this.settings.intervalMs;
    return this.settings.intervalMs + (Math.random() * 2 - 1) * j;
  }

  private tick(): void {
    this.schedule(this.nextDelay());
    const source = this.io.sourceName;
    if (this.inFlight) {
      this.io.metrics.skipped.inc({ source, reason: 'busy' });
      return;
    }
    if (!this.breaker.tryAcquire()) {
      this.io.metrics.skipped.inc({ source, reason: 'breaker_open' });
      return;
    }
    void this.runGuarded().catch(() => undefined);
  }

  private runGuarded(): Promise<void> {
    const source = this.io.sourceName;
    const endTimer = this.io.metrics.pollDuration.startTimer({ source });
    const run = (async () => {
      try {
        await this.poll(this.control);
        this.breaker.onSuccess();
        this.io.metrics.polls.inc({ source, outcome: 'ok' });
      } catch (err) {
        this.breaker.onFailure();
        this.handleError(err);
        throw err;
      } finally {
        endTimer();
        this.io.metrics.breakerState.set({ source }, breakerStateValue(this.breaker.state));
      }
    })();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight = settled;
    void settled.then(() => {
      if (this.inFlight === settled) this.inFlight = null;
    });
    return run;
  }

  /** The one error handler of a source: logged and counted (by error name), never rethrown from a timer. */
  protected handleError(err: unknown): void {
    const type = err instanceof Error ? err.name : 'unknown';
    this.io.metrics.polls.inc({ source: this.io.sourceName, outcome: 'error' });
    this.io.metrics.errors.inc({ type });
    this.io.metrics.sourceErrors.inc({ source: this.io.sourceName, type });
    this.io.logger.error({ err: errorMessage(err), consecutiveFailures: this.breaker.consecutiveFailures, breaker: this.breaker.state }, 'poll failed');
  }

  async runOnce(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    await this.runGuarded();
  }

  protected async doStop(): Promise<void> {
    this.stopped = true;
    this.control.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight) await this.inFlight;
  }
}
