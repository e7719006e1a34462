import { describe, expect, it } from 'vitest';
import { createAlertLogic } from '../../../detect/alert-logic.js';
import { detectConfig } from '../../../detect/config.js';
import { Forecaster, type ForecasterState } from '../../../detect/forecast/forecaster.js';
import { HoltWinters } from '../../../detect/forecast/holt-winters.js';
import { candidatePeriods, detectSeason } from '../../../detect/forecast/season.js';
import { createSeriesModel } from '../../../detect/model.js';
import { RobustStats } from '../../../detect/robust/series-stats.js';
import type { PointResult } from '../../../detect/types.js';

const MIN5 = 300_000;
const T0 = 1_600_000_000_000;
/** Glitches near the largest double, of both signs: any two of them overflow when subtracted or added. */
const GLITCHES = [1e308, -1.7e308, Number.MAX_VALUE, -Number.MAX_VALUE];

function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** 5-minute data with a daily season; `glitchAt` rows replaced by GLITCHES; a +60 spike at `spikeAt`. */
function series(n: number, glitchAt: number | null, spikeAt: number): number[] {
  const rnd = noise(3);
  return Array.from({ length: n }, (_, i) => {
    if (glitchAt !== null && i >= glitchAt && i < glitchAt + GLITCHES.length) return GLITCHES[i - glitchAt];
    return 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + rnd() + (i === spikeAt ? 60 : 0);
  });
}

/** Paths of the numbers in `o` that are not finite. */
function nonFinite(o: unknown, path = ''): string[] {
  if (typeof o === 'number') return Number.isFinite(o) ? [] : [`${path}=${o}`];
  if (Array.isArray(o)) return o.flatMap((x, i) => nonFinite(x, `${path}[${i}]`));
  if (o !== null && typeof o === 'object') return Object.entries(o).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
  return [];
}

function run(values: number[]): { results: PointResult[]; opens: number[]; state: { forecaster: ForecasterState } } {
  const cfg = detectConfig({});
  const model = createSeriesModel(cfg, { intervalMs: MIN5, features: true });
  const logic = createAlertLogic(cfg);
  const results: PointResult[] = [];
  const opens: number[] = [];
  values.forEach((v, i) => {
    const r = model.update(T0 + i * MIN5, v);
    results.push(r);
    if (logic.update(r.score, r.warm, r.undamped) === 'open') opens.push(i);
  });
  return { results, opens, state: model.snapshot() as { forecaster: ForecasterState } };
}

describe('values near the largest double', () => {
  // 300: inside the season search's buffer (600 points); 1200: after the season is found.
  for (const glitchAt of [0, 300, 1200]) {
    it(`do not poison a series for good (glitches at rows ${glitchAt}..${glitchAt + 3})`, () => {
      const n = 4000;
      // Row 3400 is at 07:46 UTC, outside the hours of the day of every glitch (their hour keeps a raised
      // time-of-day rarity bar: detect/robust/phase-max.ts).
      const spikeAt = 3400;
      const clean = run(series(n, null, spikeAt));
      const hit = run(series(n, glitchAt, spikeAt));
      const bad = hit.results.flatMap((r, i) => {
        const outside = [r.score, r.undamped ?? 0, ...Object.values(r.detectors)].some((x) => !(x >= 0 && x <= 1));
        const xs = [r.forecast, r.lo, r.hi, ...(r.features ?? [])];
        return outside || xs.some((x) => x !== null && !Number.isFinite(x)) ? [i] : [];
      });
      expect(bad).toEqual([]);
      // No NaN or Infinity left anywhere in the model's state, and the daily season is found as without the glitches.
      expect(nonFinite(hit.state)).toEqual([]);
      expect(hit.state.forecaster.period).toBe(clean.state.forecaster.period);
      expect(hit.state.forecaster.period).toBe(288);
      // Long after the glitches, the forecast and its band are those of the clean series, and
      // alerts open where they open without the glitches: the spike, and nothing else.
      // (Within the noise: the smoothers' competition need not pick the same winner at every step.)
      const width = (r: PointResult) => (r.hi ?? Number.NaN) - (r.lo ?? Number.NaN);
      for (const i of [spikeAt - 1, spikeAt]) {
        expect(Math.abs((hit.results[i].forecast ?? Number.NaN) - (clean.results[i].forecast ?? Number.NaN))).toBeLessThan(1);
        expect(width(hit.results[i]) / width(clean.results[i])).toBeGreaterThan(0.7);
        expect(width(hit.results[i]) / width(clean.results[i])).toBeLessThan(1.4);
      }
      expect(clean.opens.filter((i) => i > glitchAt + 600)).toEqual([spikeAt]);
      expect(hit.opens.filter((i) => i > glitchAt + 600)).toEqual([spikeAt]);
    });
  }
});

