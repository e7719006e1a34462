import { createHash } from 'node:crypto';
import type { Alert } from '../../pipeline/ports.js';

/**
 * What a receiver delivers: one alert, or a group of alerts that share their group labels and
 * state. `id` is the idempotency key (the BullMQ job id); receivers pass it on (webhook header
 * `X-Seismo-Delivery`) so the far side can drop a repeat after a crash mid-delivery.
 */
export interface Notification {
  id: string;
  receiver: string;
  state: Alert['state'];
  /** Set for grouped notifications. */
  groupKey: string | null;
  /** The values of the group-by labels (empty for single alerts). */
  groupLabels: Record<string, string>;
  /** Member alerts in total (≥ alerts.length). */
  count: number;
  /** The member alerts carried (at most `grouping.maxAlertsPerNotification`). */
  alerts: Alert[];
  /** Members not carried: count - alerts.length. */
  truncated: number;
  /** Base URL of the dashboard, for links. */
  dashboardUrl: string;
  /** True for `seismo alerts test`. */
  test: boolean;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);
}

/** Job id of a single-alert notification: the same alert (dedup key + state) always gets the same id. */
export function alertJobId(alert: Pick<Alert, 'dedupKey' | 'state'>): string {
  return `a-${digest(alert.dedupKey, alert.state)}`;
}

/** Group key: receiver, state and the values of the group-by labels. */
export function groupKeyOf(receiver: string, state: Alert['state'], groupBy: readonly string[], labels: Record<string, string>): { key: string; labels: Record<string, string> } {
  const picked: Record<string, string> = {};
  for (const name of [...groupBy].sort()) picked[name] = labels[name] ?? '';
  return { key: digest(receiver, state, JSON.stringify(picked)), labels: picked };
}

/** Job id of a grouped notification: one per group window. */
export function groupJobId(windowId: string): string {
  return `g-${digest(windowId)}`;
}

export function singleNotification(id: string, receiver: string, alert: Alert, dashboardUrl: string, test = false): Notification {
  return { id, receiver, state: alert.state, groupKey: null, groupLabels: {}, count: 1, alerts: [alert], truncated: 0, dashboardUrl, test };
}

/** The link to one series on the dashboard. */
export function seriesLink(dashboardUrl: string, alert: Alert): string {
  return `${dashboardUrl.replace(/\/+$/, '')}/?series=${encodeURIComponent(alert.series.id)}`;
}

/** A short human title, e.g. `[critical] FIRING cpu_usage{host="a"}` or `3 alerts RESOLVED …`. */
export function notificationTitle(n: Notification): string {
  const a = n.alerts[0];
  const state = n.state === 'firing' ? 'FIRING' : 'RESOLVED';
  const test = n.test ? '[test] ' : '';
  if (!a) return `${test}${state}: ${n.count} alert(s)`;
  const labels = Object.entries(a.series.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const what = `${a.series.name}${labels ? `{${labels}}` : ''}`;
  return n.count > 1 ? `${test}[${a.severity}] ${state}: ${n.count} alerts (${Object.values(n.groupLabels).join(', ') || a.series.name})` : `${test}[${a.severity}] ${state}: ${what}`;
}

/** A synthetic alert for `seismo alerts test`. */
export function testAlert(now: number = Date.now()): Alert {
  const series = { source: 'seismo', name: 'seismo_test_notification', labels: { purpose: 'receiver-test' }, id: 'test' };
  return {
    id: `test-${now}`,
    dedupKey: `seismo-test-${now}`,
    series,
    ts: now,
    value: 1,
    expected: { lo: 0, hi: 0.5 },
    score: 1,
    detector: 'test',
    severity: 'info',
    state: 'firing',
    explanation: 'Test notification sent by `seismo alerts test`; no action needed.',
  };
}
