import { HoltWinters, type HoltWintersParams, type HoltWintersState } from './holt-winters.js';
import { candidatePeriods, detectSeason, medianDelta, MIN_CYCLES } from './season.js';

/** Settings of the forecaster (a subset of DetectConfig.season). */
export interface ForecasterSettings {
  enabled: boolean;
  searchPoints: number;
  maxPeriodPoints: number;
  minAutocorrelation: number;
}

/**
 * Level/trend smoothers always run; the one-step forecast comes from whichever has the smallest
 * recent mean absolute error, so each series gets its own smoothing constants without labels or
 * an offline fit.
 */
const PLAIN_GRID: HoltWintersParams[] = [
  { alpha: 0.03, beta: 0, gamma: 0, phi: 1 },
  { alpha: 0.08, beta: 0, gamma: 0, phi: 1 },
  { alpha: 0.15, beta: 0, gamma: 0, phi: 1 },
  { alpha: 0.3, beta: 0, gamma: 0, phi: 1 },
  { alpha: 0.5, beta: 0, gamma: 0, phi: 1 },
  { alpha: 0.8, beta: 0, gamma: 0, phi: 1 },
  { alpha: 1, beta: 0, gamma: 0, phi: 1 },
  { alpha: 0.3, beta: 0.1, gamma: 0, phi: 0.95 },
  { alpha: 0.5, beta: 0.3, gamma: 0, phi: 1 },
];
/** Holt-Winters variants added once a season is found. */
const SEASONAL_GRID: HoltWintersParams[] = [
  { alpha: 0.05, beta: 0, gamma: 0.02, phi: 1 },
  { alpha: 0.2, beta: 0, gamma: 0.05, phi: 1 },
  { alpha: 0.5, beta: 0, gamma: 0.2, phi: 1 },
];
const INTERVAL_SAMPLES = 64;
const DAY_MS = 86_400_000;
/**
 * Largest magnitude the forecaster learns from (see `update`): within it, the smoothers' sums and
 * differences and the season search's sums stay far from overflowing.
 */
export const VALUE_LIMIT = 1e290;

export interface ForecasterState {
  v: 1;
  n: number;
  buf: number[] | null;
  ts: number[];
  intervalMs: number;
  period: number;
  /** Buffer aggregation: samples per buffered value (0 = not decided yet), partial sum and count. */
  agg?: [number, number, number];
  /** Last value within ±VALUE_LIMIT (absent: none yet). Optional so older states still restore. */
  hold?: number;
  acf: number;
  mult: boolean;
  best: number;
  bank: HoltWintersState[];
  /** Timestamp and value of the last point (season phase across gaps); optional so older states restore. */
  last?: [number, number];
}

export class Forecaster {
  /**
   * Season phase of the next point if it comes one interval after the last: points seen plus the
   * intervals skipped by gaps, so a missed sample does not shift the season by one for good.
   */
  n = 0;
  /** Sample interval: given, or the median delta of the first timestamps. */
  intervalMs: number;
  /** Detected season in samples (0 = none / not yet searched). */
  period = 0;
  seasonAcf = 0;
  multiplicative = false;
  private buffer: number[] | null = [];
  private readonly timestamps: number[] = [];
  private bank: HoltWinters[] = [];
  private best = 0;
  private readonly fixedInterval: boolean;
  /**
   * Samples averaged into one buffered value, so the bounded buffer can span two of the longest
   * candidate periods (a daily season in 1-minute data). 0 until the interval is known.
   */
  private agg = 0;
  private accSum = 0;
  private accN = 0;
  private lastTs = Number.NaN;
  private lastY = 0;
  /** Last value within ±VALUE_LIMIT (NaN before any): what is learnt in place of one beyond it. */
  private lastInRange = Number.NaN;

  constructor(
    private readonly settings: ForecasterSettings,
    intervalMs = 0,
  ) {
    this.intervalMs = intervalMs;
    this.fixedInterval = intervalMs > 0;
    if (!settings.enabled) this.buffer = null;
  }

  /**
   * One-step-ahead forecast for the next point (at `ts` when given, so a gap since the last point
   * moves the season phase on); null before the first point.
   */
  forecast(ts?: number): number | null {
    if (this.bank.length === 0) return null;
    const phase = ts === undefined ? this.n : this.n + this.skipped(ts);
    const f = this.bank[this.best].forecast(phase);
    return f * 0 === 0 ? f : this.finiteForecast(phase);
  }

  /** The first finite forecast of the bank (the chosen one overflowed), or null if none is. */
  private finiteForecast(phase: number): number | null {
    for (const hw of this.bank) {
      const f = hw.forecast(phase);
      if (f * 0 === 0) return f;
    }
    return null;
  }

