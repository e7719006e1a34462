import type { Context } from '../pipeline/component.js';
import type { DeadLetter, DeadLetterSink, Emitter, FeatureRecord, Sample } from '../pipeline/ports.js';
import type { StateStore } from '../pipeline/state-store.js';
import type { WorkersConfig } from '../pipeline/worker-config.js';
import type { FeaturesConfig } from './config.js';
import type { SeriesRef } from '../ingest/sample.js';
import { ADMITTED_SAMPLE_LIMITS, checkSample } from '../ingest/sample.js';
import { SeriesStateTable, StatefulStage } from '../pipeline/series-state.js';
import { writePoints, type PointOutput } from '../pipeline/point-sink.js';
import { componentMetrics, e2eLatency, type LatencyRecorder, registryCounter } from '../pipeline/telemetry.js';
import { RollingWindow, ewmaNext } from './window.js';
import { featureStateCodec, type FeatureState } from './state.js';
import type { Counter } from 'prom-client';

export interface FeatureStageDeps {
  out: Emitter<FeatureRecord>;
  dlq: DeadLetterSink;
  store: StateStore;
  /** Feature points to InfluxDB, when configured and `features.writeInflux`. */
  influx?: PointOutput<FeatureRecord>;
  /** Check each sample (embedded mode, where nothing decoded and checked it on the way in). */
  checkSamples?: boolean;
}

export const FEATURES_STAGE = 'features';

/**
 * The processor stage: per-series rolling window (mean, std, min, max, count) and EWMA over the
 * samples of the partitions this worker owns. Points not newer than the series' last point
 * (redelivered after a restart) are skipped, so state updates are idempotent.
 */
export class FeatureStage extends StatefulStage<Sample, FeatureState, Staged> {
  readonly name = FEATURES_STAGE;
  private readonly metrics;
  /** This stage's end-to-end latency (seismo_e2e_latency_seconds{stage}). */
  private readonly latency: LatencyRecorder;
  private readonly duplicates: Counter<string>;

  constructor(
    private readonly cfg: { features: FeaturesConfig; workers: WorkersConfig },
    ctx: Context,
    private readonly deps: FeatureStageDeps,
  ) {
    const counter = (name: string, help: string): Counter<string> => registryCounter(ctx.registry, name, help);
    const table = new SeriesStateTable(FEATURES_STAGE, deps.store, featureStateCodec(cfg.features.windowSize), {
      maxSeries: cfg.workers.maxSeries,
      snapshotIntervalMs: cfg.workers.snapshotIntervalMs,
      evicted: counter('seismo_features_evicted_total', 'Series evicted from a processor worker (least recently used)'),
      restored: counter('seismo_features_restored_total', 'Series whose state was restored from a snapshot'),
    });
    super(table, deps.store);
    this.metrics = componentMetrics(ctx.registry, 'features');
    this.latency = e2eLatency(ctx.registry, FEATURES_STAGE);
    this.duplicates = counter('seismo_features_duplicates_total', 'Samples skipped because their series already saw a newer point');
  }

  get seriesCount(): number {
    return this.table.size;
  }

  private stagedFor(partition: number): Staged {
    let st = this.staged.get(partition);
    if (!st) this.staged.set(partition, (st = { features: [], dead: [], written: false, emitted: false }));
    return st;
  }

  process(items: Sample[], partition: number): Promise<void> {
    const { windowSize, ewmaAlpha } = this.cfg.features;
    const now = Date.now();
    const out = this.stagedFor(partition);
    this.metrics.received.inc(items.length);
    for (const s of items) {
      if (this.deps.checkSamples) {
        const reason = checkSample(s, now, ADMITTED_SAMPLE_LIMITS);
        if (reason) {
          out.dead.push({ stage: FEATURES_STAGE, reason, payload: s, ts: now });
          continue;
        }
      }
      const st = this.table.get(s.id, partition, () => newState(s.series, windowSize));
      if (s.ts <= st.lastTs) {
        this.duplicates.inc();
        continue;
      }
      st.lastTs = s.ts;
      st.window.push(s.value);
      st.ewma = ewmaNext(st.ewma, s.value, ewmaAlpha);
      const w = st.window;
      out.features.push({ id: s.id, series: s.series, ts: s.ts, value: s.value, count: w.count, mean: w.mean, std: w.std, min: w.min, max: w.max, ewma: st.ewma });
    }
    this.metrics.bufferDepth.set(out.features.length);
    return Promise.resolve();
  }

  async flush(partition: number): Promise<void> {
    const st = this.staged.get(partition);
    if (st) {
      if (st.dead.length) {
        await this.deps.dlq.deadLetter(st.dead);
        this.metrics.dropped.inc(st.dead.length);
        st.dead = [];
      }
      const out = st.features;
      if (out.length) {
        // Each phase is recorded so a retried flush does not redo what already succeeded.
        if (!st.written && this.cfg.features.writeInflux && this.deps.influx) {
          await writePoints(this.deps.influx, out, partition);
          await this.deps.influx.sink.flush(partition);
        }
        st.written = true;
        if (!st.emitted) await this.deps.out.emit(out);
        st.emitted = true;
        this.metrics.sent.inc(out.length);
        const now = Date.now();
        for (const f of out) this.latency.observe((now - f.ts) / 1000);
      }
      this.staged.delete(partition);
      this.metrics.bufferDepth.set(0);
    }
    await this.snapshotSettled();
  }
}

interface Staged {
  features: FeatureRecord[];
  dead: DeadLetter[];
  written: boolean;
  emitted: boolean;
}

function newState(series: SeriesRef, windowSize: number): FeatureState {
  return { series, window: new RollingWindow(windowSize), ewma: null, lastTs: -Infinity };
}
