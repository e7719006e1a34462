/**
 * A circuit breaker per source: after `failureThreshold` consecutive failed runs it opens and runs
 * are refused; after `coolDownMs` it lets one trial run through (half-open); a success closes it,
 * a failure opens it again for another cool-down.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: BreakerState = 'closed';
  private trialInFlight = false;

  constructor(
    private readonly opts: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(opts.failureThreshold >= 1)) throw new RangeError(`failureThreshold must be >= 1, got ${opts.failureThreshold}`);
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.opts.coolDownMs) return 'half-open';
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Whether a run may start now. In half-open state only one trial run is allowed at a time. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    this.current = 'half-open';
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.current = 'closed';
  }

  onFailure(): void {
    this.failures++;
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (wasTrial || this.failures >= this.opts.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
  }
}

export function breakerStateValue(s: BreakerState): number {
  return s === 'closed' ? 0 : s === 'half-open' ? 1 : 2;
}