  /** Whole intervals missing between the last point and one at `ts` (0 until the interval is known). */
  private skipped(ts: number): number {
    if (this.lastTs !== this.lastTs || !(this.intervalMs > 0)) return 0;
    if (!this.fixedInterval && this.timestamps.length < INTERVAL_SAMPLES) return 0;
    const steps = Math.round((ts - this.lastTs) / this.intervalMs);
    return steps > 1 && Number.isFinite(steps) ? steps - 1 : 0;
  }

  /**
   * Learns from `value`. A value beyond ±VALUE_LIMIT (a glitch near the largest double, 1e308) is
   * not a level to forecast from and would overflow the smoothers' sums and the season search's
   * squares: the smoothers and the season buffer take the last value within range in its place.
   * Before any value within range, such a point only counts (phases stay in step) and holds its
   * place in the season buffer until the first value within range fills it.
   */
  update(ts: number, value: number): void {
    const gap = this.skipped(ts);
    if (!this.fixedInterval && this.timestamps.length < INTERVAL_SAMPLES) {
      this.timestamps.push(ts);
      this.intervalMs = medianDelta(this.timestamps);
    }
    if (gap > 0) {
      // The season search sees the gap as the last value held; the buffer is bounded, so a long gap
      // fills at most what is left of it.
      let left = gap;
      if (this.buffer !== null) {
        const room = (this.settings.searchPoints - this.buffer.length) * Math.max(1, this.agg);
        for (let k = Math.min(gap, room); k > 0 && this.buffer !== null; k--, left--) {
          this.n++;
          this.bufferValue(this.lastY);
        }
      }
      this.n += left;
    }
    if (value >= -VALUE_LIMIT && value <= VALUE_LIMIT) {
      if (this.lastInRange !== this.lastInRange && this.buffer !== null) {
        // Every point so far was beyond the limit: their places in the buffer take this value.
        this.buffer.fill(value);
        this.accSum = this.accN * value;
      }
      this.lastInRange = value;
    }
    const y = this.lastInRange;
    this.lastTs = ts;
    this.lastY = y === y ? y : 0;
    if (y === y) {
      if (this.bank.length === 0) this.bank = PLAIN_GRID.map((p) => new HoltWinters(p, y));
      const phase = this.n;
      let best = 0;
      let bestErr = Infinity;
      for (let i = 0; i < this.bank.length; i++) {
        const hw = this.bank[i];
        hw.update(y, phase);
        if (hw.meanAbsError < bestErr) {
          bestErr = hw.meanAbsError;
          best = i;
        }
      }
      this.best = best;
    }
    this.n++;
    if (this.buffer !== null) this.bufferValue(this.lastY);
  }

  /** Adds one value to the season search buffer; runs the search once it is full. */
  private bufferValue(y: number): void {
    if (this.buffer === null) return;
    if (this.agg === 0 && (this.fixedInterval || this.timestamps.length >= INTERVAL_SAMPLES)) this.decideAggregation();
    if (this.agg <= 1) this.buffer.push(y);
    else {
      this.accSum += y;
      if (++this.accN === this.agg) {
        this.buffer.push(this.accSum / this.agg);
        this.accSum = 0;
        this.accN = 0;
      }
    }
    if (this.buffer.length >= this.settings.searchPoints) this.searchSeason();
  }

  /**
   * Picks the aggregation factor (sized for the daily period when it is a candidate, the longest
   * otherwise; a weekly season is then found only if it fits too) and re-aggregates what the
   * buffer holds so far (from point 0). The factor divides that period when a divisor up to twice
   * the smallest workable factor exists (a 45 s interval: 1920 points a day, factor 8 rather than
   * 7), so the period is exact in aggregated points; otherwise periods are rounded (searchSeason).
   */
  private decideAggregation(): void {
    const periods = candidatePeriods(this.intervalMs, this.settings.maxPeriodPoints);
    const daily = Math.round(DAY_MS / this.intervalMs);
    const target = periods.includes(daily) ? daily : periods.length > 0 ? Math.max(...periods) : 0;
    const least = Math.max(1, Math.ceil((MIN_CYCLES * target) / this.settings.searchPoints));
    this.agg = least;
    for (let k = least; k <= 2 * least; k++) {
      if (target % k === 0) {
        this.agg = k;
        break;
      }
    }
    if (this.agg === 1 || this.buffer === null) return;
    const raw = this.buffer;
    this.buffer = [];
    let i = 0;
    for (; i + this.agg <= raw.length; i += this.agg) this.buffer.push(mean(raw, i, this.agg));
    for (; i < raw.length; i++) {
      this.accSum += raw[i];
      this.accN++;
    }
  }

