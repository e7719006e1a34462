/** Small statistics helpers of the pipeline benchmark. */

/** Percentile (nearest rank) of an ascending-sorted array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * Keeps a uniform random sample of at most `capacity` values of a stream (reservoir sampling), so
 * latency percentiles of millions of points cost bounded memory.
 */
export class Reservoir {
  private readonly values: Float64Array;
  private seen = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(x: number): void {
    if (this.seen < this.capacity) this.values[this.seen] = x;
    else {
      const j = Math.floor(Math.random() * (this.seen + 1));
      if (j < this.capacity) this.values[j] = x;
    }
    this.seen++;
  }

  get count(): number {
    return this.seen;
  }

  toArray(): number[] {
    return Array.from(this.values.subarray(0, Math.min(this.seen, this.capacity)));
  }
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
