import { BlockMax, type BlockMaxState } from './block-max.js';
import { Cusum, EwmaChart, SpreadRatio } from './charts.js';
import { PhaseMax, type PhaseMaxState } from './phase-max.js';
import { SortedWindow } from './sorted-window.js';

/** Largest |z| fed to the charts, so one spike cannot carry a CUSUM or EWMA chart alone. */
const CHART_CLIP = 4;
/** Rate of the slow mean |residual| that floors the residual sigma. */
const SLOW_RATE = 0.01;
/**
 * Largest magnitude of a value or forecast the statistics compute with; beyond it (a glitch near
 * the largest double, 1e308) it is clamped. A residual's deviation from its median spans at most
 * four such magnitudes, and divided by the smallest sigma floor (1e-12) it is still far below the
 * largest double, so no difference, window quantile or z-score overflows to Infinity.
 */
const VALUE_LIMIT = 1e290;

/** Statistics of one point, computed against the state before the point was seen. */
export interface PointStats {
  /** Robust z of the forecast residual: (r - median r) / IQR-sigma. */
  residZ: number;
  /** Robust z of the value: (value - rolling median) / (1.4826 MAD). */
  valueZ: number;
  /** Rolling median of the values before this point (the value itself before any history). */
  valueMedian: number;
  /** The sigma behind valueZ (0 before any history). */
  valueSigma: number;
  /** Previous value minus the rolling median (0 without a previous value). */
  prevDev: number;
  /** Signed two-sided CUSUM statistic of residual z. */
  cusum: number;
  /** Robust z of the step from the previous value. */
  rocZ: number;
  /** EWMA chart of residual z, in chart sigmas. */
  ewmaZ: number;
  /** Short/long ratio of the residuals' mean absolute deviation. */
  spreadRatio: number;
  /** Robust residual sigma used for z and the band. */
  residSigma: number;
  /**
   * Rarity ratios: the statistic over its own long-memory reference (the second-largest block
   * maximum over the last ~2048 points; for residuals and values, the deviation on the same side).
   * Above 1 = beyond all but one stretch of recent history.
   */
  residTail: number;
  valueTail: number;
  cusumTail: number;
  ewmaTail: number;
  spreadTail: number;
  rocTail: number;
}

export interface RobustStatsState {
  v: number[];
  d: number[];
  r: number[];
  /** Optional only so states written before these fields existed still restore. */
  tails?: BlockMaxState[];
  phases?: PhaseMaxState[];
  prev: number | null;
  slow: number;
  cusum: [number, number];
  ewma: number;
  spread: [number, number, number];
}

/**
 * Robust statistics of values and forecast residuals over rolling windows: median/IQR z-scores,
 * a two-sided CUSUM, an EWMA chart, rate of change and a spread (variance) ratio, each with a
 * rarity ratio against its own recent history, so a series' everyday wildness is not news.
 * Bounded memory (three windows of `windowPoints`, eight block-maximum and seven time-of-day references), no allocation per point.
 */
export class RobustStats {
  private readonly values: SortedWindow;
  private readonly diffs: SortedWindow;
  private readonly resids: SortedWindow;
  /** Long-memory references: residual above/below, value above/below median, |cusum|, |ewma|, spread, |step|. */
  private tails: BlockMax[] = Array.from({ length: 8 }, () => new BlockMax());
  /** Time-of-day references: residual above/below, value above/below median, |cusum|, |ewma|, |step|. */
  private phases: PhaseMax[] = Array.from({ length: 7 }, () => new PhaseMax());
  private prev: number | null = null;
  private slowAbs = 0;
  private readonly cusumChart = new Cusum(0.5, 30);
  private readonly ewmaChart = new EwmaChart(0.1);
  private readonly spread = new SpreadRatio(0.1, 0.01);
  readonly last: PointStats = {
    residZ: 0,
    valueZ: 0,
    valueMedian: 0,
    valueSigma: 0,
    prevDev: 0,
    cusum: 0,
    rocZ: 0,
    ewmaZ: 0,
    spreadRatio: 1,
    residSigma: 0,
    residTail: 0,
    valueTail: 0,
    cusumTail: 0,
    ewmaTail: 0,
    spreadTail: 0,
    rocTail: 0,
  };

