import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';
import { receiverCommon } from '../alerting/receiver-common.js';

/** A generic HTTP receiver: seismo POSTs the notification as JSON. */
export const webhookReceiverSchema = strictObject({
  type: z.literal('webhook'),
  ...receiverCommon,
  /** Where notifications are POSTed. */
  url: z.url(),
  /** Extra request headers (e.g. an Authorization header for the receiving side). Default none. */
  headers: z.record(z.string(), z.string()).default({}),
  /**
   * HMAC-SHA256 signing secret. When set, every request carries
   * `X-Seismo-Signature: t=<unix seconds>,v1=<hex hmac of "<t>.<body>">`. Default unset (unsigned).
   */
  secret: secretSchema.optional(),
  /** Per-request timeout, ms. Default 5000. */
  timeoutMs: z.int().min(50).max(120_000).default(5000),
});
export type WebhookReceiverConfig = z.infer<typeof webhookReceiverSchema>;
