import { Cusum, EwmaChart, VarianceRatio } from './charts.js';
import { SortedWindow } from './sorted-window.js';

/** Largest |z| fed to the charts, so one spike cannot carry a CUSUM or EWMA chart alone. */
const CHART_CLIP = 4;
/** Rate of the slow mean |residual| that floors the residual sigma. */
const SLOW_RATE = 0.01;

/** Statistics of one point, computed against the state before the point was seen. */
export interface PointStats {
  /** Robust z of the forecast residual. */
  residZ: number;
  /** Robust z of the value against the rolling median. */
  valueZ: number;
  /** Signed two-sided CUSUM statistic of residual z. */
  cusum: number;
  /** Robust z of the step from the previous value. */
  rocZ: number;
  /** EWMA chart of residual z, in chart sigmas. */
  ewmaZ: number;
  /** Short/long residual variance ratio. */
  varRatio: number;
  /** Robust residual sigma used for z and the band. */
  residSigma: number;
}

export interface RobustStatsState {
  v: number[];
  d: number[];
  r: number[];
  prev: number | null;
  slow: number;
  cusum: [number, number];
  ewma: number;
  var: [number, number, number];
}

/**
 * Robust statistics of values and forecast residuals over rolling windows: median/IQR z-scores,
 * a two-sided CUSUM, an EWMA chart, rate of change and a variance ratio. Bounded memory (three
 * windows of `windowPoints`), no allocation per point.
 */
export class RobustStats {
  private readonly values: SortedWindow;
  private readonly diffs: SortedWindow;
  private readonly resids: SortedWindow;
  private prev: number | null = null;
  private slowAbs = 0;
  private readonly cusumChart = new Cusum(0.5, 30);
  private readonly ewmaChart = new EwmaChart(0.1);
  private readonly variance = new VarianceRatio(0.1, 0.01);
  readonly last: PointStats = { residZ: 0, valueZ: 0, cusum: 0, rocZ: 0, ewmaZ: 0, varRatio: 1, residSigma: 0 };

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
   * Scores `y` (with one-step forecast `f`, or null before the forecaster has one) against the
   * state, then learns from it. Writes into and returns `this.last`.
   */
  update(y: number, f: number | null): PointStats {
    const s = this.last;
    const r = f === null ? 0 : y - f;
    const sigma = this.residSigma();
    const rMed = this.resids.size > 0 ? this.resids.median() : 0;
    s.residSigma = sigma;
    s.residZ = f === null ? 0 : (r - rMed) / sigma;
    s.valueZ = this.values.size >= 4 ? (y - this.values.median()) / floorSigma(this.values.iqrSigma(), sigma) : 0;
    const d = this.prev === null ? 0 : y - this.prev;
    s.rocZ = this.diffs.size >= 4 ? (d - this.diffs.median()) / floorSigma(this.diffs.iqrSigma(), sigma) : 0;
    const zc = s.residZ > CHART_CLIP ? CHART_CLIP : s.residZ < -CHART_CLIP ? -CHART_CLIP : s.residZ;
    s.cusum = this.cusumChart.update(zc);
    s.ewmaZ = this.ewmaChart.update(zc);
    s.varRatio = f === null ? 1 : this.variance.update(r - rMed);

    this.values.push(y);
    if (this.prev !== null) this.diffs.push(d);
    if (f !== null) {
      this.resids.push(r);
      const a = Math.abs(r - rMed);
      const capped = this.slowAbs > 0 ? Math.min(a, 10 * this.slowAbs) : a;
      this.slowAbs += SLOW_RATE * (capped - this.slowAbs);
    }
    this.prev = y;
    return s;
  }

  /** Median of the residual window (bias of the forecaster), 0 when empty. */
  residMedian(): number {
    return this.resids.size > 0 ? this.resids.median() : 0;
  }

  snapshot(): RobustStatsState {
    return {
      v: this.values.values(),
      d: this.diffs.values(),
      r: this.resids.values(),
      prev: this.prev,
      slow: this.slowAbs,
      cusum: this.cusumChart.snapshot(),
      ewma: this.ewmaChart.value,
      var: this.variance.snapshot(),
    };
  }

  static restore(windowPoints: number, st: RobustStatsState): RobustStats {
    const rs = new RobustStats(windowPoints);
    for (const x of st.v.slice(-windowPoints)) rs.values.push(x);
    for (const x of st.d.slice(-windowPoints)) rs.diffs.push(x);
    for (const x of st.r.slice(-windowPoints)) rs.resids.push(x);
    rs.prev = st.prev;
    rs.slowAbs = st.slow;
    rs.cusumChart.restore(st.cusum);
    rs.ewmaChart.value = st.ewma;
    rs.variance.restore(st.var);
    return rs;
  }
}

/** A window's own sigma, floored by a fraction of the residual sigma so flat windows do not divide by ~0. */
function floorSigma(own: number, residSigma: number): number {
  return Math.max(own, 0.5 * residSigma, 1e-12);
}
