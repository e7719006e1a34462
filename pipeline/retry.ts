import { SeismoError } from './errors.js';

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  /** First backoff in ms. */
  baseMs: number;
  /** Cap on a single backoff in ms. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 30_000 };

/** Full-jitter exponential backoff for attempt n (1-based: the wait after the n-th failure). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, a non-retriable error is thrown, or attempts run out; the last error
 * is rethrown so the caller can route the item to its dead-letter place. Honours `retryAfterMs`.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  opts: { signal?: AbortSignal; onRetry?: (err: unknown, attempt: number, waitMs: number) => void } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const retriable = err instanceof SeismoError ? err.retriable : true;
      if (!retriable || attempt >= policy.attempts || opts.signal?.aborted) throw err;
      const hinted = err instanceof SeismoError ? err.retryAfterMs : undefined;
      const wait = Math.min(policy.maxMs, hinted ?? backoffMs(attempt, policy));
      opts.onRetry?.(err, attempt, wait);
      await sleep(wait, opts.signal);
    }
  }
}
