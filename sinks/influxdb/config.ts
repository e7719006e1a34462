import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';

export const influxdbSchema = strictObject({
  /** Base URL, e.g. `http://127.0.0.1:8086`. */
  url: z.url(),
  /** API token (v2/v3) or `user:password` (1.8 v2 write API). Secret. */
  token: secretSchema.optional(),
  /** Organisation (v2). Ignored by 1.x. Default `seismo`. */
  org: z.string().default('seismo'),
  /** Bucket for the v2 write API; on 1.8 this is `database/retentionPolicy`. Default `seismo`. */
  bucket: z.string().min(1).default('seismo'),
  /** Database for InfluxQL queries and v1 writes. Default `seismo`. */
  database: z.string().min(1).default('seismo'),
  /** Retention policy for v1 writes. Default `autogen`. */
  retentionPolicy: z.string().min(1).default('autogen'),
  /** `v2`: /api/v2/write through @influxdata/influxdb-client (2.x, 3.x, 1.8+). `v1`: /write?db=&rp= (1.x before 1.8). */
  writeMode: z.enum(['v2', 'v1']).default('v2'),
  /** Create the database at start if missing (1.x). Default true. */
  createDatabase: z.boolean().default(true),
  /** Points per write batch. Default 5000. */
  batchSize: z.int().min(1).max(100_000).default(5000),
  /** Flush at least this often, ms. Default 1000. */
  flushIntervalMs: z.int().min(10).default(1000),
  /** Maximum points buffered before the writer blocks its producer. Default 100000. */
  maxBufferPoints: z.int().min(1).default(100_000),
  /** HTTP timeout per request, ms. Default 10000. */
  timeoutMs: z.int().min(100).default(10_000),
});
export type InfluxdbConfig = z.infer<typeof influxdbSchema>;
