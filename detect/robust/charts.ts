/**
 * Control charts over a stream of standardised values (z-scores). Each is O(1) per point, keeps a
 * handful of numbers of state, and snapshots to a plain JSON object.
 */

/**
 * Two-sided CUSUM with slack `k`: S+ = max(0, S+ + z - k), S- = max(0, S- - z - k). A run of
 * same-sign residuals (a level shift the forecaster has not caught up with) builds it up. When the
 * statistic passes `resetAt` it restarts from 0 after reporting, so one shift gives one burst.
 */
export class Cusum {
  pos = 0;
  neg = 0;
  constructor(
    private readonly k = 0.5,
    private readonly resetAt = Infinity,
  ) {}

  /** Returns the signed statistic: +S+ when S+ dominates, -S- otherwise. */
  update(z: number): number {
    this.pos = Math.max(0, this.pos + z - this.k);
    this.neg = Math.max(0, this.neg - z - this.k);
    const s = this.pos >= this.neg ? this.pos : -this.neg;
    if (this.pos > this.resetAt || this.neg > this.resetAt) {
      this.pos = 0;
      this.neg = 0;
    }
    return s;
  }

  snapshot(): [number, number] {
    return [this.pos, this.neg];
  }

  restore(s: readonly number[]): void {
    this.pos = s[0];
    this.neg = s[1];
  }
}

/**
 * EWMA control chart: e = λz + (1-λ)e, reported in units of its own stationary sigma
 * sqrt(λ/(2-λ)) so a sustained small drift reads as a large number.
 */
export class EwmaChart {
  value = 0;
  private readonly norm: number;
  constructor(private readonly lambda = 0.1) {
    this.norm = Math.sqrt(lambda / (2 - lambda));
  }

  update(z: number): number {
    this.value = this.lambda * z + (1 - this.lambda) * this.value;
    return this.value / this.norm;
  }
}

/**
 * Variance change, measured robustly: the ratio of a short to a long EWMA of absolute deviations
 * (the caller clips them, so single spikes count as bounded). The long average is fed at most
 * 3x itself, so a burst of noise does not at once become the new normal.
 */
export class SpreadRatio {
  short = 0;
  long = 0;
  n = 0;
  constructor(
    private readonly shortAlpha = 0.1,
    private readonly longAlpha = 0.01,
  ) {}

  update(absDev: number): number {
    this.n++;
    if (this.n === 1) {
      this.short = absDev;
      this.long = absDev;
      return 1;
    }
    this.short += this.shortAlpha * (absDev - this.short);
    const capped = this.long > 0 ? Math.min(absDev, 3 * this.long) : absDev;
    const la = Math.max(this.longAlpha, 1 / this.n);
    this.long += la * (capped - this.long);
    if (this.long <= 0) return this.short > 0 ? 1e6 : 1;
    return this.short / this.long;
  }

  snapshot(): [number, number, number] {
    return [this.short, this.long, this.n];
  }

  restore(s: readonly number[]): void {
    this.short = s[0];
    this.long = s[1];
    this.n = s[2];
  }
}
