import { SeismoError } from '../../pipeline/errors.js';
import { compileForest, forestProbability } from './forest.js';
import { calibratedCombiner } from './calibration.js';
import { featureMismatch, readModelFile, type SeismoModelFile } from './model-file.js';
import { checkPromotion, type PromotionMinimums } from './promotion.js';

/** A combiner function for createSeriesModel: features (FEATURE_NAMES order) -> probability in [0,1]. */
export type Combiner = (features: number[]) => number;

/**
 * The combiner of a parsed model file (feature compatibility checked); undefined when the model's
 * training chose the hand-built ensemble (calibration `ensemble`): then no combiner is used.
 */
export function combinerFromModel(model: SeismoModelFile, runtimeFeatureNames: readonly string[]): Combiner | undefined {
  const mismatch = featureMismatch(model, runtimeFeatureNames);
  if (mismatch) throw new SeismoError(`model file does not fit this seismo: ${mismatch}`);
  const cal = model.calibration;
  if (cal?.kind === 'ensemble') return undefined;
  const forest = compileForest(model.forest);
  if (cal) return calibratedCombiner(forest, cal, runtimeFeatureNames.indexOf('ensemble'));
  return (features) => forestProbability(forest, features);
}

export interface LoadedCombiner {
  model: SeismoModelFile;
  combiner: Combiner;
}

/**
 * What the detector role does with `detect.model.path`: read the file, check it fits the running
 * features, and apply the promotion gate. Throws a SeismoError listing every reason it is refused.
 */
export function loadPromotedCombiner(file: string, runtimeFeatureNames: readonly string[], minimums: PromotionMinimums): LoadedCombiner {
  const model = readModelFile(file);
  const gate = checkPromotion(model, minimums);
  if (!gate.ok) throw new SeismoError(`${file}: model not promoted: ${gate.reasons.join('; ')}`);
  const combiner = combinerFromModel(model, runtimeFeatureNames);
  if (!combiner) throw new SeismoError(`${file}: model not promoted: its training chose the hand-built ensemble`);
  return { model, combiner };
}

/**
 * Model options for the detector role from `detect.model`: the combiner when `path` is set and the
 * model passes the promotion gate; otherwise none (the hand-built ensemble scores alone), with
 * the reason passed to `refused` (log it).
 */
export function detectorModelOptions(
  cfg: PromotionMinimums & { path?: string },
  runtimeFeatureNames: readonly string[],
  refused: (reason: string) => void,
): { combiner?: Combiner } {
  if (!cfg.path) return {};
  try {
    return { combiner: loadPromotedCombiner(cfg.path, runtimeFeatureNames, cfg).combiner };
  } catch (err) {
    refused(err instanceof Error ? err.message : String(err));
    return {};
  }
}
