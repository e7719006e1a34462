import { SeismoError } from '../pipeline/errors.js';
import type { DetectConfig } from './config.js';
import { combineScores, DETECTOR_NAMES, PRIMARY, tailScore } from './ensemble/score.js';
import { Forecaster, type ForecasterState } from './forecast/forecaster.js';
import { RobustStats, type PointStats, type RobustStatsState } from './robust/series-stats.js';
import type { PointResult, SeriesModel } from './types.js';

/**
 * The feature vector a learned combiner sees (PointResult.features), in this order. Every entry
 * is dimensionless, so one combiner can serve series of any scale:
 * - `s_*`: the sub-detector scores in [0,1] (see detect/ensemble/score.ts), and `ensemble`, the
 *   hand-built combination of them;
 * - `resid_z`: forecast residual in robust residual sigmas; `value_z`: value against the rolling
 *   median in robust sigmas of the value window; `cusum`: signed two-sided CUSUM statistic;
 *   `log_var_ratio`: log of the short/long ratio of residual spread (mean |deviation|); `roc_z`: step from the previous value
 *   in robust sigmas of recent steps; `ewma_z`: EWMA chart of residual z in chart sigmas;
 *   `band_pos`: where the value fell in the expected band (0 = lo, 1 = hi); `seasonal`: 1 when a
 *   season was found; `resid_tail` / `value_tail`: deviation from the median as a multiple of
 *   the window's own 99.5th-percentile deviation on that side (above 1 = beyond recent extremes); `cusum_tail`, `ewma_tail`, `spread_tail`, `roc_tail`: those statistics over
 *   their own recent 99.5th percentile.
 * z-like entries are clipped to ±50 and band_pos to ±25. Appending names is a compatible change;
 * reordering or removing one invalidates trained combiners.
 */
export const FEATURE_NAMES: readonly string[] = Object.freeze([
  's_forecast',
  's_level',
  's_cusum',
  's_roc',
  's_ewma',
  's_variance',
  'ensemble',
  'resid_z',
  'value_z',
  'cusum',
  'log_var_ratio',
  'roc_z',
  'ewma_z',
  'band_pos',
  'seasonal',
  'resid_tail',
  'value_tail',
  'cusum_tail',
  'ewma_tail',
  'spread_tail',
  'roc_tail',
]);

/** Points every model needs before it can be warm, whatever warmupPoints says (windows need a few values). */
export const MIN_WARM_POINTS = 8;

/**
 * Largest strength an episode remembers (detect.evidence): the reported level halves every
 * `episodeHalfLifePoints`, so an uncapped glitch of 1e308 would damp the series for ~32,000 points;
 * with the cap it takes ~660 at the default half-life.
 */
const PEAK_CAP = 1e6;

export interface SeriesModelOptions {
  /**
   * Learned combiner: features (FEATURE_NAMES order) -> anomaly probability in [0,1]. When given,
   * the score is `combinerWeight * combiner + (1 - combinerWeight) * ensemble`.
   */
  combiner?: (features: number[]) => number;
  /** Sample interval in ms when known; otherwise inferred from the first timestamps. */
  intervalMs?: number;
  /**
   * Return PointResult.features on warm points (training, validation). Without it the vector is
   * built only when a combiner needs it, and not returned: the detector role scores without it.
   */
  features?: boolean;
}

interface ModelState {
  kind: 'seismo.series-model';
  v: 1;
  n: number;
  forecaster: ForecasterState;
  stats: RobustStatsState;
  /**
   * Episode state (detect.evidence): reported level, unreported points at/above threshold, their
   * peak strength. Optional so older states still restore.
   */
  reported?: number[];
  /** Timestamp of the first point (detect.warmupMs); optional so older states still restore. */
  t0?: number;
}

const clip = (x: number, c: number): number => (x > c ? c : x < -c ? -c : x !== x ? 0 : x);

class EnsembleSeriesModel implements SeriesModel {
  private n = 0;
  private readonly primary = DETECTOR_NAMES.map((d) => PRIMARY[d]);
  private readonly subScores = new Float64Array(DETECTOR_NAMES.length);
  /** Each detector's statistic over its bar (1 = at its level and rarity bar). */
  private readonly strengths = new Float64Array(DETECTOR_NAMES.length);
  private readonly damped = new Float64Array(DETECTOR_NAMES.length);
  /** Strength of the last reported episode (decaying); see detect.evidence. */
  private reported = 0;
  /** Consecutive points at/above threshold not yet reported, and their strongest strength. */
  private above = 0;
  private peak = 0;
  private readonly decay: number;
  private readonly warmAt: number;
  /** Timestamp of the series' first point (NaN before any). */
  private t0 = Number.NaN;

