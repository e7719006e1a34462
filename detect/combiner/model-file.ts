/**
 * The versioned model file written by `seismo train` and read by `seismo validate --model` and the
 * detector role (`detect.model.path`). JSON:
 *
 * ```
 * { format: 'seismo-model', version: 2, createdAt, featureNames, hyperparameters,
 *   trainingSet: { files, rows, positives }, validation: { method, files, eventsF1, nabStandard, ... },
 *   forest: <ml-random-forest RFClassifier toJSON()>,
 *   calibration: { kind: 'forest', weight, votes, scores, selection } | { kind: 'ensemble', reason, selection } }
 * ```
 *
 * Version 1 files (no `calibration`) still load: their raw forest vote is the combiner output.
 * ```
 * ```
 *
 * `featureNames` must be a prefix of the running code's FEATURE_NAMES (appending features keeps
 * old models usable; reordering or removing one does not).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { SeismoError } from '../../pipeline/errors.js';
import type { ForestHyperparameters, RFModelJson } from './forest.js';
import type { CombinerCalibration } from './calibration.js';

export const MODEL_FORMAT = 'seismo-model';
/** 2: adds `calibration` (version 1 files hold a raw forest whose vote is the score). */
export const MODEL_VERSION = 2;

/** Metrics of the model on data it was not trained on (held-out files). */
export interface ModelValidation {
  /** How they were measured, e.g. `by-file cross-validation, 5 folds`. */
  method: string;
  files: number;
  windows: number;
  eventsF1: number | null;
  eventsPrecision: number | null;
  eventsRecall: number | null;
  /** NAB standard profile on the alert column, normalised over the validation files. */
  nabStandard: number | null;
  /** NAB standard profile with the best single score threshold (NAB's own method). */
  nabSweepStandard: number | null;
  /** One-step-ahead forecast MAPE in percent (the forecaster's; the combiner does not change it). */
  mape: number | null;
  /** The same metrics of the hand-built ensemble alone on the same files, for comparison. */
  baseline?: { eventsF1: number | null; nabStandard: number | null; nabSweepStandard: number | null };
  /**
   * What the validation folds chose, each from its own training files: `forest (weight w)` or
   * `ensemble: <reason>`. The model's own choice is in `calibration`.
   */
  foldChoices?: string[];
}

export interface ModelTrainingHyperparameters extends ForestHyperparameters {
  /** Leading fraction of each label window whose rows are the positive class. */
  positiveFraction: number;
  /** Hand-built ensemble score a window row needs to count as a positive example. */
  minPositiveScore: number;
}

export interface SeismoModelFile {
  format: typeof MODEL_FORMAT;
  version: number;
  createdAt: string;
  featureNames: string[];
  hyperparameters: ModelTrainingHyperparameters;
  trainingSet: { files: string[]; rows: number; positives: number };
  validation: ModelValidation;
  forest: RFModelJson;
  /**
   * Version 2: how the forest's vote becomes a score (quantile map onto the ensemble's scale and
   * blend weight), or `ensemble` when the forest did not beat the hand-built ensemble on the
   * training files; with the candidates measured and the reason. Absent in version 1 files.
   */
  calibration?: CombinerCalibration;
}

const nullableNumber = z.number().nullable();
const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.int().min(1),
  createdAt: z.string(),
  featureNames: z.array(z.string()).min(1),
  hyperparameters: z.looseObject({}),
  trainingSet: z.looseObject({ files: z.array(z.string()), rows: z.int().min(0) }),
  validation: z.looseObject({
    eventsF1: nullableNumber,
    nabStandard: nullableNumber,
    mape: nullableNumber,
  }),
  forest: z.looseObject({
    name: z.literal('RFClassifier'),
    baseModel: z.looseObject({ indexes: z.array(z.array(z.int())), estimators: z.array(z.unknown()).min(1), nEstimators: z.int() }),
  }),
  calibration: z
    .union([
      z.looseObject({
        kind: z.literal('forest'),
        weight: z.number().min(0).max(1),
        votes: z.array(z.number()).min(1),
        scores: z.array(z.number().min(0).max(1)).min(1),
      }),
      z.looseObject({ kind: z.literal('ensemble'), reason: z.string() }),
    ])
    .optional(),
});

/** Parses and checks a model file's content; throws a SeismoError naming what is wrong. */
export function parseModelFile(raw: unknown, source = 'model'): SeismoModelFile {
  const r = modelFileSchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SeismoError(`${source}: not a seismo model file: ${first.join('; ')}`);
  }
  if (r.data.version > MODEL_VERSION) {
    throw new SeismoError(`${source}: model file version ${r.data.version} is newer than this seismo reads (${MODEL_VERSION})`);
  }
  if (r.data.version >= 2 && r.data.calibration === undefined) throw new SeismoError(`${source}: model file version ${r.data.version} lacks its calibration`);
  const cal = r.data.calibration;
  if (cal?.kind === 'forest' && cal.votes.length !== cal.scores.length) {
    throw new SeismoError(`${source}: calibration.votes and calibration.scores differ in length (${cal.votes.length} vs ${cal.scores.length})`);
  }
  return r.data as unknown as SeismoModelFile;
}

export function readModelFile(file: string): SeismoModelFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SeismoError(`${file}: cannot read model file: ${(err as Error).message}`, { cause: err });
  }
  return parseModelFile(raw, file);
}

export function writeModelFile(file: string, model: SeismoModelFile): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(model)}\n`);
}

/** Checks that the model's features are those (a prefix of those) the running code produces. */
export function featureMismatch(model: SeismoModelFile, runtimeFeatureNames: readonly string[]): string | null {
  const n = model.featureNames.length;
  if (n > runtimeFeatureNames.length) return `model expects ${n} features, this seismo produces ${runtimeFeatureNames.length}`;
  for (let i = 0; i < n; i++) {
    if (model.featureNames[i] !== runtimeFeatureNames[i]) {
      return `feature ${i} is ${JSON.stringify(model.featureNames[i])} in the model but ${JSON.stringify(runtimeFeatureNames[i])} here`;
    }
  }
  return null;
}
