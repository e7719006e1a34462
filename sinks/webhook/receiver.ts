import type { Receiver } from '../alerting/receiver.js';
import type { Notification } from '../alerting/notification.js';
import { post, ensureSuccess } from '../alerting/http.js';
import { signatureHeader, SIGNATURE_HEADER } from './signature.js';
import type { WebhookReceiverConfig } from './config.js';

/** The JSON body POSTed to a webhook (version 1). */
export function webhookBody(n: Notification): Record<string, unknown> {
  return {
    version: 1,
    id: n.id,
    receiver: n.receiver,
    state: n.state,
    test: n.test,
    groupKey: n.groupKey,
    groupLabels: n.groupLabels,
    count: n.count,
    truncated: n.truncated,
    dashboardUrl: n.dashboardUrl,
    alerts: n.alerts,
  };
}

export class WebhookReceiver implements Receiver {
  readonly type = 'webhook' as const;
  readonly name: string;

  constructor(
    private readonly cfg: WebhookReceiverConfig,
    private readonly secret: string | undefined,
  ) {
    this.name = cfg.name;
  }

  async deliver(n: Notification, signal?: AbortSignal): Promise<string> {
    const body = JSON.stringify(webhookBody(n));
    const headers: Record<string, string> = {
      'user-agent': 'seismo-notifier',
      ...this.cfg.headers,
      'content-type': 'application/json',
      'x-seismo-delivery': n.id,
    };
    if (this.secret !== undefined) headers[SIGNATURE_HEADER.toLowerCase()] = signatureHeader(this.secret, body);
    const reply = await post(this.cfg.url, body, headers, this.cfg.timeoutMs, signal);
    ensureSuccess(reply, `webhook ${this.name}`);
    return `HTTP ${reply.status}`;
  }
}
