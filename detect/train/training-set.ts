/**
 * Training rows of the learned combiner. The combiner's job is to tell which unusual points are
 * real anomalies, so:
 * - positives: warm rows in the leading `positiveFraction` of a label window on which the
 *   hand-built ensemble score (feature `ensemble`) is at least `minPositiveScore` (window rows that
 *   look normal say nothing about the anomaly and are left out);
 * - negatives: warm rows outside every window, all the unusual ones (ensemble at least
 *   `minPositiveScore`, the false alarms to learn away) plus a deterministic sample of the rest.
 * Features are those the model produced while reading the series in time order.
 */
import type { SeriesOutput } from '../evaluate/run.js';
import type { CorpusFile } from '../validate/corpus.js';
import { compileForest, prng, trainForest, type RFModelJson } from '../combiner/forest.js';
import type { ModelTrainingHyperparameters } from '../combiner/model-file.js';
import { FEATURE_NAMES } from '../model.js';

export const DEFAULT_TRAINING: ModelTrainingHyperparameters = {
  trees: 30,
  maxDepth: 8,
  maxFeatures: 0.7,
  minNumSamples: 5,
  rowsPerTree: 600,
  bins: 16,
  seed: 42,
  positiveFraction: 1,
  minPositiveScore: 0.8,
};

/** Negatives kept per positive before the per-tree subsampling. */
const MAX_NEGATIVE_RATIO = 20;

export interface TrainingRows {
  X: Float64Array[];
  y: number[];
  positives: number;
}

export function trainingRows(
  files: readonly CorpusFile[],
  outputs: readonly SeriesOutput[],
  hp: Pick<ModelTrainingHyperparameters, 'positiveFraction' | 'minPositiveScore' | 'seed'>,
): TrainingRows {
  const ens = FEATURE_NAMES.indexOf('ensemble');
  const posX: Float64Array[] = [];
  const hardX: Float64Array[] = [];
  const easyX: Float64Array[] = [];
  files.forEach((f, i) => {
    const o = outputs[i];
    if (!o.features) throw new Error('training needs a run that kept features');
    const fc = o.featureCount;
    const { ts } = f.series;
    const spans = f.windows.map((w) => [w.start, w.end, w.start + hp.positiveFraction * (w.end - w.start)] as const);
    for (let r = 0; r < o.rows; r++) {
      if (!o.warm[r] || Number.isNaN(o.features[r * fc])) continue;
      const row = o.features.subarray(r * fc, (r + 1) * fc);
      const unusual = ens < 0 || row[ens] >= hp.minPositiveScore;
      const t = ts[r];
      let inWindow = false;
      let leading = false;
      for (const [a, b, c] of spans) {
        if (t >= a && t <= b) inWindow = true;
        if (t >= a && t <= c) leading = true;
      }
      if (inWindow) {
        if (leading && unusual) posX.push(row);
      } else (unusual ? hardX : easyX).push(row);
    }
  });
  const rand = prng(hp.seed ^ 0x5eed);
  const keep = Math.max((posX.length + hardX.length) * MAX_NEGATIVE_RATIO, 5000);
  let easy = easyX;
  if (easyX.length > keep) {
    // Partial Fisher-Yates: a uniform, deterministic sample of `keep` easy negatives.
    easy = easyX.slice();
    for (let i = 0; i < keep; i++) {
      const j = i + Math.floor(rand() * (easy.length - i));
      [easy[i], easy[j]] = [easy[j], easy[i]];
    }
    easy = easy.slice(0, keep);
  }
  const X = [...posX, ...hardX, ...easy];
  const y = [...posX.map(() => 1), ...hardX.map(() => 0), ...easy.map(() => 0)];
  return { X, y, positives: posX.length };
}

export interface TrainedForest {
  forest: RFModelJson;
  rows: number;
  positives: number;
}

export function trainOn(files: readonly CorpusFile[], outputs: readonly SeriesOutput[], hp: ModelTrainingHyperparameters): TrainedForest {
  const set = trainingRows(files, outputs, hp);
  const forest = trainForest(set.X, set.y, hp);
  compileForest(forest); // fail here, not at load time, if the trees are unreadable
  return { forest, rows: set.y.length, positives: set.positives };
}
