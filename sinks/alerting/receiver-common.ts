import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

/** Fields every receiver has, whatever its type. */
export const receiverCommon = {
  /** Receiver name used by routes and `seismo alerts test --receiver`. Unique. */
  name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only'),
  /**
   * Delivery rate limit of this receiver, across every notifier process (BullMQ limiter):
   * at most `max` notifications per `durationMs`. Default unlimited.
   */
  rateLimit: strictObject({
    /** Notifications allowed per window. */
    max: z.int().min(1),
    /** Window length, ms. */
    durationMs: z.int().min(1),
  }).optional(),
  /** Deliver resolutions too (PagerDuty resolve, Slack thread reply). Default true. */
  sendResolved: z.boolean().default(true),
  /** Notifications delivered concurrently by one notifier process. Default 4. */
  concurrency: z.int().min(1).max(256).default(4),
};
