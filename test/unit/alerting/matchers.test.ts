import { describe, expect, it } from 'vitest';
import { alertLabels, formatMatcher, matches, matchesAll, matcherSchema, parseMatcher } from '../../../sinks/alerting/matchers.js';
import { sampleAlert } from './fixtures.js';

describe('matchers', () => {
  it('parses the four operators, quoted or bare values', () => {
    expect(parseMatcher('severity="critical"')).toMatchObject({ name: 'severity', op: '=', value: 'critical' });
    expect(parseMatcher('team != web')).toMatchObject({ name: 'team', op: '!=', value: 'web' });
    expect(parseMatcher('env=~"prod|staging"')).toMatchObject({ name: 'env', op: '=~', value: 'prod|staging' });
    expect(parseMatcher('host!~test-.*')).toMatchObject({ name: 'host', op: '!~', value: 'test-.*' });
    expect(parseMatcher('msg="a \\"quoted\\" value"').value).toBe('a "quoted" value');
  });

  it('rejects malformed matchers and bad regexes with a message saying what is allowed', () => {
    expect(() => parseMatcher('severity')).toThrow(/expected a matcher like/);
    expect(() => parseMatcher('1abc=x')).toThrow(/expected a matcher like/);
    expect(() => parseMatcher('env=~"(prod"')).toThrow(/invalid regular expression/);
    const r = matcherSchema.safeParse('env=~"(prod"');
    expect(r.success).toBe(false);
  });

  it('anchors regexes and treats a missing label as empty', () => {
    const labels = { env: 'prod-eu', host: 'web-1' };
    expect(matches(parseMatcher('env=~"prod"'), labels)).toBe(false);
    expect(matches(parseMatcher('env=~"prod.*"'), labels)).toBe(true);
    expect(matches(parseMatcher('env!~"prod"'), labels)).toBe(true);
    expect(matches(parseMatcher('team=""'), labels)).toBe(true);
    expect(matches(parseMatcher('team!=""'), labels)).toBe(false);
    expect(matches(parseMatcher('team!="db"'), labels)).toBe(true);
    expect(matchesAll([parseMatcher('env=~"prod.*"'), parseMatcher('host="web-1"')], labels)).toBe(true);
    expect(matchesAll([parseMatcher('env=~"prod.*"'), parseMatcher('host="web-2"')], labels)).toBe(false);
    expect(matchesAll([], labels)).toBe(true);
  });

  it('formats matchers back to their canonical text', () => {
    expect(formatMatcher(parseMatcher('env=~prod.*'))).toBe('env=~"prod.*"');
  });

  it('alert labels add metric, source, severity, detector and series_id over the series labels', () => {
    const l = alertLabels(sampleAlert({ labels: { host: 'a', severity: 'spoofed' } }));
    expect(l).toEqual({ host: 'a', severity: 'critical', metric: 'cpu_usage', source: 'prometheus', detector: 'holt-winters', series_id: 'abcdef0123456789' });
  });
});
