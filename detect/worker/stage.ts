import type { Counter } from 'prom-client';
import type { Context } from '../../pipeline/component.js';
import type { Alert, Emitter, FeatureRecord } from '../../pipeline/ports.js';
import type { StateStore } from '../../pipeline/state-store.js';
import type { WorkersConfig } from '../../pipeline/worker-config.js';
import type { DetectConfig } from '../config.js';
import type { PointResult } from '../types.js';
import type { SeriesModelOptions } from '../model.js';
import { SeriesStateTable, StatefulStage } from '../../pipeline/series-state.js';
import { writePoints, type PointOutput } from '../../pipeline/point-sink.js';
import { componentMetrics, e2eLatency, type LatencyRecorder, registryCounter } from '../../pipeline/telemetry.js';
import { detectorStateCodec, newDetectorState, type DetectorState } from './state.js';
import { openAlert, resolveAlert } from './alerts.js';

/** One scored point, as the detector reports it to observers (dashboard, benchmark). */
export interface ScoredPoint {
  feature: FeatureRecord;
  result: PointResult;
}

export interface DetectorStageDeps {
  alerts: Emitter<Alert>;
  store: StateStore;
  /** Scores and forecast bands to InfluxDB. */
  scores?: PointOutput<ScoredPoint>;
  /** Alerts to InfluxDB. */
  alertPoints?: PointOutput<Alert>;
  /** Called with every batch of scored points once they are durable (dashboard, benchmark). */
  onScored?: (points: ScoredPoint[]) => void;
  /** Called with alerts once they are emitted. */
  onAlerts?: (alerts: Alert[]) => void;
  /** Model options (e.g. a learned combiner). */
  model?: SeriesModelOptions;
}

export const DETECT_STAGE = 'detect';

interface Staged {
  scored: ScoredPoint[];
  alerts: Alert[];
  influx: boolean;
  emitted: boolean;
}

/**
 * The detector stage: per-series model and alert logic over feature records; scores and bands to
 * InfluxDB, alerts to the alerts topic/channel (and InfluxDB). Redelivered points (not newer than
 * the series' last point) are skipped, so a restored model is never fed the same point twice.
 */
export class DetectorStage extends StatefulStage<FeatureRecord, DetectorState, Staged> {
  readonly name = DETECT_STAGE;
  private readonly metrics;
  /** This stage's end-to-end latency (seismo_e2e_latency_seconds{stage}). */
  private readonly latency: LatencyRecorder;
  private readonly duplicates: Counter<string>;
  private readonly alertCount: Counter<'state'>;

  constructor(
    private readonly cfg: { detect: DetectConfig; workers: WorkersConfig },
    ctx: Context,
    private readonly deps: DetectorStageDeps,
  ) {
    const counter = (name: string, help: string): Counter<string> => registryCounter(ctx.registry, name, help);
    const table = new SeriesStateTable(DETECT_STAGE, deps.store, detectorStateCodec(cfg.detect, deps.model ?? {}), {
      maxSeries: cfg.workers.maxSeries,
      snapshotIntervalMs: cfg.workers.snapshotIntervalMs,
      evicted: counter('seismo_detect_evicted_total', 'Series evicted from a detector worker (least recently used)'),
      restored: counter('seismo_detect_restored_total', 'Series whose detector state was restored from a snapshot'),
    });
    super(table, deps.store);
    this.metrics = componentMetrics(ctx.registry, 'detect');
    this.latency = e2eLatency(ctx.registry, DETECT_STAGE);
    this.duplicates = counter('seismo_detect_duplicates_total', 'Points skipped because their series already saw a newer point');
    this.alertCount = registryCounter(ctx.registry, 'seismo_detect_alerts_total', 'Alerts emitted by state', ['state']);
  }

  get seriesCount(): number {
    return this.table.size;
  }

  /**
   * Scores a batch. Points are taken series by series (each series' points in their batch order),
   * so one model's state is walked while it is in the CPU cache instead of once per point across
   * every interleaved series; outputs keep the batch order. Each series only ever sees its own
   * points, in order, so the scores are the same as point by point.
   */
  process(items: FeatureRecord[], partition: number): Promise<void> {
    const cfg = this.cfg.detect;
    let out = this.staged.get(partition);
    if (!out) this.staged.set(partition, (out = { scored: [], alerts: [], influx: false, emitted: false }));
    this.metrics.received.inc(items.length);
    const groups = groupBySeries(items);
    const scored = new Array<ScoredPoint | undefined>(items.length);
    let alerts: { at: number; alert: Alert }[] | null = null;
    let duplicates = 0;
    for (const idx of groups) {
      const first = items[idx[0]];
      const st = this.table.get(first.id, partition, () => newDetectorState(cfg, first.series, this.deps.model ?? {}));
      for (let k = 0; k < idx.length; k++) {
        const at = idx[k];
        const f = items[at];
        if (f.ts <= st.lastTs) {
          duplicates++;
          continue;
        }
        st.lastTs = f.ts;
        const result = st.model.update(f.ts, f.value);
        const transition = st.logic.update(result.score, result.warm, result.undamped);
        scored[at] = { feature: f, result };
        if (transition === 'open') {
          const { alert, episode } = openAlert(f, result, cfg);
          st.episode = episode;
          (alerts ??= []).push({ at, alert });
        } else if (transition === 'resolve') {
          (alerts ??= []).push({ at, alert: resolveAlert(f, result, st.episode, cfg) });
          st.episode = null;
        }
      }
    }
    if (duplicates) this.duplicates.inc(duplicates);
    for (const s of scored) if (s) out.scored.push(s);
    if (alerts) {
      alerts.sort((a, b) => a.at - b.at);
      for (const a of alerts) out.alerts.push(a.alert);
    }
    this.metrics.bufferDepth.set(out.scored.length);
    return Promise.resolve();
  }

  async flush(partition: number): Promise<void> {
    const st = this.staged.get(partition);
    if (st && (st.scored.length || st.alerts.length)) {
      const { scored, alerts } = st;
      // Each phase is recorded so a retried flush does not redo what already succeeded.
      if (!st.influx) {
        await writePoints(this.deps.scores, scored, partition);
        await writePoints(this.deps.alertPoints, alerts, partition);
        // The pipeline gives both outputs one writer scope; flush each distinct sink once.
        const scoreSink = this.deps.scores?.sink;
        const alertSink = this.deps.alertPoints?.sink;
        if (scoreSink) await scoreSink.flush(partition);
        if (alertSink && alertSink !== scoreSink) await alertSink.flush(partition);
        st.influx = true;
      }
      if (!st.emitted && alerts.length) {
        await this.deps.alerts.emit(alerts);
        for (const a of alerts) this.alertCount.inc({ state: a.state });
        this.deps.onAlerts?.(alerts);
      }
      st.emitted = true;
      this.metrics.sent.inc(scored.length);
      const now = Date.now();
      for (const s of scored) this.latency.observe((now - s.feature.ts) / 1000);
      this.deps.onScored?.(scored);
    }
    this.staged.delete(partition);
    this.metrics.bufferDepth.set(0);
    await this.snapshotSettled();
  }
}

/** Indices of `items` grouped by series id: series in order of first appearance, points in batch order. */
function groupBySeries(items: readonly FeatureRecord[]): number[][] {
  const bySeries = new Map<string, number[]>();
  const groups: number[][] = [];
  for (let i = 0; i < items.length; i++) {
    const id = items[i].id;
    const g = bySeries.get(id);
    if (g) g.push(i);
    else {
      const fresh = [i];
      bySeries.set(id, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}
