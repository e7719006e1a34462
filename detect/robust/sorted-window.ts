/**
 * A sliding window of the last `capacity` values kept both in arrival order (ring) and sorted,
 * so quantiles (median, quartiles) are O(1) and an update is a binary search plus one memmove.
 * No allocation per update.
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(x: number): void {
    const n = this.count;
    if (n === this.capacity) {
      const old = this.ring[this.head];
      const i = this.lowerBound(old, n);
      const j = this.lowerBound(x, n);
      // Remove old at i and insert x keeping order, shifting only the stretch between them.
      if (j <= i) {
        this.sorted.copyWithin(j + 1, j, i);
        this.sorted[j] = x;
      } else {
        this.sorted.copyWithin(i, i + 1, j);
        this.sorted[j - 1] = x;
      }
      this.ring[this.head] = x;
      this.head = (this.head + 1) % this.capacity;
      return;
    }
    const j = this.lowerBound(x, n);
    this.sorted.copyWithin(j + 1, j, n);
    this.sorted[j] = x;
    this.ring[(this.head + n) % this.capacity] = x;
    this.count = n + 1;
  }

  /** Linear-interpolated quantile, q in [0,1]. NaN when empty. */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0) return NaN;
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    const hi = lo + 1 < n ? lo + 1 : lo;
    const f = pos - lo;
    return this.sorted[lo] + (this.sorted[hi] - this.sorted[lo]) * f;
  }

  median(): number {
    return this.quantile(0.5);
  }

  /** Robust sigma from the interquartile range (IQR / 1.349); 0 when the window is flat. */
  iqrSigma(): number {
    return this.count < 4 ? 0 : (this.quantile(0.75) - this.quantile(0.25)) / 1.349;
  }

  /** The window in arrival order, oldest first (for snapshots). */
  values(): number[] {
    const out = new Array<number>(this.count);
    for (let k = 0; k < this.count; k++) out[k] = this.ring[(this.head + k) % this.capacity];
    return out;
  }

  static from(capacity: number, values: readonly number[]): SortedWindow {
    const w = new SortedWindow(capacity);
    const start = Math.max(0, values.length - capacity);
    for (let k = start; k < values.length; k++) w.push(values[k]);
    return w;
  }

  private lowerBound(x: number, n: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
