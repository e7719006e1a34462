/**
 * `seismo train --data DIR --labels FILE --out FILE [--config FILE] [--folds K] [--json]`: builds a
 * versioned model file (the random-forest combiner) from labelled NAB-layout series. Its
 * `validation` block is measured by by-file cross-validation (K folds, default 5): every file is
 * scored by a combiner trained without it. The forest in the file is then trained on all files.
 */
import { join } from 'node:path';
import { defaultConfig, loadConfigFile } from '../../config/load.js';
import { ConfigError } from '../../pipeline/errors.js';
import { FEATURE_NAMES } from '../index.js';
import { profilesForDataDir } from '../nab/profiles.js';
import { MODEL_FORMAT, MODEL_VERSION, writeModelFile, type ModelValidation, type SeismoModelFile } from '../combiner/model-file.js';
import { loadCorpus } from '../validate/corpus.js';
import { crossValidate } from '../validate/cv.js';
import { trainCalibrated } from './calibrate.js';
import { runCorpus, stderrProgress } from '../validate/run-corpus.js';
import { summarise } from '../validate/summary.js';
import type { CommandIo } from '../validate/command.js';
import { DEFAULT_TRAINING } from './training-set.js';

export interface TrainOptions {
  data: string;
  labels: string;
  out: string;
  config?: string;
  folds: number;
  json?: boolean;
}

const processIo: CommandIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

export function parseTrainOptions(raw: unknown): TrainOptions {
  const o = (raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of ['data', 'labels', 'out']) {
    if (typeof o[k] !== 'string' || o[k] === '') problems.push(`--${k}: required, found ${JSON.stringify(o[k])}`);
  }
  const folds = o.folds === undefined ? 5 : Number(o.folds);
  if (!Number.isInteger(folds) || folds < 2) problems.push(`--folds: found ${JSON.stringify(o.folds)}; expected an integer of at least 2`);
  if (problems.length) throw new ConfigError(problems);
  return {
    data: o.data as string,
    labels: o.labels as string,
    out: o.out as string,
    folds,
    ...(typeof o.config === 'string' ? { config: o.config } : {}),
    ...(o.json ? { json: true } : {}),
  };
}

/** Trains, validates and returns the model file content (does not write it). */
export function buildModel(opts: TrainOptions, io: CommandIo = processIo, now = new Date()): SeismoModelFile {
  const detect = (opts.config ? loadConfigFile(opts.config, { checkSecrets: false }) : defaultConfig()).detect;
  const files = loadCorpus(opts.data, opts.labels);
  const { profiles } = profilesForDataDir(opts.data, join);
  const rows = files.reduce((a, f) => a + f.series.ts.length, 0);
  const hp = DEFAULT_TRAINING;
  const base = runCorpus(detect, files, { features: true, progress: stderrProgress('train (features)', files.length, rows, io.stderr) });

  const k = Math.min(opts.folds, files.length);
  let validation: ModelValidation;
  if (k >= 2) {
    const cv = crossValidate(detect, files, base, k, hp, stderrProgress(`train (cv ${k})`, files.length, rows, io.stderr), profiles);
    const held = summarise(files, cv.outputs, profiles);
    const b = summarise(files, base, profiles);
    validation = {
      method: `by-file cross-validation, ${k} folds`,
      files: files.length,
      windows: held.windows,
      eventsF1: held.events.f1,
      eventsPrecision: held.events.precision,
      eventsRecall: held.events.recall,
      nabStandard: held.nab.standard,
      nabSweepStandard: held.nab_sweep.standard,
      mape: held.forecast.mape,
      baseline: { eventsF1: b.events.f1, nabStandard: b.nab.standard, nabSweepStandard: b.nab_sweep.standard },
      foldChoices: cv.folds.map((f) => (f.choice.combiner === 'forest' ? `forest (weight ${f.choice.weight})` : `ensemble: ${f.choice.reason}`)),
    };
  } else {
    io.stderr('train: fewer than 2 files; no held-out validation is possible and none is recorded\n');
    validation = {
      method: 'none (fewer than 2 files)',
      files: files.length,
      windows: files.reduce((a, f) => a + f.windows.length, 0),
      eventsF1: null,
      eventsPrecision: null,
      eventsRecall: null,
      nabStandard: null,
      nabSweepStandard: null,
      mape: null,
    };
  }
  // The model's own forest, calibration and forest-or-ensemble choice, by the same nested procedure
  // each validation fold used, now over all files.
  const final = trainCalibrated(detect, files, base, hp, profiles, k >= 2 ? Math.min(k, files.length) : 1);
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    createdAt: now.toISOString(),
    featureNames: [...FEATURE_NAMES],
    hyperparameters: { ...hp },
    trainingSet: { files: files.map((f) => f.series.key), rows: final.rows, positives: final.positives },
    validation,
    forest: final.forest,
    calibration: final.calibration,
  };
}

export async function trainCommand(raw: unknown, io: CommandIo = processIo): Promise<number> {
  const opts = parseTrainOptions(raw);
  const model = buildModel(opts, io);
  writeModelFile(opts.out, model);
  const v = model.validation;
  if (opts.json) {
    const c = model.calibration;
    const choice = c ? (c.kind === 'forest' ? { combiner: 'forest', weight: c.weight, selection: c.selection } : { combiner: 'ensemble', reason: c.reason, selection: c.selection }) : null;
    io.stdout(`${JSON.stringify({ out: opts.out, trainingSet: model.trainingSet, validation: v, choice })}\n`);
  } else {
    const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
    io.stdout(
      `wrote ${opts.out}: ${model.forest.baseModel.nEstimators} trees over ${model.featureNames.length} features, ` +
        `${model.trainingSet.rows} training rows (${model.trainingSet.positives} positive) from ${model.trainingSet.files.length} files\n` +
        `validation (${v.method}): events F1 ${f(v.eventsF1)}, NAB standard ${f(v.nabStandard, 1)}, NAB sweep standard ${f(v.nabSweepStandard, 1)}, MAPE ${f(v.mape, 2)}%\n` +
        (v.baseline ? `hand-built ensemble on the same files: events F1 ${f(v.baseline.eventsF1)}, NAB standard ${f(v.baseline.nabStandard, 1)}, NAB sweep standard ${f(v.baseline.nabSweepStandard, 1)}\n` : '') +
        (model.calibration?.kind === 'forest'
          ? `combiner: calibrated forest, weight ${model.calibration.weight}\n`
          : `combiner: none, the hand-built ensemble scores alone (${model.calibration?.reason ?? 'no calibration'}); the gate refuses this model\n`),
    );
  }
  return 0;
}
