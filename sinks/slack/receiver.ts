import { SeismoError } from '../../pipeline/errors.js';
import { parseRetryAfter } from '../../pipeline/http-result.js';
import type { Receiver } from '../alerting/receiver.js';
import type { Notification } from '../alerting/notification.js';
import type { KeyValueStore } from '../alerting/kv.js';
import { post, ensureSuccess, redact } from '../alerting/http.js';
import { slackMessage } from './blocks.js';
import type { SlackReceiverConfig } from './config.js';

/** Slack Web API `error` codes worth retrying; any other `ok:false` error is permanent. */
const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** How long the firing message's ts is kept for threading the resolution. 7 days. */
const THREAD_TTL_MS = 7 * 24 * 3600_000;

/** Turns a Web API reply body into success (the message ts) or a classified SeismoError. */
export function classifySlackApiBody(body: string, retryAfter: string | null): { ts: string } {
  let parsed: { ok?: boolean; error?: string; ts?: string };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    throw new SeismoError(`slack: unreadable reply: ${body.slice(0, 200)}`, { retriable: true });
  }
  if (parsed.ok === true) return { ts: parsed.ts ?? '' };
  const error = parsed.error ?? 'unknown_error';
  if (RETRYABLE_SLACK_ERRORS.has(error)) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    throw new SeismoError(`slack: ${error}`, { retriable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  throw new SeismoError(`slack: ${error}`, { retriable: false });
}

export class SlackReceiver implements Receiver {
  readonly type = 'slack' as const;
  readonly name: string;

  constructor(
    private readonly cfg: SlackReceiverConfig,
    private readonly deps: { kv: KeyValueStore; token?: string; webhookUrl?: string },
  ) {
    this.name = cfg.name;
  }

  private threadKey(dedupKey: string): string {
    return `slack-thread:${this.name}:${dedupKey}`;
  }

  async deliver(n: Notification, signal?: AbortSignal): Promise<string> {
    const message = slackMessage(n);
    if (this.deps.webhookUrl !== undefined) {
      const reply = await post(this.deps.webhookUrl, JSON.stringify(message), { 'content-type': 'application/json' }, this.cfg.timeoutMs, signal);
      ensureSuccess(reply, `slack ${this.name} (${redact(this.deps.webhookUrl)})`);
      return 'posted via incoming webhook';
    }
    const first = n.alerts[0];
    const threadTs = n.state === 'resolved' && first ? await this.deps.kv.get(this.threadKey(first.dedupKey)) : null;
    const payload = { channel: this.cfg.channel, ...message, ...(threadTs ? { thread_ts: threadTs, reply_broadcast: false } : {}) };
    const reply = await post(`${this.cfg.baseUrl.replace(/\/+$/, '')}/chat.postMessage`, JSON.stringify(payload), { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${this.deps.token ?? ''}` }, this.cfg.timeoutMs, signal);
    ensureSuccess(reply, `slack ${this.name} chat.postMessage`);
    const { ts } = classifySlackApiBody(reply.body, reply.headers.get('retry-after'));
    if (n.state === 'firing' && ts) {
      for (const a of n.alerts) await this.deps.kv.set(this.threadKey(a.dedupKey), ts, THREAD_TTL_MS);
    }
    return threadTs ? `ts ${ts} in thread ${threadTs}` : `ts ${ts}`;
  }
}
