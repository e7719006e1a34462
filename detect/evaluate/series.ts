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
  const firstNl = text.indexOf('\n');
  const headerLine = (firstNl < 0 ? text : text.slice(0, firstNl)).replace(/\r$/, '');
  const header = headerLine.split(',').map((h) => h.trim().toLowerCase());
  const tsCol = header.indexOf('timestamp');
  const valCol = header.indexOf('value');
  if (tsCol < 0 || valCol < 0) throw new ConfigError([`${key}: expected a header with timestamp and value columns, found ${JSON.stringify(headerLine)}`]);
  const twoColumns = header.length === 2;
  let cap = 1024;
  let ts = new Float64Array(cap);
  let values = new Float64Array(cap);
  const tsText: string[] = [];
  let n = 0;
  let skipped = 0;
  let pos = firstNl < 0 ? text.length : firstNl + 1;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let lineEnd = nl;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd > pos) {
      let tText: string;
      let vText: string;
      if (twoColumns) {
        const comma = text.indexOf(',', pos);
        const a = comma < 0 || comma > lineEnd ? lineEnd : comma;
        const first = text.slice(pos, a);
        const second = a < lineEnd ? text.slice(a + 1, lineEnd) : '';
        tText = tsCol === 0 ? first : second;
        vText = tsCol === 0 ? second : first;
      } else {
        const cells = text.slice(pos, lineEnd).split(',');
        tText = cells[tsCol] ?? '';
        vText = cells[valCol] ?? '';
      }
      const t = fastTimestamp(tText);
      const v = vText.trim() === '' ? Number.NaN : Number(vText);
      if (Number.isNaN(t) || !Number.isFinite(v)) skipped++;
      else {
        if (n === cap) {
          cap *= 2;
          const t2 = new Float64Array(cap);
          t2.set(ts);
          ts = t2;
          const v2 = new Float64Array(cap);
          v2.set(values);
          values = v2;
        }
        ts[n] = t;
        values[n] = v;
        tsText.push(tText);
        n++;
      }
    }
    pos = nl + 1;
  }
  ts = ts.slice(0, n);
  values = values.slice(0, n);
  let ordered = true;
  for (let i = 1; i < n; i++) if (ts[i] < ts[i - 1]) ordered = false;
  const slash = key.indexOf('/');
  const category = slash > 0 ? key.slice(0, slash) : '';
  if (ordered) return { key, category, ts, values, tsText, skipped };
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a] - ts[b] || a - b);
  return {
    key,
    category,
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
