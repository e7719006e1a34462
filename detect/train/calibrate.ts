/**
 * Trains the learned combiner the way it is used: a forest plus its calibration onto the
 * ensemble's score scale, both chosen from the given (training) files only.
 *
 * 1. Inner by-file cross-validation over the training files (files sorted by key, dealt
 *    round-robin into `innerFolds`): each inner forest votes on the rows of the files it did not
 *    see, giving an out-of-fold vote for every warm row.
 * 2. A quantile map from those votes to the ensemble score (`score` of the run without combiner)
 *    on the same rows (detect/combiner/calibration.ts).
 * 3. Each candidate blend weight is measured by running the model with the calibrated inner-fold
 *    combiners over the training files (each file scored by the inner forest that did not see it),
 *    exactly as validate would; the ensemble alone is the run without combiner. The criterion is
 *    NAB standard on the alert column plus NAB standard with the best threshold.
 * 4. The best candidate is kept only when it beats the ensemble on that criterion; otherwise the
 *    calibration says `ensemble` and no combiner is used. The forest is then trained on all the
 *    given files.
 * Nothing here sees files outside `files`; everything is deterministic (fixed seeds, sorted folds).
 */
import type { DetectConfig } from '../config.js';
import type { SeriesOutput } from '../evaluate/run.js';
import { compileForest, forestProbability, type CompiledForest, type RFModelJson } from '../combiner/forest.js';
import { calibratedCombiner, fitQuantileMap, type CandidateScore, type CombinerCalibration } from '../combiner/calibration.js';
import type { ModelTrainingHyperparameters } from '../combiner/model-file.js';
import type { Combiner } from '../combiner/load.js';
import { FEATURE_NAMES } from '../model.js';
import type { Profiles } from '../nab/index.js';
import type { CorpusFile } from '../validate/corpus.js';
import { runFile } from '../validate/run-corpus.js';
import { summarise } from '../validate/summary.js';
import { trainOn } from './training-set.js';

/** Blend weights tried for the calibrated forest (1 = the calibrated forest alone). */
export const CANDIDATE_WEIGHTS: readonly number[] = [1, 0.75, 0.5, 0.25];

/** Inner folds used to calibrate and choose, when the training files allow. */
export const DEFAULT_INNER_FOLDS = 4;

/** Fold of each file key: keys sorted, dealt round-robin. */
export function assignFolds(keys: readonly string[], k: number): Map<string, number> {
  const sorted = [...keys].sort();
  return new Map(sorted.map((key, i) => [key, i % k]));
}

export interface CalibratedForest {
  forest: RFModelJson;
  calibration: CombinerCalibration;
  rows: number;
  positives: number;
  /** The run-time combiner, or undefined when the ensemble alone was chosen. */
  combiner: Combiner | undefined;
}

const CRITERION = 'nab.standard + nab_sweep.standard (standard profile) on the training files, inner folds held out';

function crit(c: CandidateScore): number {
  if (c.nabStandard === null || c.nabSweepStandard === null) return Number.NEGATIVE_INFINITY;
  return c.nabStandard + c.nabSweepStandard;
}

function scoreOf(weight: number | null, files: readonly CorpusFile[], outputs: readonly SeriesOutput[], profiles: Profiles): CandidateScore {
  const s = summarise(files, outputs, profiles);
  return { weight, nabStandard: s.nab.standard, nabSweepStandard: s.nab_sweep.standard, eventsF1: s.events.f1 };
}

/** The run-time combiner of a forest and its calibration (undefined for `ensemble`). */
export function combinerOf(forest: CompiledForest, cal: CombinerCalibration, featureNames: readonly string[] = FEATURE_NAMES): Combiner | undefined {
  if (cal.kind === 'ensemble') return undefined;
  return calibratedCombiner(forest, cal, featureNames.indexOf('ensemble'));
}

/**
 * `outputs` are the runs of `files` without combiner that kept features. `profiles`: NAB
 * profiles for the criterion.
 */
export function trainCalibrated(
  cfg: DetectConfig,
  files: readonly CorpusFile[],
  outputs: readonly SeriesOutput[],
  hp: ModelTrainingHyperparameters,
  profiles: Profiles,
  innerFolds = DEFAULT_INNER_FOLDS,
): CalibratedForest {
  const final = trainOn(files, outputs, hp);
  const compiledFinal = compileForest(final.forest);
  const k = Math.min(innerFolds, files.length);
  const method = `by-file cross-validation inside the training files, ${k} folds`;
  const done = (calibration: CombinerCalibration): CalibratedForest => ({
    forest: final.forest,
    calibration,
    rows: final.rows,
    positives: final.positives,
    combiner: combinerOf(compiledFinal, calibration),
  });
  if (k < 2) {
    return done({
      kind: 'ensemble',
      reason: 'fewer than 2 training files: no out-of-fold votes to calibrate on or compare with the ensemble',
      selection: { method, criterion: CRITERION, candidates: [] },
    });
  }

  const foldOf = assignFolds(
    files.map((f) => f.series.key),
    k,
  );
  const fileFold = files.map((f) => foldOf.get(f.series.key) as number);
  const inner: CompiledForest[] = [];
  for (let fold = 0; fold < k; fold++) {
    const idx = files.map((_, i) => i).filter((i) => fileFold[i] !== fold);
    inner.push(
      compileForest(
        trainOn(
          idx.map((i) => files[i]),
          idx.map((i) => outputs[i]),
          hp,
        ).forest,
      ),
    );
  }

  // Out-of-fold votes paired with the ensemble score on the same rows.
  const votes: number[] = [];
  const target: number[] = [];
  files.forEach((_, i) => {
    const o = outputs[i];
    if (!o.features) throw new Error('calibration needs a run that kept features');
    const fc = o.featureCount;
    const forest = inner[fileFold[i]];
    for (let r = 0; r < o.rows; r++) {
      if (!o.warm[r] || Number.isNaN(o.features[r * fc])) continue;
      votes.push(forestProbability(forest, o.features.subarray(r * fc, (r + 1) * fc)));
      target.push(o.score[r]);
    }
  });
  if (votes.length === 0) {
    return done({ kind: 'ensemble', reason: 'no warm rows in the training files', selection: { method, criterion: CRITERION, candidates: [] } });
  }
  const map = fitQuantileMap(votes, target);

  const ensemble = scoreOf(null, files, outputs, profiles);
  const candidates: CandidateScore[] = [ensemble];
  let best: CandidateScore | null = null;
  for (const weight of CANDIDATE_WEIGHTS) {
    const outs = files.map((f, i) => runFile(cfg, f, calibratedCombiner(inner[fileFold[i]], { weight, ...map }, FEATURE_NAMES.indexOf('ensemble'))));
    const c = scoreOf(weight, files, outs, profiles);
    candidates.push(c);
    if (best === null || crit(c) > crit(best)) best = c;
  }
  const selection = { method, criterion: CRITERION, candidates };
  if (best === null || !(crit(best) > crit(ensemble))) {
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
    return done({
      kind: 'ensemble',
      reason: `no calibrated forest beat the hand-built ensemble on the training files (best ${f(best ? crit(best) : Number.NaN)} at weight ${best?.weight ?? 'n/a'} vs ensemble ${f(crit(ensemble))})`,
      selection,
    });
  }
  return done({ kind: 'forest', weight: best.weight as number, votes: map.votes, scores: map.scores, selection });
}
