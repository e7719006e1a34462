/**
 * Calibration of the learned combiner onto the hand-built ensemble's score scale.
 *
 * The forest's soft vote is a class-1 share, not a score on the ensemble's scale: the alert
 * thresholds (`detect.threshold`, `resolveThreshold`) were set for the ensemble, so a raw vote
 * fires far too rarely or too often. A monotone quantile map fixes that: a vote at quantile q of
 * the forest's out-of-fold votes on the training files maps to the ensemble score at quantile q
 * on the same rows, so the combiner keeps the forest's ranking but uses the thresholds as often
 * as the ensemble does. The mapped value is then blended with the ensemble feature by `weight`.
 *
 * When the calibrated combiner did not beat the ensemble on the training files (nested by-file
 * cross-validation, see detect/train/calibrate.ts), the calibration says `ensemble` and no
 * combiner is used at all.
 */
import type { CompiledForest } from './forest.js';
import { forestProbability } from './forest.js';

/** Scores of one candidate on the training files (held-out inner folds), NAB standard profile. */
export interface CandidateScore {
  /** Share of the calibrated forest in the combiner output; null = the ensemble alone (no combiner). */
  weight: number | null;
  nabStandard: number | null;
  nabSweepStandard: number | null;
  eventsF1: number | null;
}

/** How the combiner's form was chosen, using the training files only. */
export interface CalibrationSelection {
  method: string;
  /** What was maximised. */
  criterion: string;
  candidates: CandidateScore[];
}

export type CombinerCalibration =
  | {
      kind: 'forest';
      /** Share of the calibrated forest output; the rest is the `ensemble` feature. */
      weight: number;
      /** Monotone map: forest vote knots (non-decreasing, distinct) and their ensemble-scale values. */
      votes: number[];
      scores: number[];
      selection: CalibrationSelection;
    }
  | { kind: 'ensemble'; reason: string; selection: CalibrationSelection };

/** Quantile levels of the map: coarse in the body, dense in the upper tail where thresholds sit. */
function levels(): number[] {
  const q: number[] = [];
  for (let i = 0; i <= 180; i++) q.push((i / 180) * 0.9);
  for (let i = 1; i <= 300; i++) q.push(0.9 + (i / 300) * 0.1);
  return q;
}

/**
 * Learns the quantile map from paired rows: `votes[i]` the forest's out-of-fold vote and
 * `target[i]` the ensemble score on the same row. Only the two marginal distributions matter.
 */
export function fitQuantileMap(votes: ArrayLike<number>, target: ArrayLike<number>): { votes: number[]; scores: number[] } {
  const n = votes.length;
  if (n === 0 || target.length !== n) throw new Error('fitQuantileMap: needs the same non-zero number of votes and targets');
  const v = Float64Array.from(votes).sort();
  const t = Float64Array.from(target).sort();
  const kv: number[] = [];
  const ks: number[] = [];
  let groupS = 0;
  let groupN = 0;
  for (const q of levels()) {
    const idx = Math.round(q * (n - 1));
    const p = v[idx];
    const s = t[idx];
    if (kv.length > 0 && p === kv[kv.length - 1]) {
      // Tied votes: one knot at the mean of their target quantiles (keeps the map a function).
      groupS += s;
      groupN++;
      ks[ks.length - 1] = groupS / groupN;
    } else {
      kv.push(p);
      ks.push(s);
      groupS = s;
      groupN = 1;
    }
  }
  // Averaging tie groups keeps the scores non-decreasing (both sequences are sorted).
  return { votes: kv, scores: ks };
}

/** The map applied to one vote: linear between knots, clamped at the ends. */
export function applyQuantileMap(map: { votes: readonly number[]; scores: readonly number[] }, x: number): number {
  const { votes, scores } = map;
  const n = votes.length;
  if (!(x > votes[0])) return scores[0];
  if (x >= votes[n - 1]) return scores[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (votes[mid] <= x) lo = mid;
    else hi = mid;
  }
  const f = (x - votes[lo]) / (votes[hi] - votes[lo]);
  return scores[lo] + f * (scores[hi] - scores[lo]);
}

/**
 * The combiner function of a calibrated forest: `weight * map(vote) + (1 - weight) * ensemble`,
 * where `ensemble` is the feature of that name (index `ensembleIndex`; -1 = absent, weight 1).
 */
export function calibratedCombiner(
  forest: CompiledForest,
  cal: { weight: number; votes: readonly number[]; scores: readonly number[] },
  ensembleIndex: number,
): (features: number[]) => number {
  const w = ensembleIndex < 0 ? 1 : cal.weight;
  return (x) => {
    const c = applyQuantileMap(cal, forestProbability(forest, x));
    return w === 1 ? c : w * c + (1 - w) * x[ensembleIndex];
  };
}
