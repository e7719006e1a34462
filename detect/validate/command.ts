/**
 * `seismo validate --data DIR --labels FILE [--config FILE] [--model FILE] [--out DIR] [--cv K]
 * [--report DIR] [--json]`: runs the configured detectors over a labelled NAB-layout corpus, rows
 * in time order, one at a time, never showing them the labels, and scores the result.
 */
import { join } from 'node:path';
import { defaultConfig, loadConfigFile } from '../../config/load.js';
import { ConfigError, errorMessage } from '../../pipeline/errors.js';
import type { DetectConfig } from '../config.js';
import { FEATURE_NAMES } from '../index.js';
import { loadLabels } from '../nab/labels.js';
import { profilesForDataDir } from '../nab/profiles.js';
import type { SeriesOutput } from '../evaluate/run.js';
import { combinerFromModel, loadPromotedCombiner, type Combiner } from '../combiner/load.js';
import { readModelFile, type SeismoModelFile } from '../combiner/model-file.js';
import type { ModelConfig } from '../combiner/config.js';
import { DEFAULT_TRAINING } from '../train/training-set.js';
import { loadCorpus, type CorpusFile } from './corpus.js';
import { crossValidate, type FoldInfo } from './cv.js';
import { runCorpus, stderrProgress } from './run-corpus.js';
import { summarise, type ValidationSummary } from './summary.js';
import { formatSummary, writeScoredCsv } from './output.js';
import { writeReport } from './report.js';

export interface ValidateOptions {
  data: string;
  labels: string;
  config?: string;
  model?: string;
  out?: string;
  cv?: number;
  report?: string;
  json?: boolean;
}

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIo: CommandIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

export type ValidationResult = ValidationSummary & {
  seconds: number;
  rows_per_second: number;
  combiner: string;
  training_overlap_files?: string[];
  /** With --cv: the hand-built ensemble alone on the same files, for comparison. */
  baseline?: Pick<ValidationSummary, 'nab' | 'nab_sweep' | 'events'>;
  cv?: { k: number; folds: Array<Omit<FoldInfo, 'trainedOn'> & { trainedOnFiles: number }> };
};

export function parseValidateOptions(raw: unknown): ValidateOptions {
  const o = (raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const str = (k: string, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined) {
      if (required) problems.push(`--${k}: required`);
      return undefined;
    }
    if (typeof v !== 'string' || v === '') problems.push(`--${k}: found ${JSON.stringify(v)}; expected a path`);
    return v as string;
  };
  const opts: ValidateOptions = { data: str('data', true) ?? '', labels: str('labels', true) ?? '' };
  for (const k of ['config', 'model', 'out', 'report'] as const) {
    const v = str(k, false);
    if (v !== undefined) opts[k] = v;
  }
  if (o.cv !== undefined) {
    const k = Number(o.cv);
    if (!Number.isInteger(k) || k < 2) problems.push(`--cv: found ${JSON.stringify(o.cv)}; expected an integer of at least 2`);
    opts.cv = k;
  }
  if (o.json) opts.json = true;
  if (opts.cv !== undefined && opts.model !== undefined) problems.push('--cv trains its own combiner per fold; drop --model or --cv');
  if (problems.length) throw new ConfigError(problems);
  return opts;
}

function detectSettings(configFile?: string): { detect: DetectConfig; model: ModelConfig } {
  const cfg = configFile ? loadConfigFile(configFile, { checkSecrets: false }) : defaultConfig();
  return { detect: cfg.detect, model: cfg.detect.model };
}

