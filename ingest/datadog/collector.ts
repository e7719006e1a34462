import { createHash } from 'node:crypto';
import { withRetry } from '../../pipeline/retry.js';
import { errorMessage } from '../../pipeline/errors.js';
import { seriesId, type Sample, type SeriesRef } from '../sample.js';
import { PollingCollector, type RunControl, type SourceIO } from '../collector.js';
import { checkpointKey } from '../checkpoint/index.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { DatadogQueryConfig, DatadogSourceConfig } from './config.js';
import { DatadogClient, DatadogHttpError } from './client.js';
import { timeChunks, type DatadogSeries } from './format.js';

interface QueryState {
  cfg: DatadogQueryConfig;
  name: string;
  key: string;
}

/** Samples of one chunk: points in [from, to], null points skipped and counted. */
export function datadogSamples(series: DatadogSeries[], name: string, from: number, to: number): { samples: Sample[]; nulls: number } {
  const samples: Sample[] = [];
  let nulls = 0;
  for (const s of series) {
    const ref: SeriesRef = { source: 'datadog', name, labels: s.tags };
    const id = seriesId(ref);
    for (const p of s.points) {
      if (p.ts < from || p.ts > to) continue;
      if (p.value === null) nulls++;
      else samples.push({ series: ref, id, ts: p.ts, value: p.value });
    }
  }
  return { samples, nulls };
}

/**
 * Polls Datadog metric queries from a checkpoint per query (the last millisecond covered), in time
 * chunks of at most chunkMs, through v2 timeseries or v1 query. Series are named after the query
 * (its `name`, else its text) in both API versions, so a fallback keeps series ids unchanged.
 */
export class DatadogCollector extends PollingCollector {
  private readonly client: DatadogClient;
  private readonly queries: QueryState[];
  private api: 'v2' | 'v1';

  constructor(
    io: SourceIO,
    private readonly cfg: DatadogSourceConfig,
    private readonly checkpoints: CheckpointStore,
    private readonly backfillMs: number,
    keyPath: string,
  ) {
    super(io, cfg);
    this.api = cfg.api === 'v1' ? 'v1' : 'v2';
    this.client = new DatadogClient(cfg, keyPath, io.ctx.signal, {
      onThrottle: (waitMs, remaining) => {
        io.metrics.requests.inc({ source: cfg.name, outcome: 'throttled' });
        io.logger.info({ waitMs, remaining }, 'rate limit nearly used up; pausing requests until reset');
      },
    });
    io.logger.info({ url: this.client.apiUrl, api: cfg.api }, 'datadog collector configured');
    this.queries = cfg.queries.map((q) => ({
      cfg: q,
      name: q.name ?? q.query,
      key: checkpointKey(cfg.name, q.name ?? `q-${createHash('sha256').update(q.query).digest('hex').slice(0, 12)}`),
    }));
  }

  /** The API version in use (`v1` after a fallback). */
  get apiVersion(): 'v2' | 'v1' {
    return this.api;
  }

  protected poll(control: RunControl): Promise<void> {
    return this.pollEach(this.queries, control, ['query', 'queries'], (q) => this.pollQuery(q, control));
  }

  private async pollQuery(q: QueryState, control: RunControl): Promise<void> {
    const now = this.io.now();
    const checkpoint = (await this.checkpoints.get<number>(q.key)) ?? now - this.backfillMs;
    const end = now - this.cfg.lagMs;
    for (const chunk of timeChunks(checkpoint, end, this.cfg.chunkMs)) {
      if (control.stopping) return;
      const series = await withRetry(
        () => this.fetch(q, chunk.from, chunk.to),
        { attempts: this.cfg.maxAttempts, baseMs: 500, maxMs: 120_000 },
        {
          signal: this.io.ctx.signal,
          onRetry: (err, attempt, waitMs) => {
            this.io.metrics.requests.inc({ source: this.cfg.name, outcome: err instanceof DatadogHttpError && err.status === 429 ? 'rate_limited' : 'retry' });
            this.io.logger.warn({ query: q.name, attempt, waitMs, err: errorMessage(err) }, 'datadog request failed; retrying');
          },
        },
      );
      this.io.metrics.requests.inc({ source: this.cfg.name, outcome: 'ok' });
      const { samples, nulls } = datadogSamples(series, q.name, chunk.from, chunk.to);
      if (nulls) this.io.metrics.stalePoints.inc({ source: this.cfg.name, query: q.name }, nulls);
      await this.io.emit(q.name, samples);
      await this.checkpoints.set(q.key, chunk.to);
      this.io.metrics.checkpointLag.set({ source: this.cfg.name, query: q.name }, (this.io.now() - chunk.to) / 1000);
    }
  }

  private async fetch(q: QueryState, from: number, to: number): Promise<DatadogSeries[]> {
    if (this.api === 'v1') return this.client.queryV1(q.cfg.query, from, to);
    try {
      return await this.client.queryV2(q.cfg.query, from, to, this.cfg.rollupMs);
    } catch (err) {
      if (this.cfg.api === 'auto' && err instanceof DatadogHttpError && (err.status === 404 || err.status === 403)) {
        this.api = 'v1';
        this.io.logger.warn({ status: err.status }, 'v2 timeseries API unavailable; falling back to v1 query');
        return this.client.queryV1(q.cfg.query, from, to);
      }
      throw err;
    }
  }
}
