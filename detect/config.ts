import { z } from 'zod';
import { strictObject } from '../config/strict.js';
import { modelSchema } from './combiner/config.js';

/**
 * Seasonality search of the forecaster. The model keeps a bounded buffer of the first
 * `searchPoints` values, then looks for an hourly, daily or weekly season (in samples, from the
 * inferred sample interval) by autocorrelation and, if one is found, initialises Holt-Winters.
 */
export const seasonSchema = strictObject({
  /** Look for a season at all. Default true. */
  enabled: z.boolean().default(true),
  /**
   * Values buffered before the season search runs (bounded memory during warm-up); a period is
   * tested when the buffer holds two of it. Default 600.
   */
  searchPoints: z.int().min(16).max(20_000).default(600),
  /** Longest season the model will keep, in samples (bounds per-series memory). Default 2016. */
  maxPeriodPoints: z.int().min(2).max(20_000).default(2016),
  /** Autocorrelation at the candidate lag needed to accept a season, in (0,1). Default 0.3. */
  minAutocorrelation: z.number().gt(0).lt(1).default(0.3),
});

/**
 * The point (in each sub-detector's own statistic) where its score reaches 0.9. Scores are a
 * smooth monotone map of the statistic, so these are the knobs of each detector's sensitivity.
 */
export const detectorLevelsSchema = strictObject({
  /** |forecast residual| in robust sigmas. Default 4. */
  forecast: z.number().positive().default(4),
  /**
   * Rarity: a statistic as a multiple of its own recent tail (99.5th percentile over the window;
   * for residuals and values, the deviation on the same side). The forecast, level, cusum, ewma
   * and variance detectors fire only when a point is beyond both their own level and this.
   * Default 1.25.
   */
  tail: z.number().positive().default(1.25),
  /** |value - rolling median| in MAD sigmas (1.4826 MAD) of the value window. Default 5. */
  level: z.number().positive().default(5),
  /** Two-sided CUSUM statistic of standardised residuals (slack 0.5). Default 6. */
  cusum: z.number().positive().default(6),
  /** |step between consecutive values| in robust sigmas of recent steps. Default 8. */
  roc: z.number().positive().default(8),
  /** EWMA chart of standardised residuals, in chart sigmas. Default 3. */
  ewma: z.number().positive().default(3),
  /** Short/long ratio of the residuals' mean absolute deviation (dimensionless). Default 3. */
  variance: z.number().gt(1).default(3),
});

/**
 * How much evidence a point needs, beyond the per-detector levels, given the series' own recent
 * history. Both mechanisms divide every detector's statistic (its multiple of level and rarity) by
 * a factor >= 1 before the score map, so they raise the bar smoothly rather than gating.
 */
export const evidenceSchema = strictObject({
  /**
   * Youth: while a series has seen fewer than `maturePoints` points its rarity references cover
   * only part of their memory and "beyond everything seen" means less. The factor is
   * `1 + youth * (1 - seen / maturePoints)` (then 1). 0 turns it off. Default 0 (off).
   */
  youth: z.number().min(0).max(10).default(0),
  /** Points after which a series counts as mature (the block-maximum memory is 2048). Default 2048. */
  maturePoints: z.int().min(1).max(1_000_000).default(2048),
  /**
   * Episodes: once a point has scored at or above `threshold`, its strength (the strongest
   * primary statistic over its bar) is remembered as the series' reported level, which decays
   * with `episodeHalfLifePoints`. A point counts as reported when the alert logic would count
   * it (`minConsecutive` points in a row at or above `threshold`). Later points must exceed `episodeMargin` times that level to
   * score as high again, so a persisting excursion is news at its onset and when it grows, not on
   * every row. 0 turns it off. Default 1.5.
   */
  episodeMargin: z.number().min(0).max(100).default(1.5),
  /**
   * Recovery: when a value lands closer to the rolling median than its forecast was (the series
   * returning from an excursion the forecaster followed), the forecast and step detectors count
   * only the share of the residual that is not a return. Default true.
   */
  recovery: z.boolean().default(true),
  /** Half-life of the reported level, in points. Default 32. */
  episodeHalfLifePoints: z.number().positive().default(32),
});

/** Detector and alert-logic settings. Defaults are fixed here, before any evaluation. */
export const detectSchema = strictObject({
  /**
   * Points a series needs before it may alert (at least 8 in any case). The rarity references
   * need some history before "beyond everything seen" means much. Default 250.
   */
  warmupPoints: z.int().min(0).default(250),
  /**
   * Time a series must span, from its first point, before it may alert, in ms, on top of
   * `warmupPoints`. The time-of-day references need a day or two before "unusual for this hour"
   * means much, and new series (a new host, a new pod) are the noisiest. On the NAB corpus two
   * days (172800000) give 41 false alerts instead of 49 and catch 42 windows instead of 43 (NAB
   * standard 74.0 instead of 75.9). Default 0 (points only).
   */
  warmupMs: z.int().min(0).max(31_536_000_000).default(0),
  /**
   * Anomaly score at or above which a point counts as anomalous, in (0,1] (0 would make every
   * point anomalous). Default 0.9.
   */
  threshold: z.number().gt(0).max(1).default(0.9),
  /**
   * Score below which an open alert's point counts as normal again (hysteresis), compared with
   * the score before episode damping, so a persisting excursion keeps its alert open. In (0,1]
   * (at 0 no point would ever count as normal and alerts would never resolve). Default 0.6.
   */
  resolveThreshold: z.number().gt(0).max(1).default(0.6),
  /** Consecutive anomalous points needed to open an alert. Default 1. */
  minConsecutive: z.int().min(1).default(1),
  /** Consecutive normal points needed to resolve an open alert. Default 20. */
  resolveAfter: z.int().min(1).default(20),
  /** After a resolve, no new alert for this series for this many points. Default 0. */
  cooldownPoints: z.int().min(0).default(0),
  /** Half-width of the expected band around the forecast, in robust residual sigmas. Default 3. */
  bandSigmas: z.number().positive().default(3),
  /** Length of the rolling windows behind the robust statistics, in points. Default 256. */
  windowPoints: z.int().min(16).max(4096).default(256),
  /** Seasonality search of the forecaster. */
  season: seasonSchema.prefault({}),
  /** Per-detector statistic at which its score is 0.9. */
  levels: detectorLevelsSchema.prefault({}),
  /**
   * Weight of a learned combiner's output in the final score, in [0,1], when one is supplied
   * (1 = the combiner alone, 0 = the hand-built ensemble alone). Default 1.
   */
  combinerWeight: z.number().min(0).max(1).default(1),
  /** Extra evidence required of young series and within an already reported episode. */
  evidence: evidenceSchema.prefault({}),
  /** Learned combiner model file and the promotion gate it must pass (see detect/combiner). */
  model: modelSchema.prefault({}),
}).superRefine((v, ctx) => {
  if (v.resolveThreshold > v.threshold) {
    ctx.addIssue({
      code: 'custom',
      path: ['resolveThreshold'],
      message: `resolveThreshold (${v.resolveThreshold}) must not exceed threshold (${v.threshold}); lower it or raise threshold`,
    });
  }
});
export type DetectConfig = z.infer<typeof detectSchema>;

/** A full DetectConfig from a partial one (defaults applied, validated). */
export function detectConfig(partial: Record<string, unknown> = {}): DetectConfig {
  return detectSchema.parse(partial);
}
