import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';
import { pollingFields } from '../poll-config.js';

export const prometheusQuerySchema = strictObject({
  /** Name for logs, metrics, checkpoints and series without `__name__`. Default: the query text. */
  name: z.string().min(1).optional(),
  /** PromQL expression (a selector or any expression returning a vector). */
  query: z.string().min(1),
  /**
   * Treat the result as a counter and emit its per-second rate between consecutive steps (a drop is
   * a counter reset: the new value counts from zero). Default false.
   */
  rate: z.boolean().default(false),
});

export const prometheusSourceSchema = strictObject({
  type: z.literal('prometheus'),
  /** Name of this source instance. Default `prometheus`. */
  name: z.string().min(1).default('prometheus'),
  /** Base URL of the Prometheus HTTP API, e.g. `http://127.0.0.1:9090` (Thanos/Mimir/Cortex front ends too). */
  url: z.url(),
  /** Path of the API under `url`. Default `/api/v1/` (Mimir: `/prometheus/api/v1/`). */
  apiPath: z.string().startsWith('/').default('/api/v1/'),
  queries: z.array(prometheusQuerySchema).min(1),
  /** Query resolution (range query step), ms. Default 15000. */
  stepMs: z.int().min(100).default(15_000),
  /** Poll interval, ms. Default 15000. */
  intervalMs: z.int().min(100).default(15_000),
  /** Per-request timeout, ms; must be below intervalMs. Default 10000. */
  timeoutMs: z.int().min(50).default(10_000),
  /** How far back to read on first start (no checkpoint), ms. Default 300000 (5 min). */
  backfillMs: z.int().min(0).default(300_000),
  /** Do not read the newest `lagMs` (samples still arriving). Default 0. */
  lagMs: z.int().min(0).default(0),
  /** Largest number of points per series in one request (Prometheus refuses more than 11000). Default 11000. */
  maxPointsPerRequest: z.int().min(2).max(11_000).default(11_000),
  /** Bearer token (`Authorization: Bearer …`), e.g. `{ env: PROM_TOKEN }`. */
  bearerToken: secretSchema.optional(),
  /** HTTP basic authentication. */
  basicAuth: strictObject({ username: z.string().min(1), password: secretSchema }).optional(),
  /** Extra request headers, e.g. `X-Scope-OrgID` for Mimir/Cortex tenants. */
  headers: z.record(z.string().min(1), z.string()).default({}),
  tls: strictObject({
    /** PEM file of the CA that signed the server certificate. */
    caFile: z.string().min(1).optional(),
    /** Accept any server certificate (testing only). Default false. */
    insecureSkipVerify: z.boolean().default(false),
  }).prefault({}),
  ...pollingFields,
});
export type PrometheusSourceConfig = z.infer<typeof prometheusSourceSchema>;
export type PrometheusQueryConfig = z.infer<typeof prometheusQuerySchema>;
