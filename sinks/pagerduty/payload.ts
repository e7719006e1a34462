import type { Alert } from '../../pipeline/ports.js';
import { alertLabels } from '../alerting/matchers.js';
import { seriesLink } from '../alerting/notification.js';

export type PagerdutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** seismo severity -> PagerDuty severity; anything unknown is `error`. */
export function pagerdutySeverity(severity: string): PagerdutySeverity {
  return severity === 'critical' || severity === 'warning' || severity === 'info' || severity === 'error' ? severity : 'error';
}

export interface PagerdutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerdutySeverity;
    timestamp: string;
    component: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  client?: string;
  client_url?: string;
  links?: Array<{ href: string; text: string }>;
}

/** Events API v2 event for one alert: trigger when firing, resolve (same dedup_key) when resolved. */
export function pagerdutyEvent(alert: Alert, routingKey: string, opts: { source: string; dashboardUrl: string }): PagerdutyEvent {
  if (alert.state === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: alert.dedupKey };
  const labels = Object.entries(alert.series.labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const summary = `${alert.series.name}${labels ? `{${labels}}` : ''} = ${alert.value} outside expected ${alert.expected.lo ?? '–'}…${alert.expected.hi ?? '–'} (score ${alert.score.toFixed(3)})`;
  const link = seriesLink(opts.dashboardUrl, alert);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.dedupKey,
    payload: {
      summary: summary.length > 1024 ? `${summary.slice(0, 1023)}…` : summary,
      source: opts.source,
      severity: pagerdutySeverity(alert.severity),
      timestamp: new Date(alert.ts).toISOString(),
      component: alert.series.name,
      class: alert.detector,
      custom_details: {
        value: alert.value,
        expected: alert.expected,
        score: alert.score,
        detectors: alert.detector,
        explanation: alert.explanation,
        labels: alertLabels(alert),
        series_id: alert.series.id,
        alert_id: alert.id,
      },
    },
    client: 'seismo',
    client_url: link,
    links: [{ href: link, text: 'seismo dashboard' }],
  };
}
