import { readFileSync } from 'node:fs';
import { ConfigError } from '../../pipeline/errors.js';
import type { LabelWindow } from './scorer.js';

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses NAB's timestamps (`2014-02-14 14:27:00`, `2014-02-19 10:50:00.000000`), which carry no
 * zone and are read as UTC, and ISO 8601 with an explicit zone. Returns NaN when unparseable.
 */
export function parseTimestamp(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) return Number.NaN;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0) + Math.round(frac);
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** Label windows keyed by `<category>/<name>.csv`, as in NAB's `combined_windows.json`. */
export type LabelSet = Map<string, LabelWindow[]>;

/** Reads NAB's combined_windows.json: `{ "<category>/<name>.csv": [[start, end], ...] }`. */
export function loadLabels(file: string): LabelSet {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`--labels: cannot read ${file}: ${(err as Error).message}`]);
  }
  return parseLabels(raw, file);
}

export function parseLabels(raw: unknown, source = 'labels'): LabelSet {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${source}: expected an object keyed by "<category>/<name>.csv"`]);
  }
  const out: LabelSet = new Map();
  const problems: string[] = [];
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(list)) {
      problems.push(`${source}: ${key}: expected a list of [start, end] windows`);
      continue;
    }
    const windows: LabelWindow[] = [];
    list.forEach((w, i) => {
      const ok = Array.isArray(w) && w.length === 2 && typeof w[0] === 'string' && typeof w[1] === 'string';
      const start = ok ? parseTimestamp(w[0] as string) : Number.NaN;
      const end = ok ? parseTimestamp(w[1] as string) : Number.NaN;
      if (Number.isNaN(start) || Number.isNaN(end) || end < start) {
        problems.push(`${source}: ${key}[${i}]: expected ["start", "end"] timestamps with start <= end, found ${JSON.stringify(w)}`);
      } else windows.push({ start, end });
    });
    out.set(key.replace(/\\/g, '/'), windows.sort((a, b) => a.start - b.start));
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}
