import type { Notification } from './notification.js';
import type { KeyValueStore } from './kv.js';
import type { ReceiverConfig } from './config.js';
import { WebhookReceiver } from '../webhook/receiver.js';
import { SlackReceiver } from '../slack/receiver.js';
import { PagerdutyReceiver } from '../pagerduty/receiver.js';

/**
 * Delivers notifications to one destination. `deliver` resolves when the destination acknowledged
 * it and returns a short detail (e.g. Slack's message ts); it throws a SeismoError whose
 * `retriable` / `retryAfterMs` say whether and when trying again can help.
 */
export interface Receiver {
  readonly name: string;
  readonly type: ReceiverConfig['type'];
  deliver(n: Notification, signal?: AbortSignal): Promise<string>;
}

export interface ReceiverDeps {
  /** Where delivery state lives (Slack thread ids). */
  kv: KeyValueStore;
  /** Reads a secret from configuration (`resolveSecret`), `keyPath` naming it in errors. */
  secret: (value: NonNullable<Parameters<typeof import('../../config/load.js').resolveSecret>[0]>, keyPath: string) => string;
}

export function createReceiver(cfg: ReceiverConfig, index: number, deps: ReceiverDeps): Receiver {
  const keyPath = `alerting.receivers[${index}]`;
  switch (cfg.type) {
    case 'webhook':
      return new WebhookReceiver(cfg, cfg.secret === undefined ? undefined : deps.secret(cfg.secret, `${keyPath}.secret`));
    case 'slack':
      return new SlackReceiver(cfg, {
        kv: deps.kv,
        ...(cfg.token !== undefined ? { token: deps.secret(cfg.token, `${keyPath}.token`) } : {}),
        ...(cfg.webhookUrl !== undefined ? { webhookUrl: deps.secret(cfg.webhookUrl, `${keyPath}.webhookUrl`) } : {}),
      });
    case 'pagerduty':
      return new PagerdutyReceiver(cfg, deps.secret(cfg.routingKey, `${keyPath}.routingKey`));
  }
}
