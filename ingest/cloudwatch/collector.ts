import { createHash } from 'node:crypto';
import type { Metric, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { seriesId, type Sample, type SeriesRef } from '../sample.js';
import { PollingCollector, type RunControl, type SourceIO } from '../collector.js';
import { checkpointKey } from '../checkpoint/index.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { CloudwatchMetricConfig, CloudwatchSourceConfig } from './config.js';
import { CloudwatchApi } from './client.js';
import { batches, cloudwatchWindow, RevisionTracker } from './plan.js';

/** What is kept per metric entry: the exclusive end of the last window read, and recent emitted values. */
export interface CloudwatchCheckpoint {
  end: number;
  recent: Record<string, number>;
}

interface EntryState {
  cfg: CloudwatchMetricConfig;
  name: string;
  key: string;
  metrics: Metric[] | null;
  discoveredAt: number;
}

/** Series of one discovered metric: `<namespace>/<metric>`, its dimensions and the statistic as labels. */
export function cloudwatchSeries(metric: Metric, stat: string, region: string | undefined): SeriesRef {
  const labels: Record<string, string> = { stat };
  for (const d of metric.Dimensions ?? []) if (d.Name) labels[d.Name] = d.Value ?? '';
  if (region) labels.region = region;
  return { source: 'cloudwatch', name: `${metric.Namespace}/${metric.MetricName}`, labels };
}

/**
 * Polls CloudWatch with GetMetricData (500 queries per call, NextToken pages emitted one by one)
 * over period-aligned windows; the checkpoint moves once the whole window of an entry was emitted. Metrics are discovered with ListMetrics. Each poll re-reads the trailing
 * revisionWindowMs and re-emits a datapoint only when its value changed (same series id and ts, so
 * the InfluxDB write overwrites). The recent values live in the checkpoint, so a restart does not
 * re-emit them.
 */
export class CloudwatchCollector extends PollingCollector {
  private readonly api: CloudwatchApi;
  private readonly entries: EntryState[];

  constructor(
    io: SourceIO,
    private readonly cfg: CloudwatchSourceConfig,
    private readonly checkpoints: CheckpointStore,
    private readonly backfillMs: number,
  ) {
    super(io, cfg);
    this.api = new CloudwatchApi(cfg, io.ctx.signal, (operation) => io.metrics.requests.inc({ source: cfg.name, outcome: operation }));
    this.entries = cfg.metrics.map((m) => {
      const name = m.name ?? `${m.namespace}/${m.metricName ?? '*'}/${m.stat}`;
      const id = m.name ?? `m-${createHash('sha256').update(JSON.stringify([m.namespace, m.metricName, m.dimensions, m.stat])).digest('hex').slice(0, 12)}`;
      return { cfg: m, name, key: checkpointKey(cfg.name, id), metrics: null, discoveredAt: 0 };
    });
  }

  protected poll(control: RunControl): Promise<void> {
    return this.pollEach(this.entries, control, ['metric entry', 'metric entries'], (e) => this.pollEntry(e));
  }

  private async metricsOf(e: EntryState): Promise<Metric[]> {
    const now = this.io.now();
    if (!e.metrics || now - e.discoveredAt >= this.cfg.discoveryIntervalMs) {
      e.metrics = await this.api.discover(e.cfg);
      e.discoveredAt = now;
      this.io.logger.debug({ query: e.name, metrics: e.metrics.length }, 'discovered metrics');
    }
    return e.metrics;
  }

  private async pollEntry(e: EntryState): Promise<void> {
    const periodMs = this.cfg.periodSeconds * 1000;
    const cp = await this.checkpoints.get<CloudwatchCheckpoint>(e.key);
    const w = cloudwatchWindow({
      checkpoint: cp?.end,
      now: this.io.now(),
      periodMs,
      lagMs: this.cfg.lagMs,
      backfillMs: this.backfillMs,
      revisionWindowMs: this.cfg.revisionWindowMs,
    });
    if (w.end <= w.start) return;
    const metrics = await this.metricsOf(e);
    const tracker = new RevisionTracker(this.cfg.maxTrackedPoints, cp?.recent);
    const refs = metrics.map((m) => {
      const ref = cloudwatchSeries(m, e.cfg.stat, this.cfg.region);
      return { ref, id: seriesId(ref) };
    });
    const queries: MetricDataQuery[] = metrics.map((m, i) => ({ Id: `m${i}`, MetricStat: { Metric: m, Period: this.cfg.periodSeconds, Stat: e.cfg.stat }, ReturnData: true }));
    let revisions = 0;
    for (const batch of batches(queries, this.cfg.maxQueriesPerRequest)) {
      for await (const page of this.api.getMetricData(batch, w.start, w.end)) {
        const samples: Sample[] = [];
        for (const r of page) {
          const s = refs[Number(r.id.slice(1))];
          if (!s) continue;
          for (const p of r.points) {
            if (p.ts < w.start || p.ts >= w.end) continue;
            const kind = tracker.classify(s.id, p.ts, p.value);
            if (kind === 'same') continue;
            if (kind === 'changed') revisions++;
            samples.push({ series: s.ref, id: s.id, ts: p.ts, value: p.value });
            tracker.remember(s.id, p.ts, p.value);
          }
        }
        await this.io.emit(e.name, samples);
      }
    }
    if (revisions) this.io.metrics.revisions.inc({ source: this.cfg.name, query: e.name }, revisions);
    tracker.prune(Math.floor((w.end - this.cfg.revisionWindowMs) / periodMs) * periodMs);
    const next: CloudwatchCheckpoint = { end: w.end, recent: tracker.toJSON() };
    await this.checkpoints.set(e.key, next);
    this.io.metrics.checkpointLag.set({ source: this.cfg.name, query: e.name }, (this.io.now() - w.end) / 1000);
  }

  /** Also releases the SDK client's sockets, whether or not the timer was started (`runOnce`). */
  override async stop(): Promise<void> {
    await super.stop();
    this.api.destroy();
  }
}
