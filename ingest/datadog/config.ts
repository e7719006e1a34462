import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';

export const datadogSourceSchema = strictObject({
  type: z.literal('datadog'),
  name: z.string().min(1).default('datadog'),
  /** Datadog site, e.g. `datadoghq.com`, `datadoghq.eu`, `us5.datadoghq.com`. Default `datadoghq.com`. */
  site: z.string().min(1).default('datadoghq.com'),
  /** Override of the API base URL (proxies, tests). */
  baseUrl: z.url().optional(),
  apiKey: secretSchema.default({ env: 'DD_API_KEY' }),
  appKey: secretSchema.default({ env: 'DD_APP_KEY' }),
  queries: z.array(strictObject({ name: z.string().min(1).optional(), query: z.string().min(1) })).min(1),
  intervalMs: z.int().min(1000).default(60_000),
  timeoutMs: z.int().min(50).default(30_000),
  backfillMs: z.int().min(0).default(3_600_000),
});
export type DatadogSourceConfig = z.infer<typeof datadogSourceSchema>;
