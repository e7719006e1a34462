import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import type { SeriesOutput } from '../evaluate/run.js';
import type { CorpusFile } from './corpus.js';
import type { ValidationSummary } from './summary.js';

export const OUT_HEADER = 'timestamp,value,anomaly_score,alert,forecast,lo,hi';

function num(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

/** Writes `<dir>/<category>/<name>.csv` with the scored columns for one file. */
export async function writeScoredCsv(dir: string, file: CorpusFile, o: SeriesOutput): Promise<void> {
  const path = join(dir, ...file.series.key.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path);
  const { tsText, values } = file.series;
  const chunk: string[] = [OUT_HEADER];
  const flush = async () => {
    if (!stream.write(`${chunk.join('\n')}\n`)) await once(stream, 'drain');
    chunk.length = 0;
  };
  for (let i = 0; i < o.rows; i++) {
    const score = Math.round(o.score[i] * 1e6) / 1e6;
    chunk.push(`${tsText[i]},${values[i]},${score},${o.alert[i]},${num(o.forecast[i])},${num(o.lo[i])},${num(o.hi[i])}`);
    if (chunk.length >= 4096) await flush();
  }
  if (chunk.length) await flush();
  stream.end();
  await once(stream, 'finish');
}

const f1 = (x: number | null, d = 1) => (x === null ? 'n/a' : x.toFixed(d));

/** The human-readable summary printed without --json. */
export function formatSummary(s: ValidationSummary & { seconds: number; training_overlap_files?: string[] }): string {
  const lines = [
    `files ${s.files}, windows ${s.windows}, rows ${s.rows}, ${s.seconds.toFixed(2)} s (${Math.round(s.rows / Math.max(s.seconds, 1e-9))} rows/s)`,
    `NAB (alert column):     standard ${f1(s.nab.standard)}  low-FP ${f1(s.nab.reward_low_FP_rate)}  low-FN ${f1(s.nab.reward_low_FN_rate)}`,
    `NAB (best threshold):   standard ${f1(s.nab_sweep.standard)}  low-FP ${f1(s.nab_sweep.reward_low_FP_rate)}  low-FN ${f1(s.nab_sweep.reward_low_FN_rate)}`,
    `events: precision ${s.events.precision.toFixed(3)}  recall ${s.events.recall.toFixed(3)}  F1 ${s.events.f1.toFixed(3)}  (${s.event_counts.detected}/${s.event_counts.windows} windows, ${s.event_counts.falseAlerts} false alerts)`,
    `forecast: MAPE ${f1(s.forecast.mape, 2)}%  sMAPE ${f1(s.forecast.smape, 2)}%  MASE ${f1(s.forecast.mase, 3)}  (median per file: MAPE ${f1(s.forecast_median_per_file.mape, 2)}%, MASE ${f1(s.forecast_median_per_file.mase, 3)})`,
  ];
  if (s.training_overlap_files?.length) lines.push(`WARNING: ${s.training_overlap_files.length} file(s) were in the model's training set`);
  lines.push('', 'file                                                         rows  win  alerts  det  FP   NAB(std)  MASE');
  for (const p of s.per_file) {
    lines.push(
      `${p.file.padEnd(58)} ${String(p.rows).padStart(6)} ${String(p.windows).padStart(4)} ${String(p.alerts).padStart(7)} ${String(p.detected_windows).padStart(4)} ${String(p.false_alerts).padStart(3)} ${f1(p.nab_standard_contribution, 2).padStart(9)}  ${f1(p.mase, 3)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
