import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ConfigError } from '../../pipeline/errors.js';
import { parseTimestamp } from '../nab/labels.js';

/** One labelled-corpus series in memory, rows in time order. */
export interface SeriesData {
  /** `<category>/<name>.csv`, the key of its labels. */
  key: string;
  category: string;
  /** Epoch ms per row, ascending. */
  ts: Float64Array;
  values: Float64Array;
  /** The timestamp text of each row as read, for output files. */
  tsText: string[];
  /** Rows dropped because the timestamp or value did not parse. */
  skipped: number;
}

/** Fast path for `YYYY-MM-DD HH:MM:SS` (NAB's format, UTC); anything else goes to parseTimestamp. */
function fastTimestamp(s: string): number {
  if (s.length === 19 && s.charCodeAt(4) === 45 && s.charCodeAt(10) === 32 && s.charCodeAt(13) === 58) {
    const d = (i: number) => s.charCodeAt(i) - 48;
    return Date.UTC(
      d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
      d(5) * 10 + d(6) - 1,
      d(8) * 10 + d(9),
      d(11) * 10 + d(12),
      d(14) * 10 + d(15),
      d(17) * 10 + d(18),
    );
  }
  return parseTimestamp(s);
}

/** Parses a `timestamp,value` CSV (header required). Rows are put in time order if they are not. */
export function parseSeriesCsv(text: string, key: string): SeriesData {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const tsCol = header.indexOf('timestamp');
  const valCol = header.indexOf('value');
  if (tsCol < 0 || valCol < 0) throw new ConfigError([`${key}: expected a header with timestamp and value columns, found ${JSON.stringify(lines[0])}`]);
  const ts: number[] = [];
  const values: number[] = [];
  const tsText: string[] = [];
  let skipped = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    const cells = line.split(',');
    const t = fastTimestamp(cells[tsCol] ?? '');
    const v = Number(cells[valCol]);
    if (Number.isNaN(t) || !Number.isFinite(v) || (cells[valCol] ?? '').trim() === '') {
      skipped++;
      continue;
    }
    ts.push(t);
    values.push(v);
    tsText.push(cells[tsCol]);
  }
  let ordered = true;
  for (let i = 1; i < ts.length; i++) if (ts[i] < ts[i - 1]) ordered = false;
  const idx = ts.map((_, i) => i);
  if (!ordered) idx.sort((a, b) => ts[a] - ts[b] || a - b);
  const slash = key.indexOf('/');
  return {
    key,
    category: slash > 0 ? key.slice(0, slash) : '',
    ts: Float64Array.from(idx, (i) => ts[i]),
    values: Float64Array.from(idx, (i) => values[i]),
    tsText: idx.map((i) => tsText[i]),
    skipped,
  };
}

/** Keys `<category>/<name>.csv` of every CSV under a NAB-layout directory, sorted. */
export function listSeriesFiles(dir: string): string[] {
  let top: string[];
  try {
    top = readdirSync(dir);
  } catch (err) {
    throw new ConfigError([`--data: cannot read directory ${dir}: ${(err as Error).message}`]);
  }
  const keys: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.csv')) keys.push(relative(dir, p).split(sep).join('/'));
    }
  };
  for (const name of top) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
  }
  return keys.sort();
}

export function loadSeries(dir: string, key: string): SeriesData {
  return parseSeriesCsv(readFileSync(join(dir, ...key.split('/')), 'utf8'), key);
}

/** Median spacing of the first rows, the sample interval a production collector would know. */
export function inferIntervalMs(ts: Float64Array): number | undefined {
  const n = Math.min(ts.length - 1, 200);
  if (n < 1) return undefined;
  const d = Array.from({ length: n }, (_, i) => ts[i + 1] - ts[i]).sort((a, b) => a - b);
  const m = d[n >> 1];
  return m > 0 ? m : undefined;
}
