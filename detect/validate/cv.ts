/**
 * By-file cross-validation of the learned combiner: files (sorted by key) are dealt round-robin
 * into K folds; for each fold a combiner is trained on the other folds' files and scores only the
 * held-out files, so every file is scored by a model that never saw it.
 */
import type { DetectConfig } from '../config.js';
import type { SeriesOutput } from '../evaluate/run.js';
import { compileForest, forestProbability } from '../combiner/forest.js';
import type { ModelTrainingHyperparameters } from '../combiner/model-file.js';
import { trainOn } from '../train/training-set.js';
import type { CorpusFile } from './corpus.js';
import { runFile, type Progress } from './run-corpus.js';
import { ConfigError } from '../../pipeline/errors.js';

/** Fold of each file key: keys sorted, dealt round-robin. */
export function assignFolds(keys: readonly string[], k: number): Map<string, number> {
  const sorted = [...keys].sort();
  return new Map(sorted.map((key, i) => [key, i % k]));
}

export interface FoldInfo {
  fold: number;
  heldOut: string[];
  trainedOn: string[];
  trainingRows: number;
  positives: number;
}

export interface CrossValidation {
  /** Outputs of each file, in `files` order, scored by its fold's combiner. */
  outputs: SeriesOutput[];
  folds: FoldInfo[];
}

/**
 * `baseOutputs` are the runs without a combiner that kept features (the training material); the
 * combiner never changes features, so one such run serves every fold.
 */
export function crossValidate(
  cfg: DetectConfig,
  files: readonly CorpusFile[],
  baseOutputs: readonly SeriesOutput[],
  k: number,
  hp: ModelTrainingHyperparameters,
  progress?: Progress,
): CrossValidation {
  if (k < 2 || k > files.length) throw new ConfigError([`--cv: found ${k}; must be between 2 and the number of files (${files.length})`]);
  const foldOf = assignFolds(
    files.map((f) => f.series.key),
    k,
  );
  const outputs: SeriesOutput[] = new Array(files.length);
  const folds: FoldInfo[] = [];
  for (let fold = 0; fold < k; fold++) {
    const trainIdx = files.map((_, i) => i).filter((i) => foldOf.get(files[i].series.key) !== fold);
    const testIdx = files.map((_, i) => i).filter((i) => foldOf.get(files[i].series.key) === fold);
    const trained = trainOn(
      trainIdx.map((i) => files[i]),
      trainIdx.map((i) => baseOutputs[i]),
      hp,
    );
    const compiled = compileForest(trained.forest);
    const combiner = (x: number[]) => forestProbability(compiled, x);
    for (const i of testIdx) {
      outputs[i] = runFile(cfg, files[i], combiner);
      progress?.fileDone(files[i].series.ts.length);
    }
    folds.push({
      fold,
      heldOut: testIdx.map((i) => files[i].series.key),
      trainedOn: trainIdx.map((i) => files[i].series.key),
      trainingRows: trained.rows,
      positives: trained.positives,
    });
  }
  progress?.finish();
  return { outputs, folds };
}
