import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { componentMetrics, type ComponentMetrics } from '../pipeline/telemetry.js';

/**
 * Metrics of the collectors: the standard `seismo_ingest_*` set plus per-source/per-query detail.
 * Several collectors share one registry, so every metric is created once and reused.
 */
export interface IngestMetrics extends ComponentMetrics {
  /** Samples accepted downstream, by source and query. */
  samples: Counter<'source' | 'query'>;
  /** Poll runs by outcome (`ok`, `error`). */
  polls: Counter<'source' | 'outcome'>;
  /** Ticks not run: `busy` (last run still going) or `breaker_open`. */
  skipped: Counter<'source' | 'reason'>;
  /** Errors of one source (the handler's count), by type. */
  sourceErrors: Counter<'source' | 'type'>;
  /** Samples rejected to the dead-letter sink. */
  deadLetters: Counter<'source'>;
  /** Points skipped because the source returned NaN, a staleness marker or null. */
  stalePoints: Counter<'source' | 'query'>;
  /** Points re-emitted because the source revised them (CloudWatch). */
  revisions: Counter<'source' | 'query'>;
  /** Circuit breaker state per source: 0 closed, 1 half-open, 2 open. */
  breakerState: Gauge<'source'>;
  /** Seconds between now and the newest checkpointed timestamp. */
  checkpointLag: Gauge<'source' | 'query'>;
  /** Duration of a poll run. */
  pollDuration: Histogram<'source'>;
  /** HTTP/API requests by outcome. */
  requests: Counter<'source' | 'outcome'>;
}

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function ingestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    reuse(registry, name, () => new Counter<L>({ name, help, labelNames, registers }));
  const gauge = <L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> =>
    reuse(registry, name, () => new Gauge<L>({ name, help, labelNames, registers }));
  return {
    ...componentMetrics(registry, 'ingest'),
    samples: counter('seismo_ingest_samples_total', 'Samples accepted downstream by source and query', ['source', 'query']),
    polls: counter('seismo_ingest_polls_total', 'Poll runs by outcome', ['source', 'outcome']),
    skipped: counter('seismo_ingest_skipped_ticks_total', 'Poll ticks skipped (busy, breaker_open)', ['source', 'reason']),
    sourceErrors: counter('seismo_ingest_source_errors_total', 'Errors per source by type', ['source', 'type']),
    deadLetters: counter('seismo_ingest_dead_letters_total', 'Samples rejected to the dead-letter sink', ['source']),
    stalePoints: counter('seismo_ingest_stale_points_total', 'NaN, stale or null points skipped', ['source', 'query']),
    revisions: counter('seismo_ingest_revisions_total', 'Revised datapoints re-emitted', ['source', 'query']),
    breakerState: gauge('seismo_ingest_breaker_state', 'Circuit breaker: 0 closed, 1 half-open, 2 open', ['source']),
    checkpointLag: gauge('seismo_ingest_checkpoint_lag_seconds', 'Seconds from the checkpoint to now', ['source', 'query']),
    requests: counter('seismo_ingest_requests_total', 'Requests to the source API by outcome', ['source', 'outcome']),
    pollDuration: reuse(
      registry,
      'seismo_ingest_poll_duration_seconds',
      () =>
        new Histogram<'source'>({
          name: 'seismo_ingest_poll_duration_seconds',
          help: 'Duration of a poll run',
          labelNames: ['source'],
          buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
          registers,
        }),
    ),
  };
}
