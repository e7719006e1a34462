import { z } from 'zod';
import { strictObject } from './strict.js';
import { kafkaSchema } from '../pipeline/kafka/config.js';
import { redisSchema } from '../pipeline/redis-config.js';
import { influxdbSchema } from '../sinks/influxdb/config.js';
import { apiSchema } from '../api/config.js';
import { sourceSchema } from '../ingest/config.js';
import { checkpointSchema } from '../ingest/checkpoint/config.js';
import { featuresSchema } from '../features/config.js';
import { detectSchema } from '../detect/config.js';
import { alertingSchema } from '../sinks/alerting/config.js';
import { workersSchema } from '../pipeline/worker-config.js';

export const ROLES = ['collector', 'processor', 'detector', 'notifier', 'api', 'all'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The whole configuration. Omitted sections take their defaults; with no file at all seismo runs
 * embedded: every role in one process, the host's metrics as source, no servers needed.
 */
export const configSchema = strictObject({
  log: strictObject({
    /** pino level. Default `info`. */
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
  api: apiSchema.prefault({}),
  /** Kafka transport. Absent: stages are joined by bounded in-process channels (embedded mode). */
  kafka: kafkaSchema.optional(),
  /** InfluxDB for features, forecasts, scores and alerts. Absent: nothing is written there. */
  influxdb: influxdbSchema.optional(),
  /** Redis for BullMQ delivery and checkpoints. Absent: alerts are delivered in-process. */
  redis: redisSchema.optional(),
  /** Metric sources. Default: the host's own metrics. */
  sources: z.array(sourceSchema).prefault([{ type: 'host' }]),
  /** Where collectors keep their per-query progress (see docs/collectors.md). */
  checkpoint: checkpointSchema.prefault({}),
  features: featuresSchema.prefault({}),
  detect: detectSchema.prefault({}),
  alerting: alertingSchema.prefault({}),
  /** Processor and detector workers: series bound per worker, state snapshots. */
  workers: workersSchema.prefault({}),
  embedded: strictObject({
    /** Capacity of each in-process channel between stages, in items. Default 10000. */
    channelCapacity: z.int().min(1).max(10_000_000).default(10_000),
    /**
     * On shutdown, how long one component (a collector, then each stage in turn) may take to stop
     * before the in-process channels and flush retries are aborted, in ms. Normally the stages
     * drain within it; it only matters when a stage cannot deliver (InfluxDB down), and then what
     * the channels still hold is dropped and counted instead of the process hanging. Keep it above
     * `alerting.shutdownGraceMs`, which bounds the notifier's own stop. Default 10000.
     */
    stopGraceMs: z.int().min(0).max(600_000).default(10_000),
  }).prefault({}),
});
export type SeismoConfig = z.infer<typeof configSchema>;
