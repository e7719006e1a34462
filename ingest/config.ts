import { z } from 'zod';
import { hostSourceSchema } from './host/config.js';
import { fileSourceSchema } from './file/config.js';
import { prometheusSourceSchema } from './prometheus/config.js';
import { datadogSourceSchema } from './datadog/config.js';
import { cloudwatchSourceSchema } from './cloudwatch/config.js';

/** One configured source; `type` selects the collector. */
export const sourceSchema = z.discriminatedUnion('type', [
  hostSourceSchema,
  fileSourceSchema,
  prometheusSourceSchema,
  datadogSourceSchema,
  cloudwatchSourceSchema,
]);
export type SourceConfig = z.infer<typeof sourceSchema>;