  constructor(private readonly windowPoints: number) {
    this.values = new SortedWindow(windowPoints);
    this.diffs = new SortedWindow(windowPoints);
    this.resids = new SortedWindow(windowPoints);
  }

  /** Robust residual sigma: IQR-based, floored by a fraction of the slow mean |residual| and by the value scale. */
  residSigma(): number {
    const iqr = this.resids.iqrSigma();
    const med = this.values.size > 0 ? Math.abs(this.values.median()) : 0;
    return Math.max(iqr, 0.5 * this.slowAbs, 1e-3 * this.values.iqrSigma(), 1e-9 * med, 1e-12);
  }

  /**
   * Scores `value` at `ts` (with one-step `forecast`, or null before the forecaster has one) against
   * the state, then learns from it; both are taken clamped to ±VALUE_LIMIT. Writes into and returns
   * `this.last`.
   */
  update(ts: number, value: number, forecast: number | null): PointStats {
    const s = this.last;
    const y = value > VALUE_LIMIT ? VALUE_LIMIT : value < -VALUE_LIMIT ? -VALUE_LIMIT : value;
    const f = forecast === null ? null : forecast > VALUE_LIMIT ? VALUE_LIMIT : forecast < -VALUE_LIMIT ? -VALUE_LIMIT : forecast;
    const r = f === null ? 0 : y - f;
    const sigma = this.residSigma();
    const rMed = this.resids.size > 0 ? this.resids.median() : 0;
    s.residSigma = sigma;
    s.residZ = f === null ? 0 : (r - rMed) / sigma;
    const t = this.tails;
    const rDev = r - rMed;
    const ph = this.phases;
    s.residTail = f === null ? 0 : rarity(t[rDev >= 0 ? 0 : 1], Math.abs(rDev), sigma, ph[rDev >= 0 ? 0 : 1].reference(ts));
    const vMed = this.values.size > 0 ? this.values.median() : y;
    const vDev = y - vMed;
    s.valueMedian = vMed;
    s.prevDev = this.prev === null ? 0 : this.prev - vMed;
    if (this.values.size >= 4) {
      s.valueSigma = floorSigma(this.values.madSigma(), sigma);
      s.valueZ = vDev / s.valueSigma;
      s.valueTail = rarity(t[vDev >= 0 ? 2 : 3], Math.abs(vDev), sigma, ph[vDev >= 0 ? 2 : 3].reference(ts));
    } else {
      s.valueZ = 0;
      s.valueSigma = 0;
      s.valueTail = 0;
    }
    const d = this.prev === null ? 0 : y - this.prev;
    const dDev = this.diffs.size > 0 ? d - this.diffs.median() : 0;
    s.rocZ = this.diffs.size >= 4 ? dDev / floorSigma(this.diffs.iqrSigma(), sigma) : 0;
    s.rocTail = rarity(this.tails[7], Math.abs(dDev), sigma, ph[6].reference(ts));
    const zc = s.residZ > CHART_CLIP ? CHART_CLIP : s.residZ < -CHART_CLIP ? -CHART_CLIP : s.residZ;
    s.cusum = this.cusumChart.update(zc);
    s.cusumTail = rarity(t[4], Math.abs(s.cusum), 1, ph[4].reference(ts));
    s.ewmaZ = this.ewmaChart.update(zc);
    s.ewmaTail = rarity(t[5], Math.abs(s.ewmaZ), 1, ph[5].reference(ts));
    if (f === null) {
      s.spreadRatio = 1;
      s.spreadTail = 0;
    } else {
      const a = Math.abs(r - rMed);
      s.spreadRatio = this.spread.update(a < CHART_CLIP * sigma ? a : CHART_CLIP * sigma);
      s.spreadTail = rarity(t[6], s.spreadRatio, 1.2);
    }

    this.values.push(y);
    t[2].push(vDev > 0 ? vDev : 0);
    t[3].push(vDev < 0 ? -vDev : 0);
    ph[2].push(ts, vDev > 0 ? vDev : 0);
    ph[3].push(ts, vDev < 0 ? -vDev : 0);
    if (this.prev !== null) {
      this.diffs.push(d);
      t[7].push(Math.abs(dDev));
      ph[6].push(ts, Math.abs(dDev));
    }
    if (f !== null) {
      this.resids.push(r);
      t[0].push(rDev > 0 ? rDev : 0);
      t[1].push(rDev < 0 ? -rDev : 0);
      ph[0].push(ts, rDev > 0 ? rDev : 0);
      ph[1].push(ts, rDev < 0 ? -rDev : 0);
      const a = Math.abs(r - rMed);
      const capped = this.slowAbs > 0 ? Math.min(a, 10 * this.slowAbs) : a;
      this.slowAbs += SLOW_RATE * (capped - this.slowAbs);
      t[4].push(Math.abs(s.cusum));
      t[5].push(Math.abs(s.ewmaZ));
      ph[4].push(ts, Math.abs(s.cusum));
      ph[5].push(ts, Math.abs(s.ewmaZ));
      t[6].push(s.spreadRatio);
    }
    this.prev = y;
    return s;
  }

