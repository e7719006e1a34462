import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { pollingFields } from '../poll-config.js';

export const cloudwatchMetricSchema = strictObject({
  /** Name for logs, metrics and the checkpoint key. Default: namespace/metricName/stat. */
  name: z.string().min(1).optional(),
  namespace: z.string().min(1),
  /** Metric name; omitted: every metric of the namespace that matches the dimension filters. */
  metricName: z.string().min(1).optional(),
  /**
   * Dimension filters for discovery (ListMetrics): a name alone matches any value. Every metric
   * found is read with its full dimension set.
   */
  dimensions: z.array(strictObject({ name: z.string().min(1), value: z.string().optional() })).max(10).default([]),
  /** Statistic: Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99. Default `Average`. */
  stat: z.string().regex(/^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?|p100|[a-zA-Z]{2}\d.*)$/, 'expected Average, Sum, Minimum, Maximum, SampleCount or pNN').default('Average'),
});

export const cloudwatchSourceSchema = strictObject({
  type: z.literal('cloudwatch'),
  name: z.string().min(1).default('cloudwatch'),
  /** AWS region. Default: from the SDK's default chain (AWS_REGION, profile). */
  region: z.string().min(1).optional(),
  /** Endpoint override (e.g. a local moto server `http://127.0.0.1:5000`). */
  endpoint: z.url().optional(),
  /** Metrics to read: namespace and metric name, with optional dimension filters. */
  metrics: z.array(cloudwatchMetricSchema).min(1),
  /** Period in seconds (a multiple of 60, or 1/5/10/30 for high resolution). Default 60. */
  periodSeconds: z.int().min(1).default(60),
  intervalMs: z.int().min(1000).default(60_000),
  /** Per-request timeout, ms; must be below intervalMs. Default 30000. */
  timeoutMs: z.int().min(50).default(30_000),
  /** How far back to read on first start (no checkpoint), ms. Default 3600000 (1 h). */
  backfillMs: z.int().min(0).default(3_600_000),
  /** Trailing window re-read every poll because CloudWatch revises recent datapoints, ms. Default 600000. */
  revisionWindowMs: z.int().min(0).default(600_000),
  /** Do not read periods ending within the newest `lagMs`. Default 0 (revisions catch late data). */
  lagMs: z.int().min(0).default(0),
  /** Queries per GetMetricData call (CloudWatch allows 500). Default 500. */
  maxQueriesPerRequest: z.int().min(1).max(500).default(500),
  /** How often the ListMetrics discovery is refreshed, ms. Default 600000 (10 min). */
  discoveryIntervalMs: z.int().min(1000).default(600_000),
  /**
   * Most recently emitted values remembered per metric entry, to emit revisions only when a value
   * changed; kept in the checkpoint. Default 200000.
   */
  maxTrackedPoints: z.int().min(0).default(200_000),
  ...pollingFields,
});
export type CloudwatchSourceConfig = z.infer<typeof cloudwatchSourceSchema>;
export type CloudwatchMetricConfig = z.infer<typeof cloudwatchMetricSchema>;
