import { SeismoError } from '../../pipeline/errors.js';
import type { Receiver } from '../alerting/receiver.js';
import type { Notification } from '../alerting/notification.js';
import { post } from '../alerting/http.js';
import { pagerdutyEvent } from './payload.js';
import type { PagerdutyReceiverConfig } from './config.js';

/** PagerDuty's error reply, e.g. `{"status":"invalid event","message":"Event object is invalid","errors":["..."]}`. */
function pagerdutyReason(body: string, fallback: string): string {
  try {
    const p = JSON.parse(body) as { status?: string; message?: string; errors?: unknown[] };
    const parts = [p.message ?? p.status, ...(Array.isArray(p.errors) ? p.errors.map(String) : [])].filter(Boolean);
    return parts.length ? parts.join('; ') : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Events API v2. A grouped notification becomes one event per carried alert (PagerDuty groups
 * by dedup_key itself), sent in order; a retry resends them all, which PagerDuty deduplicates.
 */
export class PagerdutyReceiver implements Receiver {
  readonly type = 'pagerduty' as const;
  readonly name: string;

  constructor(
    private readonly cfg: PagerdutyReceiverConfig,
    private readonly routingKey: string,
  ) {
    this.name = cfg.name;
  }

  async deliver(n: Notification, signal?: AbortSignal): Promise<string> {
    const url = `${this.cfg.baseUrl.replace(/\/+$/, '')}/v2/enqueue`;
    const keys: string[] = [];
    for (const alert of n.alerts) {
      const event = pagerdutyEvent(alert, this.routingKey, { source: this.cfg.source, dashboardUrl: n.dashboardUrl });
      const reply = await post(url, JSON.stringify(event), { 'content-type': 'application/json' }, this.cfg.timeoutMs, signal);
      const o = reply.outcome;
      if (o.kind === 'retryable') {
        throw new SeismoError(`pagerduty ${this.name}: ${pagerdutyReason(reply.body, o.reason)} (HTTP ${reply.status})`, { retriable: true, ...(o.retryAfterMs !== undefined ? { retryAfterMs: o.retryAfterMs } : {}) });
      }
      if (o.kind === 'failure') {
        throw new SeismoError(`pagerduty ${this.name}: HTTP ${reply.status}: ${pagerdutyReason(reply.body, o.reason)}`, { retriable: false });
      }
      keys.push(`${event.event_action} ${event.dedup_key}`);
    }
    return keys.join(', ');
  }
}
