import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';

export const influxdbSchema = strictObject({
  /** Base URL, e.g. `http://127.0.0.1:8086`. */
  url: z.url(),
  /** API token (v2/v3) or `user:password` (1.x). Secret. Absent: no authentication. */
  token: secretSchema.optional(),
  /** Organisation (v2). Ignored by 1.x. Default `seismo`. */
  org: z.string().default('seismo'),
  /** Bucket for the v2 write API. Default `<database>/<retentionPolicy>`, which is what 1.8 expects. */
  bucket: z.string().min(1).optional(),
  /** Database for InfluxQL queries and v1 writes. Default `seismo`. */
  database: z.string().min(1).default('seismo'),
  /** Retention policy for v1 writes. Default `autogen`. */
  retentionPolicy: z.string().min(1).default('autogen'),
  /** `v2`: /api/v2/write through @influxdata/influxdb-client (2.x, 3.x, 1.8+). `v1`: /write?db=&rp= (1.x before 1.8). */
  writeMode: z.enum(['v2', 'v1']).default('v2'),
  /** Create the database at start if missing (`CREATE DATABASE` over /query, 1.x). Default true. */
  createDatabase: z.boolean().default(true),
  /** Points per write batch. Default 5000. */
  batchSize: z.int().min(1).max(100_000).default(5000),
  /** Bytes of line protocol per write batch; a batch is cut at whichever of batchSize and this comes first. Default 4 MB. */
  maxBatchBytes: z.int().min(1024).max(100_000_000).default(4_000_000),
  /**
   * Batches sent at the same time. 1 (default) keeps batches strictly in order, so the later of two
   * writes of the same point always wins; more raises throughput when InfluxDB has cores to spare.
   */
  maxInFlightBatches: z.int().min(1).max(16).default(1),
  /** Flush at least this often, ms. Default 1000. */
  flushIntervalMs: z.int().min(10).default(1000),
  /** Maximum points buffered (queued plus in flight) before `write()` waits. Default 100000. */
  maxBufferPoints: z.int().min(1).default(100_000),
  /** Maximum bytes of line protocol buffered before `write()` waits. Default 64 MiB. */
  maxBufferBytes: z.int().min(1024).default(64 * 1024 * 1024),
  /** HTTP timeout per request, ms. Default 10000. */
  timeoutMs: z.int().min(100).default(10_000),
  /** Retries of a failed batch (timeouts, 5xx, 429 honouring Retry-After); after the last the error goes to the caller. */
  retry: strictObject({
    /** Attempts in total, the first included. Default 5. */
    attempts: z.int().min(1).max(100).default(5),
    /** First backoff, ms (exponential with full jitter after it). Default 200. */
    baseMs: z.int().min(1).default(200),
    /** Cap on one backoff, ms, including a server's Retry-After. Default 30000. */
    maxMs: z.int().min(1).default(30_000),
  }).prefault({}),
  /** Series labels written as tags (`l_<label>`), in label-name order; the rest are left out. Default 32. */
  maxLabelTags: z.int().min(0).max(256).default(32),
  /** Longest tag value written, in characters; longer ones are cut. Default 256. */
  maxTagValueLength: z.int().min(16).max(65_535).default(256),
});
export type InfluxdbConfig = z.infer<typeof influxdbSchema>;

/** The v2 bucket the writer uses: the configured one, or `<database>/<retentionPolicy>`. */
export function effectiveBucket(cfg: Pick<InfluxdbConfig, 'bucket' | 'database' | 'retentionPolicy'>): string {
  return cfg.bucket ?? `${cfg.database}/${cfg.retentionPolicy}`;
}
