import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

export const topicsSchema = strictObject({
  /** Raw samples from collectors, keyed by series id. */
  samples: z.string().min(1).default('seismo.samples'),
  /** Rolling features per series. */
  features: z.string().min(1).default('seismo.features'),
  /** Alerts (firing and resolved). */
  alerts: z.string().min(1).default('seismo.alerts'),
  /** Dead letters: rejected input with a reason. */
  dlq: z.string().min(1).default('seismo.dlq'),
  /** Compacted per-series state snapshots. */
  state: z.string().min(1).default('seismo.state'),
});

export const kafkaSchema = strictObject({
  /** Bootstrap brokers, `host:port`. */
  brokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')).min(1),
  /** Client id reported to the brokers. Default `seismo`. */
  clientId: z.string().min(1).default('seismo'),
  /** Prefix of consumer group ids (`<prefix>-processor`, `<prefix>-detector`, ...). Default `seismo`. */
  groupPrefix: z.string().min(1).default('seismo'),
  topics: topicsSchema.prefault({}),
  /** Partitions for topics seismo creates. Default 6. */
  partitions: z.int().min(1).max(10_000).default(6),
  /** Replication factor for topics seismo creates. Default 1 (single broker). */
  replicationFactor: z.int().min(1).max(16).default(1),
  /** Retention of the samples topic, long enough for replay. Default 168 h (7 days). */
  samplesRetentionHours: z.number().positive().default(168),
  /** Create missing topics at start. Default true. */
  createTopics: z.boolean().default(true),
  /** Connection timeout in ms. Default 5000. */
  connectionTimeoutMs: z.int().min(100).default(5000),
});
export type KafkaConfig = z.infer<typeof kafkaSchema>;
