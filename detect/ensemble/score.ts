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

/**
 * Primary detectors can raise the score alone; a supporting one only adds weight to a primary:
 * the spread ratio, which reacts to any burst of noise, and the EWMA chart, which reads the same
 * clipped residual z as the CUSUM (two primaries on one signal would double its false alarms). The score is the strongest primary
 * sub-score m1, raised towards 1 by the strongest other sub-score m2 as
 * m1 + 0.5 * (1 - m1) * m1 * m2: two detectors agreeing is stronger evidence than either alone,
 * but agreement of weak signals stays weak.
 */
export const PRIMARY: Readonly<Record<DetectorName, boolean>> = {
  forecast: true,
  level: true,
  cusum: true,
  roc: true,
  ewma: false,
  variance: false,
};

/** Strength of the agreement boost. */
export const BOOST = 0.5;

export function combineScores(scores: ArrayLike<number>, primary: ArrayLike<boolean>): number {
  let m1 = 0;
  let at = -1;
  for (let i = 0; i < scores.length; i++) {
    if (primary[i] && scores[i] > m1) {
      m1 = scores[i];
      at = i;
    }
  }
  let m2 = 0;
  for (let i = 0; i < scores.length; i++) if (i !== at && scores[i] > m2) m2 = scores[i];
  const out = m1 + BOOST * (1 - m1) * m1 * m2;
  return out < 0 ? 0 : out > 1 ? 1 : out;
}
