import { SeismoError } from '../../pipeline/errors.js';
import { classifyHttp, classifyNetworkError, outcomeToError, type HttpOutcome } from '../../pipeline/http-result.js';

export interface HttpReply {
  status: number;
  headers: Headers;
  body: string;
  outcome: HttpOutcome;
}

/**
 * POSTs a body and classifies the reply with the one HTTP classifier. Network errors and
 * timeouts become retryable SeismoErrors; any HTTP reply is returned for the caller to judge.
 */
export async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HttpReply> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', body, headers, signal: combined, redirect: 'error' });
    text = await res.text();
  } catch (err) {
    const why = timeout.aborted ? { kind: 'retryable' as const, reason: `timed out after ${timeoutMs} ms` } : classifyNetworkError(withCause(err));
    throw outcomeToError(why as Exclude<HttpOutcome, { kind: 'success' }>, `POST ${redact(url)}`);
  }
  return { status: res.status, headers: res.headers, body: text, outcome: classifyHttp(res.status, res.headers, text) };
}

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND, …) is in its cause. */
function withCause(err: unknown): unknown {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (!cause) return err;
  return new Error(`${(err as Error).message}: ${cause.code ?? cause.message ?? String(cause)}`);
}

/** Throws the classified error unless the reply is a success. */
export function ensureSuccess(reply: HttpReply, what: string): void {
  if (reply.outcome.kind !== 'success') throw outcomeToError(reply.outcome, what);
}

/** URL without path/query, which may embed credentials (Slack incoming webhooks do). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.split('/').slice(0, 2).join('/')}/…`;
  } catch {
    return '(invalid url)';
  }
}

export function isPermanent(err: unknown): boolean {
  return err instanceof SeismoError && !err.retriable;
}