  private searchSeason(): void {
    const buf = this.buffer ?? [];
    this.buffer = null;
    const k = Math.max(1, this.agg);
    // A candidate that the factor does not divide is rounded to whole aggregated points (the
    // candidates are themselves rounded calendar periods); the season found is then k times that.
    const candidates: number[] = [];
    for (const c of candidatePeriods(this.intervalMs, this.settings.maxPeriodPoints)) {
      const a = Math.round(c / k);
      if (a >= 2 && !candidates.includes(a)) candidates.push(a);
    }
    const found = detectSeason(buf, candidates, this.settings.minAutocorrelation);
    if (found === null) return;
    const p = found.period;
    const cycles = Math.floor(buf.length / p);
    const indices = new Float64Array(p);
    const firstMean = mean(buf, 0, p);
    for (let c = 0; c < cycles; c++) {
      const m = mean(buf, c * p, p);
      for (let j = 0; j < p; j++) {
        const v = buf[c * p + j];
        indices[j] += (found.multiplicative ? (m > 0 ? v / m : 1) : v - m) / cycles;
      }
    }
    winsorise(indices);
    // Multiplicative indices divide by cycle means, which can be near 0: no season from indices that overflowed.
    for (let j = 0; j < p; j++) if (indices[j] * 0 !== 0) return;
    this.period = p * k;
    this.seasonAcf = found.acf;
    this.multiplicative = found.multiplicative;
    if (k > 1) {
      this.addSeasonal(expand(indices, k), mean(buf, buf.length - p, p));
      return;
    }
    // Replay the buffer so the seasonal smoothers are in step with the plain ones. Their replay
    // error is in-sample (the indices came from the same buffer), so they start from the current
    // best error and must earn the lead out of sample. Phases count from the first point.
    const start = this.n - buf.length;
    const bestErr = this.bank[this.best].meanAbsError;
    for (const params of SEASONAL_GRID) {
      const hw = new HoltWinters(params, firstMean, { indices, multiplicative: found.multiplicative });
      for (let i = 0; i < buf.length; i++) hw.update(buf[i], start + i);
      hw.meanAbsError = bestErr;
      this.bank.push(hw);
    }
  }

  /**
   * Seasonal smoothers from indices at full resolution, without replay (the raw buffer was
   * aggregated): the level starts at the mean of the last buffered cycle.
   */
  private addSeasonal(indices: Float64Array, level: number): void {
    const bestErr = this.bank[this.best].meanAbsError;
    for (const params of SEASONAL_GRID) {
      const hw = new HoltWinters(params, level, { indices, multiplicative: this.multiplicative });
      hw.meanAbsError = bestErr;
      this.bank.push(hw);
    }
  }

  snapshot(): ForecasterState {
    return {
      v: 1,
      n: this.n,
      buf: this.buffer === null ? null : this.buffer.slice(),
      ts: this.timestamps.slice(),
      intervalMs: this.intervalMs,
      period: this.period,
      agg: [this.agg, this.accSum, this.accN],
      ...(this.lastInRange === this.lastInRange ? { hold: this.lastInRange } : {}),
      acf: this.seasonAcf,
      mult: this.multiplicative,
      best: this.best,
      bank: this.bank.map((b) => b.snapshot()),
      ...(this.lastTs === this.lastTs ? { last: [this.lastTs, this.lastY] as [number, number] } : {}),
    };
  }

  static restore(settings: ForecasterSettings, st: ForecasterState, intervalMs = 0): Forecaster {
    const f = new Forecaster(settings, intervalMs);
    f.n = st.n;
    f.buffer = st.buf === null ? null : st.buf.slice();
    f.timestamps.push(...st.ts);
    if (!f.fixedInterval) f.intervalMs = st.intervalMs;
    f.period = st.period;
    [f.agg, f.accSum, f.accN] = st.agg ?? [0, 0, 0];
    if (typeof st.hold === 'number' && Number.isFinite(st.hold)) f.lastInRange = st.hold;
    f.seasonAcf = st.acf;
    f.multiplicative = st.mult;
    f.best = st.best;
    f.bank = st.bank.map((b) => HoltWinters.restore(b));
    if (st.last) [f.lastTs, f.lastY] = st.last;
    return f;
  }
}

/** Indices of an aggregated season repeated to one per sample. */
function expand(indices: Float64Array, k: number): Float64Array {
  const out = new Float64Array(indices.length * k);
  for (let j = 0; j < out.length; j++) out[j] = indices[Math.floor(j / k)];
  return out;
}

/**
 * Clips seasonal indices to median ± 4 IQR-sigmas of the index set, so a one-off spike in the
 * buffer does not become a daily expectation while smooth and square seasons pass untouched.
 */
function winsorise(indices: Float64Array): void {
  const sorted = Float64Array.from(indices).sort();
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
  const med = q(0.5);
  const spread = 4 * Math.max((q(0.75) - q(0.25)) / 1.349, 1e-12);
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] > med + spread) indices[i] = med + spread;
    else if (indices[i] < med - spread) indices[i] = med - spread;
  }
}

function mean(a: readonly number[], from: number, len: number): number {
  let s = 0;
  for (let i = from; i < from + len; i++) s += a[i];
  return s / len;
}
