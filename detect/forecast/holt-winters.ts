/**
 * One Holt-Winters exponential smoother in error-correction form, with a damped trend and an
 * optional additive or multiplicative season. Updates are robust: the error that moves the state
 * is clipped at `clipK` times the smoother's own mean absolute error, so one spike nudges the
 * level instead of dragging it.
 */

export interface HoltWintersParams {
  alpha: number;
  /** Trend smoothing (0 = no trend). */
  beta: number;
  /** Season smoothing (ignored without a season). */
  gamma: number;
  /** Trend damping per step, in (0,1]. */
  phi: number;
}

export interface HoltWintersState {
  p: [number, number, number, number];
  /** level, trend, mean |error| (clip scale), mean |error| (selection), season length, multiplicative (0/1). */
  s: [number, number, number, number, number, number];
  season: number[];
}

const CLIP_K = 4;
const SCALE_RATE = 0.05;
const SELECT_RATE = 0.02;
/**
 * Model selection compares mean |error|; one error counts at most this many clip limits, so a glitch
 * near the largest double (1e308) cannot swamp the selection for tens of thousands of points.
 */
const SELECT_CLIP = 1000;

export class HoltWinters {
  level: number;
  trend = 0;
  /** Robust running mean |error|, the clip scale. */
  scale = 0;
  /** Running mean |error| used to rank candidates. */
  meanAbsError = 0;
  readonly season: Float64Array;
  readonly period: number;
  readonly multiplicative: boolean;

  constructor(
    readonly params: HoltWintersParams,
    level: number,
    season?: { indices: ArrayLike<number>; multiplicative: boolean },
  ) {
    this.level = level;
    this.period = season ? season.indices.length : 0;
    this.multiplicative = season?.multiplicative ?? false;
    this.season = new Float64Array(this.period);
    if (season) for (let i = 0; i < this.period; i++) this.season[i] = season.indices[i];
  }

  /** Forecast for the point whose season phase is `phase` (any integer; taken mod period). */
  forecast(phase: number): number {
    const base = this.level + this.params.phi * this.trend;
    if (this.period === 0) return base;
    const s = this.season[phase % this.period];
    return this.multiplicative ? base * s : base + s;
  }

  /**
   * Learns from `y` at `phase`; returns the raw one-step error y - forecast. An update that would
   * leave a non-finite number in the state (an overflow: values near the largest double, 1e308, of
   * both signs or a near-zero multiplicative index) restarts the smoother instead (see `restart`),
   * so one such point cannot turn it into NaN for good.
   */
  update(y: number, phase: number): number {
    const { alpha, beta, gamma, phi } = this.params;
    const f = this.forecast(phase);
    const e = y - f;
    const abs = Math.abs(e);
    const lim = CLIP_K * this.scale;
    const ec = lim > 0 ? (e > lim ? lim : e < -lim ? -lim : e) : e;
    const scale0 = this.scale;
    const mae0 = this.meanAbsError;
    this.scale += SCALE_RATE * ((lim > 0 ? Math.min(abs, lim) : abs) - this.scale);
    this.meanAbsError += SELECT_RATE * ((lim > 0 ? Math.min(abs, SELECT_CLIP * lim) : abs) - this.meanAbsError);
    const base = this.level + phi * this.trend;
    let seasonal = 0;
    if (this.period === 0) {
      this.level = base + alpha * ec;
      this.trend = phi * this.trend + alpha * beta * ec;
    } else {
      const i = phase % this.period;
      if (this.multiplicative) {
        const s = this.season[i] > 1e-9 ? this.season[i] : 1e-9;
        this.level = base + (alpha * ec) / s;
        this.trend = phi * this.trend + (alpha * beta * ec) / s;
        if (base > 1e-12) this.season[i] = s + (gamma * (1 - alpha) * ec) / base;
      } else {
        this.level = base + alpha * ec;
        this.trend = phi * this.trend + alpha * beta * ec;
        this.season[i] += gamma * (1 - alpha) * ec;
      }
      seasonal = this.season[i];
    }
    // x * 0 is 0 for every finite x and NaN for NaN and ±Infinity: one test for the whole state.
    if (this.level * 0 + this.trend * 0 + this.scale * 0 + this.meanAbsError * 0 + seasonal * 0 !== 0) this.restart(base, y, scale0, mae0);
    return e;
  }

  /**
   * After an overflow: the level goes back to where it was before the point (`base`, the smoother's
   * own expectation; `y` if that overflowed too, 0 if both did), the trend to 0, the clip scale and selection error
   * to their values before the point, and season indices that are not finite to neutral (0, or 1
   * when multiplicative). The point that overflowed is thus not learnt; the rest of the state is kept.
   */
  private restart(base: number, y: number, scale: number, meanAbsError: number): void {
    this.level = base * 0 === 0 ? base : y * 0 === 0 ? y : 0;
    this.trend = 0;
    this.scale = scale * 0 === 0 ? scale : 0;
    // A selection error that is not finite either: the smoother must earn its way back.
    this.meanAbsError = meanAbsError * 0 === 0 ? meanAbsError : Number.MAX_VALUE;
    const neutral = this.multiplicative ? 1 : 0;
    for (let k = 0; k < this.period; k++) if (this.season[k] * 0 !== 0) this.season[k] = neutral;
  }

  snapshot(): HoltWintersState {
    const { alpha, beta, gamma, phi } = this.params;
    return {
      p: [alpha, beta, gamma, phi],
      s: [this.level, this.trend, this.scale, this.meanAbsError, this.period, this.multiplicative ? 1 : 0],
      season: Array.from(this.season),
    };
  }

  static restore(st: HoltWintersState): HoltWinters {
    const [alpha, beta, gamma, phi] = st.p;
    const hw = new HoltWinters(
      { alpha, beta, gamma, phi },
      st.s[0],
      st.s[4] > 0 ? { indices: st.season, multiplicative: st.s[5] === 1 } : undefined,
    );
    hw.trend = st.s[1];
    hw.scale = st.s[2];
    hw.meanAbsError = st.s[3];
    return hw;
  }
}
