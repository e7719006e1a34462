import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../ingest/duration.js';
import { CircuitBreaker } from '../../../ingest/breaker.js';

describe('parseDuration', () => {
  it.each([
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['90s', 90_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['1w', 604_800_000],
    [' 5m ', 300_000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', 'm', '1.5h', '-5m', '15 m', '15min', '30m1h', '1h1h', '2x', '1h 30m'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration/);
  });

  it('says what is allowed', () => {
    expect(() => parseDuration('15min')).toThrow(/expected e\.g\. .*15m/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [1500, '1s500ms'],
    [90 * 60_000, '1h30m'],
    [172_800_000, '2d'],
    [8 * 86_400_000 + 1000, '1w1d1s'],
  ])('%d ms = %s, and parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses negative or fractional input', () => {
    expect(() => formatDuration(-1)).toThrow(/duration/);
    expect(() => formatDuration(1.5)).toThrow(/duration/);
  });
});

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, half-opens after the cool-down, closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000 }, () => now);
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    now = 999;
    expect(b.tryAcquire()).toBe(false);
    now = 1000;
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // one trial at a time
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('a failed trial opens it again for a full cool-down', () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 100 }, () => now);
    b.onFailure();
    expect(b.state).toBe('open');
    now = 100;
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    now = 150;
    expect(b.tryAcquire()).toBe(false);
    now = 200;
    expect(b.tryAcquire()).toBe(true);
  });

  it('rejects a threshold below 1', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, coolDownMs: 1 })).toThrow(RangeError);
  });
});
