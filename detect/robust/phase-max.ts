/**
 * Time-of-day memory of extremes: for each hour of the (UTC) day, the largest value seen in that
 * hour, decayed by `dailyDecay` at each day boundary (default 0.9: about a week's half-life). A
 * spike that comes back every day at the same hour (a nightly job, a daily report) is then
 * expected from its second day on, even in a series with no season in its average. 24 bins, O(1)
 * per point (the decay runs once per day).
 */
export interface PhaseMaxState {
  v: number[];
  day: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BINS = 24;

export class PhaseMax {
  private readonly value = new Float64Array(BINS);
  private day = Number.NaN;

  constructor(private readonly dailyDecay = 0.9) {}

  private advance(ts: number): number {
    const d = Math.floor(ts / DAY_MS);
    if (d !== this.day) {
      if (d > this.day) {
        const f = Math.pow(this.dailyDecay, Math.min(d - this.day, 1000));
        for (let i = 0; i < BINS; i++) this.value[i] *= f;
      }
      this.day = d;
    }
    const b = Math.floor((ts - d * DAY_MS) / HOUR_MS);
    return b >= 0 && b < BINS ? b : 0;
  }

  /** The largest remembered value in the hour of `ts` and its two neighbours. */
  reference(ts: number): number {
    const b = this.advance(ts);
    const a = this.value[(b + BINS - 1) % BINS];
    const c = this.value[b];
    const d = this.value[(b + 1) % BINS];
    return a > c ? (a > d ? a : d) : c > d ? c : d;
  }

  push(ts: number, x: number): void {
    const b = this.advance(ts);
    if (x > this.value[b]) this.value[b] = x;
  }

  snapshot(): PhaseMaxState {
    return { v: Array.from(this.value), day: Number.isFinite(this.day) ? this.day : -1 };
  }

  static restore(st: PhaseMaxState, dailyDecay = 0.9): PhaseMax {
    const p = new PhaseMax(dailyDecay);
    for (let i = 0; i < BINS; i++) p.value[i] = st.v[i] ?? 0;
    p.day = st.day >= 0 ? st.day : Number.NaN;
    return p;
  }
}
