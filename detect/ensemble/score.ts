/**
 * From sub-detector statistics to scores in [0,1] and from scores to one anomaly score.
 *
 * Each statistic is mapped by a smooth tail transform s(x) = 1 - 0.1^((x/level)^4): 0 at 0, 0.9 at
 * the detector's configured `level`, ~0.13 at half of it and 1 - 1e-16 at twice it. The steep
 * shape keeps everyday noise near 0 (so it does not add up across detectors) while keeping the
 * ordering of extreme points, which a swept threshold needs.
 */

export const DETECTOR_NAMES = ['forecast', 'level', 'cusum', 'roc', 'ewma', 'variance'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

const LN_TENTH = Math.log(0.1);

/** Tail score of a non-negative statistic; 0.9 at `level`. */
export function tailScore(stat: number, level: number): number {
  if (!(stat > 0)) return 0;
  const r = stat / level;
  const r2 = r * r;
  return 1 - Math.exp(LN_TENTH * r2 * r2);
}

/** Relative weight of each detector in the ensemble (1 = can raise an alert alone). */
export const DETECTOR_WEIGHTS: Readonly<Record<DetectorName, number>> = {
  forecast: 1,
  level: 1,
  cusum: 1,
  roc: 1,
  ewma: 1,
  variance: 1,
};

/**
 * Ensemble: the strongest weighted sub-score, raised towards 1 by the second strongest (two
 * independent detectors agreeing is stronger evidence than either alone):
 * score = m1 + (1 - m1) * 0.5 * m2.
 */
export function combineScores(scores: ArrayLike<number>, weights: ArrayLike<number>): number {
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] * weights[i];
    if (s > m1) {
      m2 = m1;
      m1 = s;
    } else if (s > m2) m2 = s;
  }
  const out = m1 + (1 - m1) * 0.5 * m2;
  return out < 0 ? 0 : out > 1 ? 1 : out;
}
