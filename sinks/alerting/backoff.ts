import { SeismoError } from '../../pipeline/errors.js';
import { backoffMs, type RetryPolicy } from '../../pipeline/retry.js';

/**
 * Wait before delivery attempt `attemptsMade + 1`: the server's Retry-After when the error carries
 * one, else exponential backoff with full jitter (pipeline/retry.ts); either way capped at `maxMs`.
 * This is BullMQ's custom backoff strategy for every receiver queue.
 */
export function deliveryBackoffMs(attemptsMade: number, err: unknown, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const hinted = err instanceof SeismoError ? err.retryAfterMs : undefined;
  return Math.min(policy.maxMs, hinted ?? backoffMs(attemptsMade, { attempts: Number.MAX_SAFE_INTEGER, ...policy }, random));
}