/** Runs the whole validation; the command prints what this returns. */
export async function runValidation(opts: ValidateOptions, io: CommandIo = processIo): Promise<{ result: ValidationResult; files: CorpusFile[]; outputs: SeriesOutput[] }> {
  const { detect, model: modelCfg } = detectSettings(opts.config);
  const t0 = performance.now();
  const files = loadCorpus(opts.data, opts.labels);
  for (const f of files) {
    if (!f.labelled) io.stderr(`validate: ${f.series.key} has no entry in ${opts.labels}; scored as having no anomaly windows\n`);
    if (f.series.skipped) io.stderr(`validate: ${f.series.key}: skipped ${f.series.skipped} unparseable row(s)\n`);
  }
  const present = new Set(files.map((f) => f.series.key));
  const absent = [...loadLabels(opts.labels).keys()].filter((k) => !present.has(k));
  if (absent.length > 0) {
    const shown = absent.slice(0, 3).join(', ') + (absent.length > 3 ? ', ...' : '');
    io.stderr(`validate: ${absent.length} labelled file(s) in ${opts.labels} are not under ${opts.data}; their windows are not scored (${shown})\n`);
  }
  const { profiles } = profilesForDataDir(opts.data, join);
  const totalRows = files.reduce((a, f) => a + f.series.ts.length, 0);

  let model: SeismoModelFile | undefined;
  let combiner: Combiner | undefined;
  let combinerName = 'none (hand-built ensemble)';
  if (opts.model) {
    model = readModelFile(opts.model);
    combiner = combinerFromModel(model, FEATURE_NAMES);
    combinerName = opts.model;
    if (!combiner && model.calibration?.kind === 'ensemble') {
      io.stderr(`validate: ${opts.model} chose the hand-built ensemble on its training files (${model.calibration.reason}); scoring with the ensemble\n`);
      combinerName = `${opts.model} (hand-built ensemble, as the model chose)`;
    }
  } else if (modelCfg.path && opts.cv === undefined) {
    try {
      const loaded = loadPromotedCombiner(modelCfg.path, FEATURE_NAMES, modelCfg);
      model = loaded.model;
      combiner = loaded.combiner;
      combinerName = modelCfg.path;
    } catch (err) {
      io.stderr(`validate: not using detect.model.path (the detector would not either): ${errorMessage(err)}\n`);
    }
  }
  let overlap: string[] | undefined;
  if (model) {
    const trained = new Set(model.trainingSet.files);
    overlap = files.map((f) => f.series.key).filter((k) => trained.has(k));
    if (overlap.length) {
      io.stderr(`validate: WARNING: ${overlap.length} of ${files.length} files were in the model's training set; their scores are not a fair test: ${overlap.join(', ')}\n`);
    }
  }

  let outputs: SeriesOutput[];
  let baseline: ValidationResult['baseline'];
  let cvInfo: ValidationResult['cv'];
  if (opts.cv !== undefined) {
    const base = runCorpus(detect, files, { features: true, progress: stderrProgress('validate (features)', files.length, totalRows, io.stderr) });
    const cv = crossValidate(detect, files, base, opts.cv, DEFAULT_TRAINING, stderrProgress(`validate (cv ${opts.cv})`, files.length, totalRows, io.stderr), profiles);
    outputs = cv.outputs;
    const b = summarise(files, base, profiles);
    baseline = { nab: b.nab, nab_sweep: b.nab_sweep, events: b.events };
    cvInfo = { k: opts.cv, folds: cv.folds.map(({ trainedOn, ...rest }) => ({ ...rest, trainedOnFiles: trainedOn.length })) };
    combinerName = `random forest, by-file cross-validation (${opts.cv} folds)`;
  } else {
    outputs = runCorpus(detect, files, { combinerFor: () => combiner, progress: stderrProgress('validate', files.length, totalRows, io.stderr) });
  }
  const summary = summarise(files, outputs, profiles);
  if (summary.skipped_rows > 0) {
    const hit = summary.per_file.filter((f) => f.skipped_rows > 0);
    const names = hit.slice(0, 3).map((f) => `${f.file} (${f.skipped_rows})`).join(', ');
    io.stderr(
      `validate: ${summary.skipped_rows} rows in ${hit.length} files not scored: their timestamp is not newer than the row before, ` +
        `and the detector stage skips such points the same way; they repeat the previous row's score. ${names}${hit.length > 3 ? ', …' : ''}\n`,
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const result: ValidationResult = {
    ...summary,
    seconds,
    rows_per_second: Math.round(totalRows / Math.max(seconds, 1e-9)),
    combiner: combinerName,
    ...(overlap !== undefined ? { training_overlap_files: overlap } : {}),
    ...(baseline ? { baseline } : {}),
    ...(cvInfo ? { cv: cvInfo } : {}),
  };

  if (opts.out) for (let i = 0; i < files.length; i++) await writeScoredCsv(opts.out, files[i], outputs[i]);
  if (opts.report) {
    const path = writeReport(opts.report, result, files, outputs, detect.threshold);
    io.stderr(`validate: report written to ${path}\n`);
  }
  return { result, files, outputs };
}

export async function validateCommand(raw: unknown, io: CommandIo = processIo): Promise<number> {
  const opts = parseValidateOptions(raw);
  const { result } = await runValidation(opts, io);
  io.stdout(opts.json ? `${JSON.stringify(result)}\n` : formatSummary(result));
  return 0;
}
