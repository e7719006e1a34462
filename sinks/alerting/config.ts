import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';

export const webhookReceiverSchema = strictObject({
  type: z.literal('webhook'),
  /** Receiver name used by routes and `seismo alerts test --receiver`. */
  name: z.string().min(1),
  url: z.url(),
  /** Extra request headers. */
  headers: z.record(z.string(), z.string()).default({}),
  /** HMAC-SHA256 signing secret; when set, requests carry a signature header. */
  secret: secretSchema.optional(),
  timeoutMs: z.int().min(50).default(5000),
});

export const receiverSchema = z.discriminatedUnion('type', [webhookReceiverSchema]);
export type ReceiverConfig = z.infer<typeof receiverSchema>;

export const alertingSchema = strictObject({
  receivers: z.array(receiverSchema).default([]),
  /** Delivery attempts per notification before it lands in the failed set. Default 8. */
  attempts: z.int().min(1).max(100).default(8),
  /** First retry backoff, ms. Default 1000. */
  backoffMs: z.int().min(1).default(1000),
});
export type AlertingConfig = z.infer<typeof alertingSchema>;
