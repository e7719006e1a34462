import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

export const prometheusQuerySchema = strictObject({
  /** Name for logs, metrics and checkpoints. Default: the query text. */
  name: z.string().min(1).optional(),
  /** PromQL expression (a selector or any expression returning a vector). */
  query: z.string().min(1),
});

export const prometheusSourceSchema = strictObject({
  type: z.literal('prometheus'),
  /** Name of this source instance. Default `prometheus`. */
  name: z.string().min(1).default('prometheus'),
  /** Base URL of the Prometheus HTTP API, e.g. `http://127.0.0.1:9090`. */
  url: z.url(),
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
});
export type PrometheusSourceConfig = z.infer<typeof prometheusSourceSchema>;
