/** Parsing of NAB-layout CSV: a `timestamp,value` header, then `2014-02-14 14:27:00,51.8` rows (UTC). */

export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  ts: number;
  value: number;
}

export interface CsvProblem {
  line: number;
  text: string;
  reason: string;
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?Z?$/;

/** Parses `YYYY-MM-DD HH:MM[:SS[.fff]]` (space or `T`, optional `Z`) as UTC; NaN when invalid. */
export function parseNabTimestamp(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  // Reject impossible dates that Date.UTC would roll over (2014-02-30).
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return NaN;
  return t;
}

/**
 * Parses the whole file. The header must name `timestamp` and `value` columns (in any order, other
 * columns ignored); rows that do not parse are returned as problems, not thrown.
 */
export function parseNabCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').split(',').map((h) => h.trim().toLowerCase());
  const tsCol = header.indexOf('timestamp');
  const valueCol = header.indexOf('value');
  if (tsCol < 0 || valueCol < 0) {
    return { rows: [], problems: [{ line: 1, text: lines[0] ?? '', reason: 'header must have `timestamp` and `value` columns' }] };
  }
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i];
    if (text.trim() === '') continue;
    const cells = text.split(',');
    const tsText = cells[tsCol]?.trim() ?? '';
    const valueText = cells[valueCol]?.trim() ?? '';
    const ts = parseNabTimestamp(tsText);
    if (Number.isNaN(ts)) {
      problems.push({ line: i + 1, text, reason: `bad timestamp ${JSON.stringify(tsText.slice(0, 64))}` });
      continue;
    }
    const value = valueText === '' ? NaN : Number(valueText);
    if (!Number.isFinite(value)) {
      problems.push({ line: i + 1, text, reason: `bad value ${JSON.stringify(valueText.slice(0, 64))}` });
      continue;
    }
    rows.push({ line: i + 1, ts, value });
  }
  return { rows, problems };
}
