/**
 * Rolling statistics over the last `size` points of one series with O(1) amortised updates: a ring
 * buffer with a running mean and sum of squared deviations (sliding Welford update) for mean/std,
 * and two monotonic deques of positions for min and max.
 */
export class RollingWindow {
  private readonly values: Float64Array;
  /** Positions (sequence numbers) of candidate minima / maxima, values increasing / decreasing. */
  private readonly minQ: Float64Array;
  private readonly maxQ: Float64Array;
  private minHead = 0;
  private minLen = 0;
  private maxHead = 0;
  private maxLen = 0;
  /** Points seen so far (the next sequence number). */
  private seq = 0;
  private meanAcc = 0;
  private m2 = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be a positive integer, got ${size}`);
    this.values = new Float64Array(size);
    this.minQ = new Float64Array(size);
    this.maxQ = new Float64Array(size);
  }

  get count(): number {
    return Math.min(this.seq, this.size);
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.meanAcc;
  }

  /** Population standard deviation of the window. */
  get std(): number {
    const n = this.count;
    return n === 0 ? NaN : Math.sqrt(Math.max(0, this.m2 / n));
  }

  get min(): number {
    return this.minLen === 0 ? NaN : this.at(this.minQ[this.minHead]);
  }

  get max(): number {
    return this.maxLen === 0 ? NaN : this.at(this.maxQ[this.maxHead]);
  }

  private at(pos: number): number {
    return this.values[pos % this.size];
  }

  push(x: number): void {
    const n = this.size;
    const pos = this.seq;
    if (pos < n) {
      const d = x - this.meanAcc;
      this.meanAcc += d / (pos + 1);
      this.m2 += d * (x - this.meanAcc);
    } else {
      const old = this.values[pos % n];
      const oldMean = this.meanAcc;
      this.meanAcc += (x - old) / n;
      this.m2 += (x - old) * (x - this.meanAcc + old - oldMean);
      if (this.m2 < 0) this.m2 = 0;
    }
    this.values[pos % n] = x;
    this.seq = pos + 1;
    const oldest = this.seq - n;

    // Min deque: drop expired head, drop tail entries not smaller than x.
    if (this.minLen > 0 && this.minQ[this.minHead] < oldest) this.popFront('min');
    while (this.minLen > 0 && this.at(this.minQ[(this.minHead + this.minLen - 1) % n]) >= x) this.minLen--;
    this.minQ[(this.minHead + this.minLen) % n] = pos;
    this.minLen++;

    if (this.maxLen > 0 && this.maxQ[this.maxHead] < oldest) this.popFront('max');
    while (this.maxLen > 0 && this.at(this.maxQ[(this.maxHead + this.maxLen - 1) % n]) <= x) this.maxLen--;
    this.maxQ[(this.maxHead + this.maxLen) % n] = pos;
    this.maxLen++;

    // Recompute exactly once per full turn so floating-point drift cannot accumulate.
    if (pos % n === n - 1 && pos >= n) this.recompute();
  }

  private popFront(which: 'min' | 'max'): void {
    if (which === 'min') {
      this.minHead = (this.minHead + 1) % this.size;
      this.minLen--;
    } else {
      this.maxHead = (this.maxHead + 1) % this.size;
      this.maxLen--;
    }
  }

  private recompute(): void {
    const n = this.count;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += this.values[i];
    mean /= n;
    let m2 = 0;
    for (let i = 0; i < n; i++) m2 += (this.values[i] - mean) ** 2;
    this.meanAcc = mean;
    this.m2 = m2;
  }

  /** The window's values, oldest first. */
  toArray(): number[] {
    const out: number[] = [];
    for (let p = Math.max(0, this.seq - this.size); p < this.seq; p++) out.push(this.at(p));
    return out;
  }

  static fromArray(size: number, values: number[]): RollingWindow {
    const w = new RollingWindow(size);
    for (const v of values.slice(-size)) w.push(v);
    return w;
  }
}

/** Exponentially weighted moving average; the first point initialises it. */
export function ewmaNext(prev: number | null, x: number, alpha: number): number {
  return prev === null ? x : alpha * x + (1 - alpha) * prev;
}
