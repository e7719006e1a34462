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

  /**
   * Median absolute deviation from the median, exact, in O(log n) without allocation: the
   * deviations below and above the median form two ascending runs of the sorted array, and the
   * MAD is a k-th smallest of their union. NaN when empty.
   */
  mad(): number {
    const n = this.count;
    if (n === 0) return NaN;
    const m = this.median();
    if ((n & 1) === 1) return this.kthDeviation((n - 1) >> 1, m);
    return (this.kthDeviation(n / 2 - 1, m) + this.kthDeviation(n / 2, m)) / 2;
  }

  /** Robust sigma from the MAD (1.4826 MAD, consistent for Gaussian data). */
  madSigma(): number {
    return this.count < 4 ? 0 : 1.4826 * this.mad();
  }

  /** k-th smallest (0-based) |x - m| over the window, m its median. */
  private kthDeviation(k: number, m: number): number {
    // Deviations below the median, ascending: A_j = m - sorted[p-1-j] (j < p); above it,
    // ascending: B_j = sorted[p+j] - m (j < n-p). Binary search on how many come from A.
    const sorted = this.sorted;
    const n = this.count;
    const p = (n + 1) >> 1;
    const b = n - p;
    const take = k + 1;
    let lo = take - b > 0 ? take - b : 0;
    let hi = p < take ? p : take;
    while (lo <= hi) {
      const i = (lo + hi) >> 1;
      const j = take - i;
      if (i < p && j > 0 && sorted[p + j - 1] - m > m - sorted[p - 1 - i]) lo = i + 1;
      else if (i > 0 && j < b && m - sorted[p - i] > sorted[p + j] - m) hi = i - 1;
      else {
        const fromA = i > 0 ? m - sorted[p - i] : -Infinity;
        const fromB = j > 0 ? sorted[p + j - 1] - m : -Infinity;
        return fromA > fromB ? fromA : fromB;
      }
    }
    return NaN;
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
