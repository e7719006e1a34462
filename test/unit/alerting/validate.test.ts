import { describe, expect, it } from 'vitest';
import { checkAlert } from '../../../sinks/alerting/validate.js';
import { sampleAlert } from './fixtures.js';

describe('checkAlert', () => {
  it('accepts a well-formed alert, null band edges included', () => {
    expect(checkAlert(sampleAlert())).toBeNull();
    expect(checkAlert(sampleAlert({ expected: { lo: null, hi: null }, state: 'resolved', severity: 'info' }))).toBeNull();
  });

  it('names what is wrong', () => {
    const a = sampleAlert();
    expect(checkAlert(null)).toBe('alert is not an object');
    expect(checkAlert({ ...a, dedupKey: '' })).toMatch(/^dedupKey/);
    expect(checkAlert({ ...a, series: { ...a.series, labels: { host: 1 } } })).toMatch(/^series\.labels/);
    expect(checkAlert({ ...a, ts: '2024-01-01' })).toMatch(/^ts/);
    expect(checkAlert({ ...a, value: null })).toMatch(/^value/);
    expect(checkAlert({ ...a, expected: { lo: 'a', hi: 1 } })).toMatch(/^expected/);
    expect(checkAlert({ ...a, severity: 'page' })).toBe('severity: expected critical, warning or info, found "page"');
    expect(checkAlert({ ...a, state: 'open' })).toBe('state: expected firing or resolved, found "open"');
  });
});
