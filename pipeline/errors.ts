/**
 * The one error base of seismo. `retriable` says whether trying the same thing again can help
 * (a timeout, a 503, a rebalance) or not (a 400, a bad configuration).
 */
export class SeismoError extends Error {
  readonly retriable: boolean;
  /** Server-suggested wait before a retry, if any. */
  readonly retryAfterMs?: number;

  constructor(message: string, opts: { retriable?: boolean; cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.retriable = opts.retriable ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A configuration problem: one line per offending key. Never retriable. */
export class ConfigError extends SeismoError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} configuration problems:\n${problems.join('\n')}`);
    this.problems = problems;
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof SeismoError ? err.retriable : false;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
