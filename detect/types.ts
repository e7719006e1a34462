/**
 * The contract between the detection models (detect/) and everything that runs them: the detector
 * role, `seismo validate`, `seismo replay` and the benchmark. A model sees one series, one point
 * at a time, in time order, and never sees labels.
 */

/** What a model says about one point, computed before and after seeing it. */
export interface PointResult {
  /** Anomaly score in [0, 1]. 0 during warm-up. */
  score: number;
  /** One-step-ahead forecast made before the value was seen; null during warm-up. */
  forecast: number | null;
  /** Expected band made before the value was seen; null during warm-up. */
  lo: number | null;
  hi: number | null;
  /** Per-detector sub-scores in [0, 1], e.g. `{ mad: 0.97, cusum: 0.2 }`. */
  detectors: Record<string, number>;
  /** False while the series is still warming up. */
  warm: boolean;
  /**
   * Normalised feature vector the learned combiner sees, in the order of `FEATURE_NAMES`
   * (detect/model.ts). Present on warm points when the model was created with `features: true`
   * (training, validation); absent otherwise and during warm-up.
   */
  features?: number[];
  /**
   * Evidence strength of the point: the strongest primary detector's statistic over its bar
   * (1 = at its level and rarity bar), before episode damping. Present once the model is warm.
   */
  strength?: number;
  /**
   * The score before episode damping (detect.evidence): the evidence that the point is still
   * out of the ordinary, whether or not it is news. An open alert stays open while this is at or
   * above `resolveThreshold`, so a persisting excursion is not reported as back to normal. Equal
   * to `score` when nothing is damped; 0 during warm-up.
   */
  undamped?: number;
}

/** Online, bounded-memory model of one series. */
export interface SeriesModel {
  update(ts: number, value: number): PointResult;
  /** JSON-serialisable state, restorable with the factory's `restore`. */
  snapshot(): unknown;
}

/** Alert decision for one point, from scores and the configured alert logic. */
export type AlertTransition = 'open' | 'resolve' | null;
