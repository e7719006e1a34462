import { createHash } from 'node:crypto';
import { withRetry } from '../../pipeline/retry.js';
import { errorMessage } from '../../pipeline/errors.js';
import { seriesId, type Sample, type SeriesRef } from '../sample.js';
import { PollingCollector, type RunControl, type SourceIO } from '../collector.js';
import { checkpointKey } from '../checkpoint/index.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { PrometheusQueryConfig, PrometheusSourceConfig } from './config.js';
import { PrometheusClient, type RangeSeries } from './client.js';
import { nextWindow, splitWindow, type Window } from './window.js';
import { counterToRate, type Point } from './rate.js';

interface QueryState {
  cfg: PrometheusQueryConfig;
  /** Label value in metrics and logs, and series name when the result has no `__name__`. */
  name: string;
  key: string;
}

/** Samples of one chunk of one query, plus how many points were skipped as NaN/stale. */
export function toSamples(series: RangeSeries[], q: { name: string; rate: boolean }, chunk: Window): { samples: Sample[]; stale: number } {
  const samples: Sample[] = [];
  let stale = 0;
  for (const s of series) {
    const { __name__: metricName, ...labels } = s.labels;
    const ref: SeriesRef = { source: 'prometheus', name: q.rate ? `${metricName ?? q.name}:rate` : (metricName ?? q.name), labels };
    const id = seriesId(ref);
    const finite: Point[] = [];
    for (const p of s.points) {
      if (Number.isNaN(p.value)) {
        if (p.ts >= chunk.start) stale++;
      } else finite.push(p);
    }
    const points = q.rate ? counterToRate(finite) : finite;
    for (const p of points) {
      if (p.ts >= chunk.start && p.ts <= chunk.end) samples.push({ series: ref, id, ts: p.ts, value: p.value });
    }
  }
  return { samples, stale };
}

/**
 * Polls range queries from a checkpoint per query. Each window [start, end] is aligned to the step,
 * read in chunks under the per-request point limit; after a chunk's samples were accepted downstream
 * the checkpoint becomes the chunk's end, so the next read starts one step later: no gap, no
 * duplicate.
 */
export class PrometheusCollector extends PollingCollector {
  private readonly client: PrometheusClient;
  private readonly queries: QueryState[];

  constructor(
    io: SourceIO,
    private readonly cfg: PrometheusSourceConfig,
    private readonly checkpoints: CheckpointStore,
    private readonly backfillMs: number,
    keyPath: string,
  ) {
    super(io, cfg);
    this.client = new PrometheusClient(cfg, keyPath, io.ctx.signal);
    this.queries = cfg.queries.map((q) => {
      const name = q.name ?? q.query;
      const id = q.name ?? `q-${createHash('sha256').update(q.query).digest('hex').slice(0, 12)}`;
      return { cfg: q, name, key: checkpointKey(cfg.name, id) };
    });
  }

  protected poll(control: RunControl): Promise<void> {
    return this.pollEach(this.queries, control, ['query', 'queries'], (q) => this.pollQuery(q, control));
  }

  private async pollQuery(q: QueryState, control: RunControl): Promise<void> {
    const step = this.cfg.stepMs;
    const checkpoint = await this.checkpoints.get<number>(q.key);
    const window = nextWindow({ checkpoint, now: this.io.now(), stepMs: step, lagMs: this.cfg.lagMs, backfillMs: this.backfillMs });
    if (!window) return;
    // A rate needs the point before the chunk, so it asks for one instant more per request.
    const maxPoints = this.cfg.maxPointsPerRequest - (q.cfg.rate ? 1 : 0);
    for (const chunk of splitWindow(window, step, maxPoints)) {
      if (control.stopping) return;
      const from = q.cfg.rate ? chunk.start - step : chunk.start;
      const { series, malformed } = await withRetry(
        () => this.client.rangeQuery(q.cfg.query, from, chunk.end, step),
        { attempts: 3, baseMs: 200, maxMs: Math.max(200, this.cfg.intervalMs / 4) },
        {
          signal: this.io.ctx.signal,
          onRetry: (err, attempt, waitMs) => {
            this.io.metrics.requests.inc({ source: this.cfg.name, outcome: 'retry' });
            this.io.logger.warn({ query: q.name, attempt, waitMs, err: errorMessage(err) }, 'range query failed; retrying');
          },
        },
      );
      this.io.metrics.requests.inc({ source: this.cfg.name, outcome: 'ok' });
      await this.io.reject(q.name, malformed.map((m) => ({ reason: `malformed point: ${m.reason}`, payload: { query: q.cfg.query, metric: m.metric, point: m.point } })));
      const { samples, stale } = toSamples(series, { name: q.name, rate: q.cfg.rate }, chunk);
      if (stale) this.io.metrics.stalePoints.inc({ source: this.cfg.name, query: q.name }, stale);
      await this.io.emit(q.name, samples);
      await this.checkpoints.set(q.key, chunk.end);
      this.io.metrics.checkpointLag.set({ source: this.cfg.name, query: q.name }, (this.io.now() - chunk.end) / 1000);
    }
  }
}
