import type { Context } from '../pipeline/component.js';
import type { DeadLetterSink, Emitter } from '../pipeline/ports.js';
import type { Sample } from './sample.js';
import { sourceSchema, type SourceConfig } from './config.js';
import { SourceIO, type Collector, type CollectorDeps } from './collector.js';
import { HostCollector } from './host/collector.js';
import { FileCollector } from './file/collector.js';
import { PrometheusCollector } from './prometheus/collector.js';
import { DatadogCollector } from './datadog/collector.js';
import { CloudwatchCollector } from './cloudwatch/collector.js';

export type { Collector, CollectorDeps } from './collector.js';
export type { CheckpointStore } from './checkpoint/store.js';
export { createCheckpointStore, MemoryCheckpointStore, FileCheckpointStore, RedisCheckpointStore } from './checkpoint/index.js';

/** Name of a configured source as used in logs, metrics and checkpoint keys. */
export function sourceName(source: SourceConfig): string {
  return source.name ?? source.type;
}

/**
 * Builds the collector of one configured source. Samples are validated (bad ones go to `dlq` with a
 * reason) and passed to `out.emit`, whose resolution is the backpressure signal; checkpoints advance
 * only after it resolved.
 */
export function createCollector(
  source: SourceConfig,
  ctx: Context,
  out: Emitter<Sample>,
  dlq: DeadLetterSink,
  deps: CollectorDeps,
): Collector {
  // Defaults written as literal values (e.g. the embedded default source) skip zod's parsing: apply them here.
  const cfg = sourceSchema.parse(source);
  const name = sourceName(cfg);
  const io = new SourceIO(cfg.type, name, ctx, out, dlq, deps.now);
  const keyPath = `sources[name=${name}]`;
  switch (cfg.type) {
    case 'host':
      return new HostCollector(io, cfg);
    case 'file':
      return new FileCollector(io, cfg);
    case 'prometheus':
      return new PrometheusCollector(io, cfg, deps.checkpoints, deps.backfillMs ?? cfg.backfillMs, keyPath);
    case 'datadog':
      return new DatadogCollector(io, cfg, deps.checkpoints, deps.backfillMs ?? cfg.backfillMs, keyPath);
    case 'cloudwatch':
      return new CloudwatchCollector(io, cfg, deps.checkpoints, deps.backfillMs ?? cfg.backfillMs);
  }
}