  constructor(
    private readonly cfg: DetectConfig,
    private readonly opts: SeriesModelOptions,
    private readonly forecaster: Forecaster,
    private readonly stats: RobustStats,
  ) {
    this.warmAt = Math.max(cfg.warmupPoints, MIN_WARM_POINTS);
    this.decay = Math.pow(0.5, 1 / cfg.evidence.episodeHalfLifePoints);
  }

  /** Enough points and (detect.warmupMs) enough time since the first one. */
  private pastWarmup(ts: number): boolean {
    return this.n >= this.warmAt && ts - this.t0 >= this.cfg.warmupMs;
  }

  update(ts: number, value: number): PointResult {
    if (!Number.isFinite(value)) {
      // Samples are validated upstream; a non-finite value must not poison the state.
      return { score: 0, forecast: null, lo: null, hi: null, detectors: {}, warm: this.pastWarmup(ts) };
    }
    if (this.t0 !== this.t0) this.t0 = ts;
    const f = this.forecaster.forecast(ts);
    const st = this.stats.update(ts, value, f);
    this.forecaster.update(ts, value);
    const warm = this.pastWarmup(ts) && f !== null;
    this.n++;
    if (!warm || f === null) return { score: 0, forecast: null, lo: null, hi: null, detectors: {}, warm: false };

    const half = this.cfg.bandSigmas * st.residSigma;
    const lo = f - half;
    const hi = f + half;
    const lv = this.cfg.levels;
    const tail = lv.tail;
    const x = this.strengths;
    x[0] = Math.min(Math.abs(st.residZ) / lv.forecast, st.residTail / tail);
    x[1] = Math.min(Math.abs(st.valueZ) / lv.level, st.valueTail / tail);
    x[2] = Math.min(Math.abs(st.cusum) / lv.cusum, st.cusumTail / tail);
    x[3] = Math.min(Math.abs(st.rocZ) / lv.roc, st.rocTail / tail);
    x[4] = Math.min(Math.abs(st.ewmaZ) / lv.ewma, st.ewmaTail / tail);
    x[5] = st.spreadRatio > 1 ? Math.min(Math.log(st.spreadRatio) / Math.log(lv.variance), st.spreadTail / tail) : 0;
    // Recovery: after an unusual value, a value back towards the series' usual level (closer to
    // the rolling median than its forecast, which followed the excursion) ends the excursion, it
    // does not start a new one; the point detectors count only the part of the residual that is
    // not a return (the ratio of the distances to the median).
    const fromUsual = Math.abs(f - st.valueMedian);
    const valueFromUsual = Math.abs(value - st.valueMedian);
    if (
      this.cfg.evidence.recovery &&
      valueFromUsual < fromUsual &&
      Math.abs(st.prevDev) > lv.level * st.valueSigma &&
      st.prevDev * (f - st.valueMedian) > 0
    ) {
      const r = valueFromUsual / fromUsual;
      x[0] *= r;
      x[3] *= r;
    }
    const sc = this.subScores;
    for (let i = 0; i < x.length; i++) sc[i] = tailScore(x[i], 1);
    const ensemble = combineScores(sc, this.primary);
    const features = this.opts.features || this.opts.combiner ? this.featureVector(st, value, lo, hi, ensemble) : undefined;
    // Evidence bar: higher while the series is young and within an episode already reported.
    const ev = this.cfg.evidence;
    const youth = this.n - 1 < ev.maturePoints ? 1 + ev.youth * (1 - (this.n - 1) / ev.maturePoints) : 1;
    this.reported *= this.decay;
    const bar = youth * Math.max(1, ev.episodeMargin * this.reported);
    let strength = 0;
    for (let i = 0; i < x.length; i++) if (this.primary[i] && x[i] > strength) strength = x[i];
    let damped = ensemble;
    if (bar > 1) {
      const d = this.damped;
      for (let i = 0; i < x.length; i++) d[i] = tailScore(x[i] / bar, 1);
      damped = combineScores(d, this.primary);
    }
    let score = damped;
    let undamped = ensemble;
    if (this.opts.combiner && features) {
      const c = this.opts.combiner(features);
      const w = this.cfg.combinerWeight;
      // The episode bar damps the combiner as it damps the ensemble: by the share of the
      // ensemble's evidence that is still news.
      const news = ensemble > 0 ? damped / ensemble : 1;
      score = w * clip01(c) * news + (1 - w) * damped;
      undamped = w * clip01(c) + (1 - w) * ensemble;
    }
    // A point is reported once the alert logic would count it: minConsecutive points at/above threshold.
    if (score >= this.cfg.threshold) {
      this.above++;
      this.peak = Math.max(this.peak, Math.min(strength / youth, PEAK_CAP));
      if (this.above >= this.cfg.minConsecutive && ev.episodeMargin > 0) {
        if (this.peak > this.reported) this.reported = this.peak;
        this.above = 0;
        this.peak = 0;
      }
    } else {
      this.above = 0;
      this.peak = 0;
    }
    return {
      score: clip01(score),
      forecast: f,
      lo,
      hi,
      detectors: {
        forecast: sc[0],
        level: sc[1],
        cusum: sc[2],
        roc: sc[3],
        ewma: sc[4],
        variance: sc[5],
      },
      warm: true,
      features: this.opts.features ? features : undefined,
      strength,
      undamped: clip01(undamped),
    };
  }

