import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { componentMetrics, type ComponentMetrics } from '../../pipeline/telemetry.js';
import type { Notification } from './notification.js';

/** Why an alert was not turned into a notification. */
/**
 * Why an alert was not delivered: `silenced` (at acceptance), `silenced_in_queue` (a silence that
 * began while it waited in a queue or group), `duplicate`, `no_route`, `resolved_not_sent`
 * (receiver with sendResolved: false), `queue_full` (whenFull: drop), `invalid` (malformed alert,
 * dead-lettered).
 */
export type SuppressReason = 'silenced' | 'silenced_in_queue' | 'duplicate' | 'no_route' | 'resolved_not_sent' | 'queue_full' | 'invalid';

/**
 * `seismo_notifier_*`: received (alerts handed to handle()), sent (notifications acknowledged by a
 * receiver), dropped (alerts suppressed, any reason) and suppressed{reason}, grouped (alerts merged
 * into a group notification), errors{type}, failed{receiver} (ran out of attempts), queue depth per
 * receiver and state, delivery latency from the alert's timestamp to the receiver's acknowledgement.
 */
export interface NotifierMetrics extends ComponentMetrics {
  suppressed: Counter<'reason'>;
  grouped: Counter<'receiver'>;
  alertsDelivered: Counter<'receiver'>;
  failed: Counter<'receiver'>;
  queueDepth: Gauge<'receiver' | 'state'>;
  latency: Histogram<'receiver'>;
}

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function notifierMetrics(registry: Registry): NotifierMetrics {
  const base = componentMetrics(registry, 'notifier');
  return {
    ...base,
    suppressed: reuse(registry, 'seismo_notifier_suppressed_total', () => new Counter({ name: 'seismo_notifier_suppressed_total', help: 'Alerts not delivered, by reason (silenced, silenced_in_queue, duplicate, no_route, resolved_not_sent, queue_full, invalid)', labelNames: ['reason'], registers: [registry] })),
    grouped: reuse(registry, 'seismo_notifier_grouped_total', () => new Counter({ name: 'seismo_notifier_grouped_total', help: 'Alerts accepted into a group notification', labelNames: ['receiver'], registers: [registry] })),
    alertsDelivered: reuse(registry, 'seismo_notifier_alerts_delivered_total', () => new Counter({ name: 'seismo_notifier_alerts_delivered_total', help: 'Member alerts in notifications a receiver acknowledged (counts every member of a group)', labelNames: ['receiver'], registers: [registry] })),
    failed: reuse(registry, 'seismo_notifier_failed_total', () => new Counter({ name: 'seismo_notifier_failed_total', help: 'Notifications that ran out of attempts or failed permanently', labelNames: ['receiver'], registers: [registry] })),
    queueDepth: reuse(registry, 'seismo_notifier_queue_depth', () => new Gauge({ name: 'seismo_notifier_queue_depth', help: 'Notifications queued per receiver and state (waiting, delayed, active, failed)', labelNames: ['receiver', 'state'], registers: [registry] })),
    latency: reuse(registry, 'seismo_notifier_delivery_latency_seconds', () =>
      new Histogram({
        name: 'seismo_notifier_delivery_latency_seconds',
        help: 'Seconds from the alert timestamp to the receiver acknowledging its notification',
        labelNames: ['receiver'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
        registers: [registry],
      }),
    ),
  };
}

/** Metrics and one log line for a notification a receiver acknowledged. */
export function recordDelivered(m: NotifierMetrics, logger: Logger, n: Notification, detail: string, now: number = Date.now()): void {
  m.sent.inc();
  m.alertsDelivered.inc({ receiver: n.receiver }, n.count);
  for (const a of n.alerts) m.latency.observe({ receiver: n.receiver }, Math.max(0, now - a.ts) / 1000);
  const first = n.alerts[0];
  logger.info({ receiver: n.receiver, notification: n.id, state: n.state, count: n.count, series: n.count === 1 ? first?.series.id : undefined, dedupKey: n.count === 1 ? first?.dedupKey : undefined, detail }, 'notification delivered');
}
