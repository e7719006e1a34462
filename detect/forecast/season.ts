import { sampleCorrelation } from 'simple-statistics';

/**
 * Season detection for the forecaster: which of the calendar periods (hourly, daily, weekly,
 * expressed in samples at the series' own interval) the warm-up buffer repeats with.
 */

const HOUR_MS = 3_600_000;
/** Full periods the buffer must hold before a period is tested. */
export const MIN_CYCLES = 2;
const CALENDAR_PERIODS_MS = [HOUR_MS, 24 * HOUR_MS, 7 * 24 * HOUR_MS];

/** Median of the positive deltas between consecutive timestamps; 0 when there are none. */
export function medianDelta(ts: readonly number[]): number {
  const d: number[] = [];
  for (let i = 1; i < ts.length; i++) {
    const x = ts[i] - ts[i - 1];
    if (x > 0) d.push(x);
  }
  if (d.length === 0) return 0;
  d.sort((a, b) => a - b);
  return d[d.length >> 1];
}

/** Hourly, daily and weekly periods in samples for a given interval, within [2, maxPeriod]. */
export function candidatePeriods(intervalMs: number, maxPeriod: number): number[] {
  if (!(intervalMs > 0)) return [];
  const out: number[] = [];
  for (const p of CALENDAR_PERIODS_MS) {
    const n = Math.round(p / intervalMs);
    if (n >= 2 && n <= maxPeriod && Math.abs(n * intervalMs - p) / p < 0.05 && !out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * Above this magnitude sums of squares (and of index-weighted values) could overflow; such values
 * are scaled down first. Autocorrelation and correlation do not depend on the scale.
 */
const SCALE_ABOVE = 1e100;

/** 1, or a power of two that brings the largest |value| to at most 1 when it is above SCALE_ABOVE. */
function scaleFor(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m) m = a;
  }
  return m > SCALE_ABOVE && m < Infinity ? 2 ** -Math.ceil(Math.log2(m)) : 1;
}

/**
 * Values (times `scale`) minus their least-squares line, so a trend does not pose as
 * autocorrelation.
 */
export function detrend(values: readonly number[], scale = 1): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const mx = (n - 1) / 2;
  let my = 0;
  for (const v of values) my += v * scale;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (values[i] * scale - my);
    sxx += (i - mx) * (i - mx);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  for (let i = 0; i < n; i++) out[i] = values[i] * scale - my - slope * (i - mx);
  return out;
}

/** Sample autocorrelation of a zero-mean series at `lag`. */
export function autocorrelation(x: ArrayLike<number>, lag: number): number {
  const n = x.length;
  if (lag <= 0 || lag >= n) return 0;
  let den = 0;
  for (let i = 0; i < n; i++) den += x[i] * x[i];
  if (den <= 0) return 0;
  let num = 0;
  for (let i = lag; i < n; i++) num += x[i] * x[i - lag];
  return num / den;
}

export interface SeasonResult {
  period: number;
  acf: number;
  multiplicative: boolean;
}

/**
 * The strongest candidate period whose autocorrelation is at least `minAcf` and clearly above the
 * autocorrelation at half the period (which rules out mere persistence: a slowly wandering series
 * correlates with itself at every short lag, a seasonal one dips in between). Needs at least
 * MIN_CYCLES full periods in the buffer. Null when nothing qualifies.
 */
export function detectSeason(values: readonly number[], candidates: readonly number[], minAcf: number): SeasonResult | null {
  const x = detrend(values, scaleFor(values));
  let best: SeasonResult | null = null;
  for (const p of candidates) {
    if (p * MIN_CYCLES > values.length) continue;
    const a = autocorrelation(x, p);
    const half = autocorrelation(x, Math.max(1, Math.round(p / 2)));
    // Written so that a NaN (values that were not finite) never qualifies.
    if (!(a >= minAcf && a - half >= 0.2)) continue;
    if (best === null || a > best.acf) best = { period: p, acf: a, multiplicative: false };
  }
  if (best !== null) best.multiplicative = seasonScalesWithLevel(values, best.period);
  return best;
}

/**
 * True when every value is positive and the swing within each cycle grows with the cycle's
 * level (correlation of per-cycle mean and spread above 0.6, levels varying by 20 %+).
 */
export function seasonScalesWithLevel(values: readonly number[], period: number): boolean {
  const cycles = Math.floor(values.length / period);
  if (cycles < 3) return false;
  for (const v of values) if (!(v > 0)) return false;
  const k = scaleFor(values);
  const means: number[] = [];
  const spreads: number[] = [];
  for (let c = 0; c < cycles; c++) {
    let s = 0;
    let ss = 0;
    for (let j = 0; j < period; j++) {
      const v = values[c * period + j] * k;
      s += v;
      ss += v * v;
    }
    const m = s / period;
    means.push(m);
    spreads.push(Math.sqrt(Math.max(0, ss / period - m * m)));
  }
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  if (hi < lo * 1.2) return false;
  // Off the hot path (once per series): simple-statistics is fine here.
  const r = sampleCorrelation(means, spreads);
  return Number.isFinite(r) && r > 0.6;
}
