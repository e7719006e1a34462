import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';
import { receiverCommon } from '../alerting/receiver-common.js';

/** PagerDuty Events API v2: trigger on firing, resolve on recovery, same `dedup_key`. */
export const pagerdutyReceiverSchema = strictObject({
  type: z.literal('pagerduty'),
  ...receiverCommon,
  /** Integration (routing) key of the PagerDuty service. A secret: use `{ env }` or `{ file }`. */
  routingKey: secretSchema,
  /** Events API base URL. Default `https://events.pagerduty.com` (tests point it at a local server). */
  baseUrl: z.url().default('https://events.pagerduty.com'),
  /** `source` field of the event. Default `seismo`. */
  source: z.string().min(1).default('seismo'),
  /** Per-request timeout, ms. Default 5000. */
  timeoutMs: z.int().min(50).max(120_000).default(5000),
});
export type PagerdutyReceiverConfig = z.infer<typeof pagerdutyReceiverSchema>;