  snapshot(): RobustStatsState {
    return {
      v: this.values.values(),
      d: this.diffs.values(),
      r: this.resids.values(),
      tails: this.tails.map((b) => b.snapshot()),
      phases: this.phases.map((p) => p.snapshot()),
      prev: this.prev,
      slow: this.slowAbs,
      cusum: this.cusumChart.snapshot(),
      ewma: this.ewmaChart.value,
      spread: this.spread.snapshot(),
    };
  }

  static restore(windowPoints: number, st: RobustStatsState): RobustStats {
    const rs = new RobustStats(windowPoints);
    const fill = (w: SortedWindow, xs: readonly number[]) => {
      for (const x of xs.slice(-windowPoints)) w.push(x);
    };
    fill(rs.values, st.v);
    fill(rs.diffs, st.d);
    fill(rs.resids, st.r);
    (st.tails ?? []).forEach((b, k) => {
      if (k < rs.tails.length) rs.tails[k] = BlockMax.restore(b);
    });
    (st.phases ?? []).forEach((p, k) => {
      if (k < rs.phases.length) rs.phases[k] = PhaseMax.restore(p);
    });
    rs.prev = st.prev;
    rs.slowAbs = st.slow;
    rs.cusumChart.restore(st.cusum);
    rs.ewmaChart.value = st.ewma;
    rs.spread.restore(st.spread);
    return rs;
  }
}

/** A non-negative statistic over its long-memory reference, that floored at `floor`; 0 before any history. */
/**
 * How far the time-of-day memory may raise a rarity bar above the long-memory reference: a value
 * seen at this hour on earlier days is expected, but a one-off glitch there (a counter reset, a
 * value 1e6 times the usual) must not hide that hour's anomalies for the weeks it takes to decay.
 * The block-maximum reference, which ignores a single block's glitch, bounds it. 50 leaves every
 * NAB score unchanged (lower caps cost false alerts: 10 gives 50 instead of 48, 5 gives 52) and
 * still lets a jump to 6x the level through after a glitch of 10x.
 */
const PHASE_CAP = 50;

/** `x` over its bar: the long-memory reference, the time-of-day one (capped) and `floor`. */
function rarity(ref: BlockMax, x: number, floor: number, phase = 0): number {
  if (ref.size < 4) return 0;
  const long = ref.reference();
  const hour = phase < PHASE_CAP * long ? phase : PHASE_CAP * long;
  return x / Math.max(long, hour, floor, 1e-12);
}

/** A window's own sigma, floored by a fraction of the residual sigma so flat windows do not divide by ~0. */
function floorSigma(own: number, residSigma: number): number {
  return Math.max(own, 0.5 * residSigma, 1e-12);
}
