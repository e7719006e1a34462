import { SeismoError } from './errors.js';

/** Outcome of one call to an HTTP API (Slack, PagerDuty, Datadog, InfluxDB, webhooks). */
export type HttpOutcome =
  | { kind: 'success' }
  | { kind: 'retryable'; reason: string; retryAfterMs?: number }
  | { kind: 'failure'; reason: string };

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Parses a Retry-After header (seconds or HTTP date) into ms from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The one classifier: 2xx success; 408/425/429/5xx-gateway retryable (with Retry-After); the rest failure. */
export function classifyHttp(status: number, headers: { get(name: string): string | null }, body = ''): HttpOutcome {
  if (status >= 200 && status < 300) return { kind: 'success' };
  const reason = `HTTP ${status}${body ? `: ${body.slice(0, 500)}` : ''}`;
  if (RETRYABLE_STATUS.has(status)) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
    return retryAfterMs === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, retryAfterMs };
  }
  return { kind: 'failure', reason };
}

/** Network-level failures (refused, reset, timeout) are retryable. */
export function classifyNetworkError(err: unknown): HttpOutcome {
  return { kind: 'retryable', reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}

/** Turns a non-success outcome into a thrown SeismoError carrying retriable/retryAfterMs. */
export function outcomeToError(outcome: Exclude<HttpOutcome, { kind: 'success' }>, what: string): SeismoError {
  return outcome.kind === 'retryable'
    ? new SeismoError(`${what}: ${outcome.reason}`, { retriable: true, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) })
    : new SeismoError(`${what}: ${outcome.reason}`, { retriable: false });
}