describe('overflow guards', () => {
  it('a Holt-Winters smoother whose update overflows keeps a finite state and follows the series again', () => {
    const hw = new HoltWinters({ alpha: 0.5, beta: 0.3, gamma: 0, phi: 1 }, 0);
    hw.update(1.7e308, 0);
    hw.update(-1.7e308, 1); // 1.7e308 - (-1.7e308) overflows
    expect(nonFinite(hw.snapshot())).toEqual([]);
    for (let i = 2; i < 3000; i++) hw.update(50, i);
    expect(hw.forecast(3000)).toBeCloseTo(50, 6);
  });

  it('the forecaster forecasts from the last value within range and snapshots that value', () => {
    const settings = { enabled: true, searchPoints: 600, maxPeriodPoints: 2016, minAutocorrelation: 0.3 };
    const f = new Forecaster(settings, MIN5);
    f.update(T0, Number.MAX_VALUE); // nothing to forecast from yet
    expect(f.forecast()).toBeNull();
    for (let i = 1; i < 50; i++) f.update(T0 + i * MIN5, 20);
    f.update(T0 + 50 * MIN5, -Number.MAX_VALUE);
    expect(f.forecast()).toBeCloseTo(20, 9);
    const restored = Forecaster.restore(settings, JSON.parse(JSON.stringify(f.snapshot())) as ForecasterState, MIN5);
    for (const [i, v] of [1e308, 21, -1e308, 22].entries()) {
      f.update(T0 + (51 + i) * MIN5, v);
      restored.update(T0 + (51 + i) * MIN5, v);
      expect(restored.forecast()).toBe(f.forecast());
    }
  });

  it('the season search finds the same season in a series scaled towards the largest double', () => {
    const rnd = noise(1);
    const daily = Array.from({ length: 900 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * rnd());
    const candidates = candidatePeriods(MIN5, 2016);
    const plain = detectSeason(daily, candidates, 0.3);
    expect(plain?.period).toBe(288);
    for (const k of [1e200, 1e300]) {
      const big = detectSeason(
        daily.map((v) => v * k),
        candidates,
        0.3,
      );
      expect(big?.period).toBe(288);
      expect(big?.acf).toBeCloseTo(plain?.acf ?? Number.NaN, 9);
      expect(big?.multiplicative).toBe(plain?.multiplicative);
    }
    // A buffer dominated by glitches has no season; an overflowed autocorrelation never passes for one.
    const glitched = daily.map((v, i) => (i % 97 === 0 ? GLITCHES[i % 4] : v));
    const g = detectSeason(glitched, candidates, 0.3);
    if (g !== null) expect(Number.isFinite(g.acf)).toBe(true);
  });

  it('robust statistics stay finite when consecutive values are near the largest double with opposite signs', () => {
    const st = new RobustStats(200);
    const rnd = noise(9);
    for (let i = 0; i < 1000; i++) {
      const v = i >= 300 && i < 304 ? GLITCHES[i - 300] : 10 + rnd();
      const f = i === 0 ? null : i >= 301 && i < 305 ? -GLITCHES[i - 301] : 10;
      const s = st.update(T0 + i * MIN5, v, f);
      expect(nonFinite(s)).toEqual([]);
    }
    expect(nonFinite(st.snapshot())).toEqual([]);
    // Once the glitches have left the windows, an ordinary point is ordinary again.
    expect(Math.abs(st.last.valueZ)).toBeLessThan(5);
    expect(Math.abs(st.last.residZ)).toBeLessThan(5);
  });
});
