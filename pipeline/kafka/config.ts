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

export const producerSchema = strictObject({
  /**
   * Message encoding of samples and features (consumers read all three whatever is configured).
   * `series-binary` (default): one message per series per emit, a small JSON header (id, series)
   * and the points as float64. `series-batch`: the same grouping, all JSON. `json`: one JSON
   * message per point (easiest for other tools; slowest). Numbers in docs/architecture.md.
   */
  encoding: z.enum(['series-binary', 'series-batch', 'json']).default('series-binary'),
  /** Compression of produced batches: `none` (default, fastest on loopback) or `gzip`. */
  compression: z.enum(['none', 'gzip']).default('none'),
  /** Idempotent producer (acks=all, one request in flight per broker). Default true. */
  idempotent: z.boolean().default(true),
  /** Points per series per message at most, for `series-batch`. Default 500. */
  maxPointsPerMessage: z.int().min(1).max(100_000).default(500),
  /** Timeout of one produce request, ms. Default 30000. */
  timeoutMs: z.int().min(100).default(30_000),
});

export const consumerSchema = strictObject({
  /** Session timeout of the consumer groups, ms. Default 30000. */
  sessionTimeoutMs: z.int().min(1000).default(30_000),
  /** Heartbeat interval, ms; must be well below sessionTimeoutMs. Default 3000. */
  heartbeatIntervalMs: z.int().min(100).default(3000),
  /** Most bytes fetched per partition per request. Default 1 MiB. */
  maxBytesPerPartition: z.int().min(1024).default(1_048_576),
  /** Most bytes fetched per request. Default 10 MiB. */
  maxBytes: z.int().min(1024).default(10_485_760),
  /** Longest a fetch waits for data, ms (latency floor of a quiet topic). Default 100. */
  maxWaitTimeMs: z.int().min(1).default(100),
  /** Partitions a worker processes concurrently (their round trips to Kafka overlap). Default 3. */
  partitionsConsumedConcurrently: z.int().min(1).max(64).default(3),
  /**
   * Commit offsets (of batches whose output is durable) at most this often, ms; 0 commits after
   * every batch. A crash or rebalance redelivers at most this much already-processed input. Default 1000.
   */
  commitIntervalMs: z.int().min(0).max(60_000).default(1000),
  /** Attempts of a failing batch before the consumer restarts from the last committed offset. Default 5. */
  batchAttempts: z.int().min(1).max(100).default(5),
  /** Pause the partition when a batch waits on downstream longer than this, ms. Default 1000. */
  pauseAfterMs: z.int().min(10).default(1000),
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
  producer: producerSchema.prefault({}),
  consumer: consumerSchema.prefault({}),
});
export type KafkaConfig = z.infer<typeof kafkaSchema>;
