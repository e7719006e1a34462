import { z } from 'zod';
import type { Alert } from '../../pipeline/ports.js';

/** `name=value`, `name!=value`, `name=~regex`, `name!~regex` (regexes are anchored, as in Alertmanager). */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  /** Compiled, anchored pattern for `=~` / `!~`. */
  re?: RegExp;
}

const MATCHER_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses one matcher string; throws an Error whose message says what is allowed. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new Error('expected a matcher like severity="critical", env=~"prod|staging", team!="web" or host!~"test-.*"');
  const [, name, op, raw] = m as unknown as [string, string, Matcher['op'], string];
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? (JSON.parse(raw) as string) : raw;
  if (op === '=~' || op === '!~') {
    try {
      return { name, op, value, re: new RegExp(`^(?:${value})$`) };
    } catch (err) {
      throw new Error(`invalid regular expression ${JSON.stringify(value)}: ${(err as Error).message}`);
    }
  }
  return { name, op, value };
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/** A matcher string in configuration, parsed (and its regex compiled) at load time. */
export const matcherSchema = z.string().transform((text, ctx): Matcher => {
  try {
    return parseMatcher(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** True when one matcher holds for a label set; a missing label counts as the empty string. */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return (m.re ?? new RegExp(`^(?:${m.value})$`)).test(v);
    case '!~':
      return !(m.re ?? new RegExp(`^(?:${m.value})$`)).test(v);
  }
}

export function matchesAll(ms: readonly Matcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => matches(m, labels));
}

/**
 * The labels routes, silences and grouping see: the series labels, then `metric` (series name),
 * `source`, `severity`, `detector` and `series_id`, which take precedence over series labels of
 * the same name.
 */
export function alertLabels(alert: Alert): Record<string, string> {
  return {
    ...alert.series.labels,
    metric: alert.series.name,
    source: alert.series.source,
    severity: alert.severity,
    detector: alert.detector,
    series_id: alert.series.id,
  };
}
