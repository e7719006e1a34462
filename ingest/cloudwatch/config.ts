import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

export const cloudwatchSourceSchema = strictObject({
  type: z.literal('cloudwatch'),
  name: z.string().min(1).default('cloudwatch'),
  /** AWS region. Default: from the SDK's default chain. */
  region: z.string().min(1).optional(),
  /** Endpoint override (e.g. a local moto server). */
  endpoint: z.url().optional(),
  /** Metrics to read: namespace and metric name, with optional dimension filters. */
  metrics: z
    .array(
      strictObject({
        namespace: z.string().min(1),
        metricName: z.string().min(1).optional(),
        dimensions: z.array(strictObject({ name: z.string().min(1), value: z.string().optional() })).default([]),
        stat: z.string().default('Average'),
      }),
    )
    .min(1),
  /** Period in seconds (a multiple of 60, or 1/5/10/30 for high resolution). Default 60. */
  periodSeconds: z.int().min(1).default(60),
  intervalMs: z.int().min(1000).default(60_000),
  timeoutMs: z.int().min(50).default(30_000),
  backfillMs: z.int().min(0).default(3_600_000),
  /** Trailing window re-read every poll because CloudWatch revises recent datapoints, ms. Default 600000. */
  revisionWindowMs: z.int().min(0).default(600_000),
});
export type CloudwatchSourceConfig = z.infer<typeof cloudwatchSourceSchema>;
