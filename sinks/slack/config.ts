import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { secretSchema } from '../../config/secret.js';
import { receiverCommon } from '../alerting/receiver-common.js';

/**
 * Slack, in one of two modes:
 * - incoming webhook (`webhookUrl`): one message per notification, no threading;
 * - bot token (`token` + `channel`): `chat.postMessage`; a resolution is posted in the thread of
 *   the firing message.
 */
export const slackReceiverSchema = strictObject({
  type: z.literal('slack'),
  ...receiverCommon,
  /** Incoming-webhook URL (secret: it embeds a credential). Set this or `token`. */
  webhookUrl: secretSchema.optional(),
  /** Bot token (`xoxb-…`) for `chat.postMessage`. Set this or `webhookUrl`. */
  token: secretSchema.optional(),
  /** Channel id or name for bot mode, e.g. `C0123456789` or `#ops`. Required with `token`. */
  channel: z.string().min(1).optional(),
  /** Slack Web API base URL. Default `https://slack.com/api` (tests point it at a local server). */
  baseUrl: z.url().default('https://slack.com/api'),
  /** Per-request timeout, ms. Default 5000. */
  timeoutMs: z.int().min(50).max(120_000).default(5000),
});
export type SlackReceiverConfig = z.infer<typeof slackReceiverSchema>;
