import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';
import { pollingFields } from '../poll-config.js';

export const datadogQuerySchema = strictObject({
  /** Series name and checkpoint key. Default: the query text. */
  name: z.string().min(1).optional(),
  /** Datadog metric query, e.g. `avg:system.cpu.user{env:prod} by {host}`. */
  query: z.string().min(1),
});

export const datadogSourceSchema = strictObject({
  type: z.literal('datadog'),
  name: z.string().min(1).default('datadog'),
  /** Datadog site, e.g. `datadoghq.com`, `datadoghq.eu`, `us5.datadoghq.com`. Default `datadoghq.com`. */
  site: z.string().min(1).default('datadoghq.com'),
  /** Override of the API base URL (proxies, tests), e.g. `http://127.0.0.1:8125`. */
  baseUrl: z.url().optional(),
  apiKey: secretSchema.default({ env: 'DD_API_KEY' }),
  appKey: secretSchema.default({ env: 'DD_APP_KEY' }),
  /**
   * `v2`: POST /api/v2/query/timeseries. `v1`: GET /api/v1/query. `auto` (default): v2, falling
   * back to v1 for good when v2 answers 404 or 403.
   */
  api: z.enum(['auto', 'v2', 'v1']).default('auto'),
  queries: z.array(datadogQuerySchema).min(1),
  intervalMs: z.int().min(1000).default(60_000),
  /** Per-request timeout, ms; must be below intervalMs. Default 30000. */
  timeoutMs: z.int().min(50).default(30_000),
  /** How far back to read on first start (no checkpoint), ms. Default 3600000 (1 h). */
  backfillMs: z.int().min(0).default(3_600_000),
  /** Do not read the newest `lagMs`: Datadog's newest rollup bucket is still filling. Default 60000. */
  lagMs: z.int().min(0).default(60_000),
  /** Longest time range of one request; longer windows are read in chunks. Default 3600000 (1 h). */
  chunkMs: z.int().min(1000).default(3_600_000),
  /** Rollup interval asked of the v2 API, ms. Default: Datadog chooses. */
  rollupMs: z.int().min(1000).optional(),
  /** When X-RateLimit-Remaining drops to this, wait for X-RateLimit-Reset before the next request. Default 1. */
  minRateLimitRemaining: z.int().min(0).default(1),
  /** Attempts per request on 429/5xx/timeouts (waiting as the server says). Default 4. */
  maxAttempts: z.int().min(1).max(20).default(4),
  ...pollingFields,
});
export type DatadogSourceConfig = z.infer<typeof datadogSourceSchema>;
export type DatadogQueryConfig = z.infer<typeof datadogQuerySchema>;
