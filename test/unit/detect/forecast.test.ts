import { describe, expect, it } from 'vitest';
import { Forecaster } from '../../../detect/forecast/forecaster.js';
import { candidatePeriods, detectSeason, medianDelta, seasonScalesWithLevel } from '../../../detect/forecast/season.js';

const MIN = 60_000;
const settings = { enabled: true, searchPoints: 900, maxPeriodPoints: 2016, minAutocorrelation: 0.3 };

/** Deterministic pseudo-random noise in [-1, 1]. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

describe('season detection', () => {
  it('infers the interval from the median timestamp delta', () => {
    expect(medianDelta([0, 5 * MIN, 10 * MIN, 30 * MIN, 35 * MIN, 40 * MIN])).toBe(5 * MIN);
  });

  it('maps hourly/daily/weekly to samples at the interval', () => {
    expect(candidatePeriods(5 * MIN, 2016)).toEqual([12, 288, 2016]);
    expect(candidatePeriods(MIN, 2016)).toEqual([60, 1440]);
  });

  it('finds a daily season in 5-minute data and no season in a random walk', () => {
    const rnd = noise(1);
    const daily = Array.from({ length: 900 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * rnd());
    expect(detectSeason(daily, candidatePeriods(5 * MIN, 2016), 0.3)?.period).toBe(288);
    let w = 0;
    const walk = Array.from({ length: 900 }, () => (w += rnd()));
    expect(detectSeason(walk, candidatePeriods(5 * MIN, 2016), 0.3)).toBeNull();
  });

  it('finds an hourly season in 5-minute data', () => {
    const rnd = noise(2);
    const hourly = Array.from({ length: 900 }, (_, i) => 10 + (i % 12 < 6 ? 5 : 0) + rnd());
    expect(detectSeason(hourly, candidatePeriods(5 * MIN, 2016), 0.3)?.period).toBe(12);
  });

  it('calls a season multiplicative when its swing grows with the level', () => {
    const grow = Array.from({ length: 1200 }, (_, i) => (10 + i / 20) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 100)));
    expect(seasonScalesWithLevel(grow, 100)).toBe(true);
    const flat = Array.from({ length: 1200 }, (_, i) => 10 + i / 20 + 5 * Math.sin((2 * Math.PI * i) / 100));
    expect(seasonScalesWithLevel(flat, 100)).toBe(false);
  });
});

describe('forecaster', () => {
  it('tracks a noisy daily sine once the season is found, far better than the last value', () => {
    const rnd = noise(3);
    const f = new Forecaster(settings);
    let model = 0;
    let naive = 0;
    let rows = 0;
    let prev = NaN;
    for (let i = 0; i < 288 * 6; i++) {
      const y = 100 + 30 * Math.sin((2 * Math.PI * i) / 288) + 3 * rnd();
      const fc = f.forecast();
      if (i >= 1000 && fc !== null) {
        model += Math.abs(y - fc);
        naive += Math.abs(y - prev);
        rows++;
      }
      f.update(i * 5 * MIN, y);
      prev = y;
    }
    expect(f.period).toBe(288);
    expect(f.intervalMs).toBe(5 * MIN);
    // The noise is uniform on [-3, 3]: mean |noise| is 1.5, the floor for any forecaster.
    expect(model / rows).toBeLessThan(1.8);
    expect(model / naive).toBeLessThan(0.9);
  });

  it('finds a daily season in 1-minute data through the aggregated buffer, and keeps it across a snapshot', () => {
    const rnd = noise(5);
    const f = new Forecaster(settings);
    const day = 1440;
    const y = (i: number) => 200 + 80 * Math.sin((2 * Math.PI * i) / day) + 4 * rnd();
    let i = 0;
    for (; i < 3700; i++) f.update(i * MIN, y(i)); // 900 buffered values of 4 samples each
    expect(f.period).toBe(day);
    const g = Forecaster.restore(settings, JSON.parse(JSON.stringify(f.snapshot())));
    let model = 0;
    let naive = 0;
    let prev = y(i - 1);
    for (; i < day * 4; i++) {
      const v = y(i);
      const fc = f.forecast() as number;
      expect(g.forecast()).toBe(fc);
      model += Math.abs(v - fc);
      naive += Math.abs(v - prev);
      f.update(i * MIN, v);
      g.update(i * MIN, v);
      prev = v;
    }
    expect(model / naive).toBeLessThan(0.9);
  });

  it('finds a daily season at intervals whose daily period the smallest aggregation factor does not divide', () => {
    // 45 s: 1920 points a day (factor 8, not 7); 61 s: 1416 (factor 6, not 5); 70 s: 1234 = 2 x 617,
    // no divisor near 5, so the period is rounded to 247 aggregated points (1235).
    for (const [intervalMs, expected] of [
      [45_000, 1920],
      [61_000, 1416],
      [70_000, 1235],
    ] as const) {
      const f = new Forecaster({ ...settings, searchPoints: 600 }, intervalMs);
      for (let i = 0; i < (3 * 86_400_000) / intervalMs; i++) {
        const t = i * intervalMs;
        f.update(t, 100 + 40 * Math.sin((2 * Math.PI * t) / 86_400_000) + 10 * Math.sin((2 * Math.PI * t) / 3_600_000));
      }
      expect(f.period, `interval ${intervalMs} ms`).toBe(expected);
    }
  });

  it('follows a linear trend with small error', () => {
    const f = new Forecaster({ ...settings, enabled: false });
    let lastErr = Infinity;
    for (let i = 0; i < 500; i++) {
      const y = 10 + 0.5 * i;
      const fc = f.forecast();
      if (fc !== null) lastErr = Math.abs(y - fc);
      f.update(i * MIN, y);
    }
    expect(lastErr).toBeLessThan(0.05);
  });

  it('is not dragged far by a single spike', () => {
    const f = new Forecaster({ ...settings, enabled: false });
    const rnd = noise(4);
    for (let i = 0; i < 300; i++) f.update(i * MIN, 50 + rnd());
    f.update(300 * MIN, 500);
    const fc = f.forecast();
    expect(fc).not.toBeNull();
    expect(Math.abs((fc as number) - 50)).toBeLessThan(10);
  });
});

describe('season phase across gaps', () => {
  it('keeps the daily season in step after an outage', () => {
    const day = 288;
    // Ten days of 5-minute data with a daily shape; the second run misses 100 samples (8 hours
    // 20 minutes) on day 4. Without gap handling the season would be 100 steps out of phase.
    const run = (outage: number) => {
      const rnd = noise(7);
      const f = new Forecaster(settings, 5 * MIN);
      for (let slot = 0; slot < 10 * day; slot++) {
        const e = rnd();
        if (slot >= 4 * day + 100 && slot < 4 * day + 100 + outage) continue;
        const ts = 1_700_000_000_000 + slot * 5 * MIN;
        f.update(ts, 100 + 40 * Math.sin((2 * Math.PI * slot) / day) + 2 * e);
      }
      return f;
    };
    const clean = run(0);
    const gapped = run(100);
    expect(gapped.period).toBe(day);
    // Recent mean |error| of each seasonal smoother (they follow the 9 level/trend ones).
    const seasonalErr = (f: Forecaster) => f.snapshot().bank.slice(9).map((b) => b.s[3]);
    const c = seasonalErr(clean);
    const g = seasonalErr(gapped);
    expect(g).toHaveLength(3);
    for (let k = 0; k < 3; k++) expect(g[k]).toBeLessThan(1.5 * c[k]);
    // And the forecast for a point right after a gap is for that point's phase.
    const at = 1_700_000_000_000 + (10 * day + 72) * 5 * MIN; // a quarter day on: the daily peak
    expect(gapped.forecast(at)!).toBeGreaterThan(130);
  });

  it('restores the last timestamp, so a gap right after a restart is still counted', () => {
    const f = new Forecaster(settings, 5 * MIN);
    for (let i = 0; i < 1200; i++) f.update(i * 5 * MIN, 100 + 40 * Math.sin((2 * Math.PI * i) / 288));
    const g = Forecaster.restore(settings, JSON.parse(JSON.stringify(f.snapshot())), 5 * MIN);
    const at = 1210 * 5 * MIN;
    expect(g.forecast(at)).toBe(f.forecast(at));
    expect(g.forecast(at)).not.toBe(g.forecast(1200 * 5 * MIN));
  });
});