  /** The combiner's input (FEATURE_NAMES order) for the point just scored. */
  private featureVector(st: PointStats, value: number, lo: number, hi: number, ensemble: number): number[] {
    const sc = this.subScores;
    return [
      sc[0],
      sc[1],
      sc[2],
      sc[3],
      sc[4],
      sc[5],
      ensemble,
      clip(st.residZ, 50),
      clip(st.valueZ, 50),
      clip(st.cusum, 50),
      clip(Math.log(st.spreadRatio > 0 ? st.spreadRatio : 1e-12), 50),
      clip(st.rocZ, 50),
      clip(st.ewmaZ, 50),
      clip(hi > lo ? (value - lo) / (hi - lo) : 0.5, 25),
      this.forecaster.period > 0 ? 1 : 0,
      clip(st.residTail, 50),
      clip(st.valueTail, 50),
      clip(st.cusumTail, 50),
      clip(st.ewmaTail, 50),
      clip(st.spreadTail, 50),
      clip(st.rocTail, 50),
    ];
  }

  snapshot(): ModelState {
    return {
      kind: 'seismo.series-model',
      v: 1,
      n: this.n,
      forecaster: this.forecaster.snapshot(),
      stats: this.stats.snapshot(),
      reported: [this.reported, this.above, this.peak],
      ...(this.t0 === this.t0 ? { t0: this.t0 } : {}),
    };
  }

  setPoints(n: number, reported: readonly number[], t0?: number): void {
    this.n = n;
    // A state without t0 (written before warmupMs existed) counts as old enough.
    this.t0 = t0 ?? (n > 0 ? Number.NEGATIVE_INFINITY : Number.NaN);
    this.reported = reported[0] ?? 0;
    this.above = reported[1] ?? 0;
    this.peak = reported[2] ?? 0;
  }
}

function clip01(x: number): number {
  return x > 1 ? 1 : x > 0 ? x : 0;
}

/** A fresh model for one series. */
export function createSeriesModel(cfg: DetectConfig, opts: SeriesModelOptions = {}): SeriesModel {
  return new EnsembleSeriesModel(cfg, opts, new Forecaster(cfg.season, opts.intervalMs ?? 0), new RobustStats(cfg.windowPoints));
}

/**
 * A model restored from `snapshot()` output (after a JSON round trip if need be); its next outputs
 * are those the snapshotted model would have given. Throws a SeismoError on a state it cannot read.
 */
export function restoreSeriesModel(cfg: DetectConfig, state: unknown, opts: SeriesModelOptions = {}): SeriesModel {
  if (!isModelState(state)) throw new SeismoError('cannot restore series model: not a seismo.series-model v1 state');
  const m = new EnsembleSeriesModel(
    cfg,
    opts,
    Forecaster.restore(cfg.season, state.forecaster, opts.intervalMs ?? 0),
    RobustStats.restore(cfg.windowPoints, state.stats),
  );
  const ep = Array.isArray(state.reported) ? state.reported.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : 0)) : [];
  m.setPoints(state.n, ep, typeof state.t0 === 'number' && Number.isFinite(state.t0) ? state.t0 : undefined);
  return m;
}

function isModelState(s: unknown): s is ModelState {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Partial<ModelState>;
  return o.kind === 'seismo.series-model' && o.v === 1 && typeof o.n === 'number' && typeof o.forecaster === 'object' && typeof o.stats === 'object';
}
