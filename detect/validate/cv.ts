/**
 * By-file cross-validation of the learned combiner: files (sorted by key) are dealt round-robin
 * into K folds; for each fold a combiner is trained on the other folds' files (forest, calibration
 * onto the ensemble's score scale and the choice between it and the ensemble, all by nested
 * cross-validation inside those files: detect/train/calibrate.ts) and scores only the held-out
 * files, so every file is scored by a model that never saw it or its labels.
 */
import type { DetectConfig } from '../config.js';
import type { SeriesOutput } from '../evaluate/run.js';
import type { ModelTrainingHyperparameters } from '../combiner/model-file.js';
import type { CombinerCalibration } from '../combiner/calibration.js';
import { DEFAULT_PROFILES, type Profiles } from '../nab/index.js';
import { assignFolds, trainCalibrated, DEFAULT_INNER_FOLDS } from '../train/calibrate.js';
import type { CorpusFile } from './corpus.js';
import { runFile, type Progress } from './run-corpus.js';
import { ConfigError } from '../../pipeline/errors.js';

export { assignFolds };

export interface FoldInfo {
  fold: number;
  heldOut: string[];
  trainedOn: string[];
  trainingRows: number;
  positives: number;
  /** What the training folds chose: the calibrated forest (with its weight) or the ensemble, and why. */
  choice: FoldChoice;
}

export type FoldChoice =
  | { combiner: 'forest'; weight: number; selection: CombinerCalibration['selection'] }
  | { combiner: 'ensemble'; reason: string; selection: CombinerCalibration['selection'] };

export interface CrossValidation {
  /** Outputs of each file, in `files` order, scored by its fold's combiner. */
  outputs: SeriesOutput[];
  folds: FoldInfo[];
  /** The calibration of each fold (the map included), in fold order. */
  calibrations: CombinerCalibration[];
}

export function foldChoice(cal: CombinerCalibration): FoldChoice {
  return cal.kind === 'forest'
    ? { combiner: 'forest', weight: cal.weight, selection: cal.selection }
    : { combiner: 'ensemble', reason: cal.reason, selection: cal.selection };
}

/**
 * `baseOutputs` are the runs without a combiner that kept features (the training material); the
 * combiner never changes features, so one such run serves every fold. A fold whose training files
 * chose the ensemble scores its held-out files with the ensemble alone (its base outputs).
 */
export function crossValidate(
  cfg: DetectConfig,
  files: readonly CorpusFile[],
  baseOutputs: readonly SeriesOutput[],
  k: number,
  hp: ModelTrainingHyperparameters,
  progress?: Progress,
  profiles: Profiles = DEFAULT_PROFILES,
  innerFolds = DEFAULT_INNER_FOLDS,
): CrossValidation {
  if (k < 2 || k > files.length) throw new ConfigError([`--cv: found ${k}; must be between 2 and the number of files (${files.length})`]);
  const foldOf = assignFolds(
    files.map((f) => f.series.key),
    k,
  );
  const outputs: SeriesOutput[] = new Array(files.length);
  const folds: FoldInfo[] = [];
  const calibrations: CombinerCalibration[] = [];
  for (let fold = 0; fold < k; fold++) {
    const trainIdx = files.map((_, i) => i).filter((i) => foldOf.get(files[i].series.key) !== fold);
    const testIdx = files.map((_, i) => i).filter((i) => foldOf.get(files[i].series.key) === fold);
    const trained = trainCalibrated(
      cfg,
      trainIdx.map((i) => files[i]),
      trainIdx.map((i) => baseOutputs[i]),
      hp,
      profiles,
      innerFolds,
    );
    for (const i of testIdx) {
      outputs[i] = trained.combiner ? runFile(cfg, files[i], trained.combiner) : baseOutputs[i];
      progress?.fileDone(files[i].series.ts.length);
    }
    calibrations.push(trained.calibration);
    folds.push({
      fold,
      heldOut: testIdx.map((i) => files[i].series.key),
      trainedOn: trainIdx.map((i) => files[i].series.key),
      trainingRows: trained.rows,
      positives: trained.positives,
      choice: foldChoice(trained.calibration),
    });
  }
  progress?.finish();
  return { outputs, folds, calibrations };
}
