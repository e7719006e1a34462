import { HoltWinters, type HoltWintersParams, type HoltWintersState } from './holt-winters.js';
import { candidatePeriods, detectSeason, medianDelta } from './season.js';

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

export interface ForecasterState {
  v: 1;
  n: number;
  buf: number[] | null;
  ts: number[];
  intervalMs: number;
  period: number;
  acf: number;
  mult: boolean;
  best: number;
  bank: HoltWintersState[];
}

export class Forecaster {
  /** Points seen. */
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

  constructor(
    private readonly settings: ForecasterSettings,
    intervalMs = 0,
  ) {
    this.intervalMs = intervalMs;
    this.fixedInterval = intervalMs > 0;
    if (!settings.enabled) this.buffer = null;
  }

  /** One-step-ahead forecast for the next point; null before the first point. */
  forecast(): number | null {
    return this.bank.length === 0 ? null : this.bank[this.best].forecast(this.n);
  }

  /** True once the season search has run (or was disabled). */
  get seasonSettled(): boolean {
    return this.buffer === null;
  }

  update(ts: number, y: number): void {
    if (!this.fixedInterval && this.timestamps.length < INTERVAL_SAMPLES) {
      this.timestamps.push(ts);
      this.intervalMs = medianDelta(this.timestamps);
    }
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
    this.n++;
    if (this.buffer !== null) {
      this.buffer.push(y);
      if (this.buffer.length >= this.settings.searchPoints) this.searchSeason();
    }
  }

  private searchSeason(): void {
    const buf = this.buffer ?? [];
    this.buffer = null;
    const found = detectSeason(buf, candidatePeriods(this.intervalMs, this.settings.maxPeriodPoints), this.settings.minAutocorrelation);
    if (found === null) return;
    this.period = found.period;
    this.seasonAcf = found.acf;
    this.multiplicative = found.multiplicative;
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

  snapshot(): ForecasterState {
    return {
      v: 1,
      n: this.n,
      buf: this.buffer === null ? null : this.buffer.slice(),
      ts: this.timestamps.slice(),
      intervalMs: this.intervalMs,
      period: this.period,
      acf: this.seasonAcf,
      mult: this.multiplicative,
      best: this.best,
      bank: this.bank.map((b) => b.snapshot()),
    };
  }

  static restore(settings: ForecasterSettings, st: ForecasterState, intervalMs = 0): Forecaster {
    const f = new Forecaster(settings, intervalMs);
    f.n = st.n;
    f.buffer = st.buf === null ? null : st.buf.slice();
    f.timestamps.push(...st.ts);
    if (!f.fixedInterval) f.intervalMs = st.intervalMs;
    f.period = st.period;
    f.seasonAcf = st.acf;
    f.multiplicative = st.mult;
    f.best = st.best;
    f.bank = st.bank.map((b) => HoltWinters.restore(b));
    return f;
  }
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
