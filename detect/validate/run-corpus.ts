import type { DetectConfig } from '../config.js';
import { createAlertLogic, createSeriesModel, FEATURE_NAMES } from '../index.js';
import { evaluateSeries, type SeriesOutput } from '../evaluate/run.js';
import { inferIntervalMs } from '../evaluate/series.js';
import type { Combiner } from '../combiner/load.js';
import type { CorpusFile } from './corpus.js';

/** Reports progress (files done, rows/s) on long runs. */
export interface Progress {
  fileDone(rows: number): void;
  finish(): void;
}

export function stderrProgress(label: string, totalFiles: number, totalRows: number, write: (s: string) => void): Progress {
  const t0 = performance.now();
  let files = 0;
  let rows = 0;
  let last = t0;
  const line = () => {
    const s = (performance.now() - t0) / 1000;
    write(`${label}: ${files}/${totalFiles} files, ${rows}/${totalRows} rows, ${Math.round(rows / Math.max(s, 1e-3))} rows/s\n`);
  };
  return {
    fileDone(n) {
      files++;
      rows += n;
      const now = performance.now();
      if (now - last > 1000) {
        last = now;
        line();
      }
    },
    finish() {
      if (performance.now() - t0 > 1000) line();
    },
  };
}

export interface RunOptions {
  /** Learned combiner for a file, or undefined for the hand-built ensemble. */
  combinerFor?: (file: CorpusFile) => Combiner | undefined;
  /** Keep PointResult.features (for training). */
  features?: boolean;
  progress?: Progress;
}

/** Runs the configured model and alert logic over one file, rows in time order. */
export function runFile(cfg: DetectConfig, file: CorpusFile, combiner?: Combiner, features = false): SeriesOutput {
  const { ts, values } = file.series;
  const model = createSeriesModel(cfg, { combiner, intervalMs: inferIntervalMs(ts), features });
  return evaluateSeries(ts, values, model, createAlertLogic(cfg), { featureCount: features ? FEATURE_NAMES.length : 0 });
}

export function runCorpus(cfg: DetectConfig, files: readonly CorpusFile[], opts: RunOptions = {}): SeriesOutput[] {
  const out: SeriesOutput[] = [];
  for (const f of files) {
    out.push(runFile(cfg, f, opts.combinerFor?.(f), opts.features ?? false));
    opts.progress?.fileDone(f.series.ts.length);
  }
  opts.progress?.finish();
  return out;
}
