import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { webhookReceiverSchema } from '../webhook/config.js';
import { slackReceiverSchema } from '../slack/config.js';
import { pagerdutyReceiverSchema } from '../pagerduty/config.js';
import { matcherSchema, type Matcher } from './matchers.js';

export { webhookReceiverSchema, slackReceiverSchema, pagerdutyReceiverSchema };

export const receiverSchema = z.discriminatedUnion('type', [webhookReceiverSchema, slackReceiverSchema, pagerdutyReceiverSchema]);
export type ReceiverConfig = z.infer<typeof receiverSchema>;

/** One node of the route tree (Alertmanager's model). Unset fields are inherited from the parent. */
export interface RouteConfig {
  /** Receiver of alerts that stop at this node. Inherited when unset. */
  receiver?: string | undefined;
  /** All must hold for an alert to enter this node. Empty: every alert. */
  matchers: Matcher[];
  /** Keep trying later sibling routes after this one matched. Default false. */
  continue: boolean;
  /** Labels whose values form the group key. Inherited; root default from `grouping.groupBy`. */
  groupBy?: string[] | undefined;
  /** Time a new group waits for more members, ms. 0: no grouping. Inherited; root default from `grouping.groupWaitMs`. */
  groupWaitMs?: number | undefined;
  /** Child routes, tried in order. */
  routes: RouteConfig[];
}

export const routeSchema: z.ZodType<RouteConfig, unknown> = z.lazy(() =>
  strictObject({
    receiver: z.string().min(1).optional(),
    matchers: z.array(matcherSchema).default([]),
    continue: z.boolean().default(false),
    groupBy: z.array(z.string().min(1)).optional(),
    groupWaitMs: z.int().min(0).max(3_600_000).optional(),
    routes: z.array(routeSchema).default([]),
  }),
);

/** A silence (maintenance window) from configuration. */
export const silenceConfigSchema = strictObject({
  /** Stable id; default derived from the position in the list. */
  id: z.string().min(1).optional(),
  /** Alerts matching all of these are suppressed while the silence is active. At least one. */
  matchers: z.array(matcherSchema).min(1),
  /** Start (ISO 8601). Default: always started. */
  startsAt: z.iso.datetime({ offset: true }).optional(),
  /** End (ISO 8601). Required: a silence without an end hides alerts forever. */
  endsAt: z.iso.datetime({ offset: true }),
  /** Why, for the humans reading `GET /api/silences`. */
  comment: z.string().default(''),
  createdBy: z.string().default('config'),
});
export type SilenceConfig = z.infer<typeof silenceConfigSchema>;

export const alertingSchema = strictObject({
  receivers: z.array(receiverSchema).default([]),
  /**
   * Route tree from alert labels (series labels plus `metric`, `source`, `severity`, `detector`,
   * `series_id`) to receivers. Default: every alert goes to every receiver.
   */
  route: routeSchema.optional(),
  /** Silences from configuration; more can be added at run time through `POST /api/silences`. */
  silences: z.array(silenceConfigSchema).default([]),
  grouping: strictObject({
    /** Default labels forming the group key. Default `[metric]`. */
    groupBy: z.array(z.string().min(1)).default(['metric']),
    /** Default wait for more group members, ms. Default 0 (grouping off: one notification per alert). */
    groupWaitMs: z.int().min(0).max(3_600_000).default(0),
    /** Member alerts carried in one grouped notification (the count covers all). Default 50. */
    maxAlertsPerNotification: z.int().min(1).max(10_000).default(50),
  }).prefault({}),
  /** Delivery attempts per notification before it lands in the failed set. Default 8. */
  attempts: z.int().min(1).max(100).default(8),
  /** First retry backoff, ms (exponential, full jitter). Default 1000. */
  backoffMs: z.int().min(1).default(1000),
  /** Cap on one retry backoff (also caps a server's Retry-After), ms. Default 300000 (5 min). */
  maxBackoffMs: z.int().min(1).default(300_000),
  /**
   * How long completed deliveries are remembered, hours. A repeated alert (same dedup key and
   * state) within this time is not delivered again. Default 24.
   */
  dedupRetentionHours: z.number().positive().max(24 * 90).default(24),
  /** How long deliveries that ran out of attempts stay in the failed set, hours. Default 168 (7 days). */
  failedRetentionHours: z.number().positive().max(24 * 365).default(168),
  /**
   * BullMQ job lock, ms: a notifier that dies mid-delivery holds its jobs this long (at most)
   * before another notifier takes them over. Default 30000.
   */
  lockDurationMs: z.int().min(500).default(30_000),
  /**
   * Bound of each receiver's queue, notifications waiting for delivery or for a retry (BullMQ:
   * waiting + delayed jobs; embedded: the in-process channel). Default 10000.
   */
  queueCapacity: z.int().min(1).max(10_000_000).default(10_000),
  /**
   * What `handle()` does when a receiver's queue is full: `block` (wait for room, so the alerts
   * consumer pauses; nothing is lost) or `drop` (count them as suppressed{reason="queue_full"}).
   * Default `block`.
   */
  whenFull: z.enum(['block', 'drop']).default('block'),
  /**
   * Embedded mode (no redis): on stop, how long queued and in-flight deliveries may still run,
   * retries included, before their retries are aborted and what is left is recorded as failed, ms.
   * (With BullMQ, stop waits only for the attempt in progress; retries wait in Redis.) Default 5000.
   */
  shutdownGraceMs: z.int().min(0).max(120_000).default(5000),
}).superRefine((cfg, ctx) => {
  const names = new Set(cfg.receivers.map((r) => r.name));
  const known = [...names].join(', ') || 'none configured';
  const walk = (route: RouteConfig, path: (string | number)[]): void => {
    if (route.receiver !== undefined && !names.has(route.receiver)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `no receiver by that name; define it under alerting.receivers or use one of: ${known}` });
    }
    route.routes.forEach((r, i) => walk(r, [...path, 'routes', i]));
  };
  if (cfg.route) {
    if (cfg.route.receiver === undefined && cfg.receivers.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: `the root route needs a default receiver; one of: ${known}` });
    }
    walk(cfg.route, ['route']);
  }
  cfg.receivers.forEach((r, i) => {
    if (r.type === 'slack') {
      if ((r.webhookUrl === undefined) === (r.token === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['receivers', i, 'token'], message: 'set exactly one of webhookUrl (incoming-webhook mode) or token (bot mode)' });
      }
      if (r.token !== undefined && r.channel === undefined) {
        ctx.addIssue({ code: 'custom', path: ['receivers', i, 'channel'], message: 'bot mode (token) needs a channel, e.g. "#ops" or "C0123456789"' });
      }
    }
  });
  cfg.silences.forEach((s, i) => {
    if (s.startsAt !== undefined && Date.parse(s.startsAt) >= Date.parse(s.endsAt)) {
      ctx.addIssue({ code: 'custom', path: ['silences', i, 'endsAt'], message: `must be after silences[${i}].startsAt (${s.startsAt})` });
    }
  });
});
export type AlertingConfig = z.infer<typeof alertingSchema>;
