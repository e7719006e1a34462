const SEVERITIES = new Set(['critical', 'warning', 'info']);
const STATES = new Set(['firing', 'resolved']);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const str = (v: unknown, max = 4096): boolean => typeof v === 'string' && v.length <= max;
const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): boolean => v === null || num(v);

/**
 * Why an alert handed to the notifier cannot be delivered, or null when it is well-formed. An
 * alert that fails this goes to the dead-letter sink (if given) and is counted, instead of
 * failing the whole batch again and again.
 */
export function checkAlert(a: unknown): string | null {
  if (!isObject(a)) return 'alert is not an object';
  if (!str(a.id) || a.id === '') return 'id: expected a non-empty string';
  if (!str(a.dedupKey, 1024) || a.dedupKey === '') return 'dedupKey: expected a non-empty string of at most 1024 characters';
  const s = a.series;
  if (!isObject(s)) return 'series: expected an object';
  if (!str(s.source) || !str(s.name) || !str(s.id)) return 'series: source, name and id must be strings';
  if (!isObject(s.labels) || !Object.values(s.labels).every((v) => str(v))) return 'series.labels: expected an object of strings';
  if (!num(a.ts)) return 'ts: expected epoch milliseconds';
  if (!num(a.value)) return 'value: expected a finite number';
  if (!isObject(a.expected) || !numOrNull(a.expected.lo) || !numOrNull(a.expected.hi)) return 'expected: expected {lo, hi} numbers or null';
  if (!num(a.score)) return 'score: expected a finite number';
  if (!str(a.detector)) return 'detector: expected a string';
  if (!SEVERITIES.has(a.severity as string)) return `severity: expected critical, warning or info, found ${JSON.stringify(a.severity)}`;
  if (!STATES.has(a.state as string)) return `state: expected firing or resolved, found ${JSON.stringify(a.state)}`;
  if (!str(a.explanation, 65_536)) return 'explanation: expected a string';
  return null;
}

