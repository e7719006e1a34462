import { describe, expect, it } from 'vitest';
import { createAlertLogic } from '../../../detect/alert-logic.js';
import { detectConfig } from '../../../detect/config.js';
import { explain } from '../../../detect/explain.js';
import { createSeriesModel, FEATURE_NAMES, restoreSeriesModel } from '../../../detect/model.js';
import type { PointResult } from '../../../detect/types.js';

const MIN = 60_000;

function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

function feed(values: number[], cfg = detectConfig({}), features = true): PointResult[] {
  const m = createSeriesModel(cfg, { intervalMs: MIN, features });
  return values.map((v, i) => m.update(i * MIN, v));
}

describe('series model', () => {
  it('is cold (score 0, no band) during warm-up and warm after warmupPoints', () => {
    const rnd = noise(1);
    const values = Array.from({ length: 60 }, () => 10 + rnd());
    const out = feed(values, detectConfig({ warmupPoints: 40 }));
    for (const r of out.slice(0, 40)) {
      expect(r.warm).toBe(false);
      expect(r.score).toBe(0);
      expect(r.forecast).toBeNull();
      expect(r.features).toBeUndefined();
    }
    for (const r of out.slice(40)) {
      expect(r.warm).toBe(true);
      expect(r.lo).not.toBeNull();
      expect(r.features).toHaveLength(FEATURE_NAMES.length);
    }
    // Without `features` the vector is not returned (the detector role); the scores are the same.
    const lean = feed(values, detectConfig({ warmupPoints: 40 }), false);
    expect(lean[59].warm).toBe(true);
    expect(lean[59].features).toBeUndefined();
    expect(lean.map((r) => r.score)).toEqual(out.map((r) => r.score));
  });

  it('with warmupMs, stays cold until the series spans that long, across a snapshot and restore', () => {
    const cfg = detectConfig({ warmupPoints: 20, warmupMs: 90 * MIN });
    const values = Array.from({ length: 200 }, (_, i) => 10 + Math.sin(i / 5));
    const a = createSeriesModel(cfg, { intervalMs: MIN });
    const out = values.slice(0, 50).map((v, i) => a.update(i * MIN, v));
    expect(out.every((r) => !r.warm)).toBe(true);
    const b = restoreSeriesModel(cfg, JSON.parse(JSON.stringify(a.snapshot())) as unknown, { intervalMs: MIN });
    const rest = values.slice(50).map((v, k) => b.update((50 + k) * MIN, v));
    // First point at minute 0: warm from minute 90 on, not before.
    expect(rest[89 - 50].warm).toBe(false);
    expect(rest[90 - 50].warm).toBe(true);
    expect(explain(out[10], 10, null, cfg)).toMatch(/needs 20 points and 1h30m of history/);
    // Points alone would have been enough at point 20.
    expect(feed(values.slice(0, 30), detectConfig({ warmupPoints: 20 }))[25].warm).toBe(true);
  });

  it('flags a spike with the forecast, level and rate-of-change detectors', () => {
    const rnd = noise(2);
    const values = Array.from({ length: 400 }, () => 50 + rnd());
    values[300] = 80;
    const out = feed(values);
    const spike = out[300];
    expect(spike.detectors.forecast).toBeGreaterThan(0.99);
    expect(spike.detectors.level).toBeGreaterThan(0.99);
    expect(spike.detectors.roc).toBeGreaterThan(0.99);
    expect(spike.score).toBeGreaterThan(0.99);
    expect(spike.hi as number).toBeLessThan(80);
    const quiet = out.slice(100, 300).map((r) => r.score);
    expect(Math.max(...quiet)).toBeLessThan(0.9);
  });

  it('catches a level shift with CUSUM and the value z-score, and adapts afterwards', () => {
    const rnd = noise(3);
    const values = Array.from({ length: 900 }, (_, i) => (i < 500 ? 20 : 26) + rnd());
    const out = feed(values);
    const around = out.slice(500, 530);
    expect(Math.max(...around.map((r) => r.detectors.cusum))).toBeGreaterThan(0.9);
    expect(Math.max(...around.map((r) => r.detectors.level))).toBeGreaterThan(0.9);
    expect(Math.max(...around.map((r) => r.score))).toBeGreaterThan(0.9);
    const late = out.slice(800).map((r) => r.score);
    expect(Math.max(...late)).toBeLessThan(0.5);
    expect(Math.abs((out[899].forecast as number) - 26)).toBeLessThan(1);
  });

  it('keeps every score and sub-score in [0,1] on hostile input', () => {
    const rnd = noise(4);
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = rnd();
      values.push(i % 500 < 100 ? 0 : i % 97 === 0 ? 1e12 * r : r > 0.98 ? -1e6 : Math.sin(i / 7) * 1e-9);
    }
    for (const r of feed(values)) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      for (const s of Object.values(r.detectors)) {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
      for (const f of r.features ?? []) expect(Number.isFinite(f)).toBe(true);
    }
  });

  it('restored from a JSON snapshot gives identical next outputs, before and after the season search', () => {
    const cfg = detectConfig({ season: { searchPoints: 200 } });
    const rnd = noise(5);
    const values = Array.from({ length: 700 }, (_, i) => 30 + 10 * Math.sin((2 * Math.PI * i) / 60) + rnd());
    for (const cut of [100, 450]) {
      const a = createSeriesModel(cfg);
      for (let i = 0; i < cut; i++) a.update(i * MIN, values[i]);
      const state = JSON.parse(JSON.stringify(a.snapshot())) as unknown;
      const b = restoreSeriesModel(cfg, state);
      for (let i = cut; i < values.length; i++) expect(b.update(i * MIN, values[i])).toEqual(a.update(i * MIN, values[i]));
    }
    expect(() => restoreSeriesModel(cfg, { nope: 1 })).toThrow(/cannot restore/);
  });

  it('reports a persisting excursion at its onset and again only when it grows', () => {
    const rnd = noise(7);
    // A plateau of 40 points at +8, back to normal, then a larger plateau at +20.
    const values = Array.from({ length: 1200 }, (_, i) => 50 + rnd() + (i >= 600 && i < 640 ? 8 : 0) + (i >= 660 && i < 700 ? 20 : 0));
    const damped = feed(values);
    const flat = feed(values, detectConfig({ evidence: { episodeMargin: 0 } }));
    const high = (rs: PointResult[], a: number, b: number) => rs.slice(a, b).filter((r) => r.score >= 0.9).length;
    expect(high(damped, 600, 603)).toBeGreaterThan(0);
    expect(high(damped, 660, 663)).toBeGreaterThan(0);
    expect(high(flat, 600, 640)).toBeGreaterThan(high(damped, 600, 640));
    expect(high(damped, 600, 640)).toBeLessThanOrEqual(4);
    // Episode damping never raises a score.
    for (let i = 0; i < values.length; i++) expect(damped[i].score).toBeLessThanOrEqual(flat[i].score + 1e-12);
  });

  it('keeps the alert of a persisting level shift open until the value is back inside the band', () => {
    const rnd = noise(3);
    // From row 2000 the series sits at 10x its usual level for good: reported once, at the onset,
    // then damped as no longer news, but not "back to normal" while still far outside the band.
    const values = Array.from({ length: 3000 }, (_, i) => (i >= 2000 ? 500 : 50) + rnd());
    const cfg = detectConfig({});
    const out = feed(values, cfg);
    const logic = createAlertLogic(cfg);
    const events = out.map((r, i) => ({ i, t: logic.update(r.score, r.warm, r.undamped), r, v: values[i] })).filter((e) => e.t !== null);
    expect(events[0]).toMatchObject({ i: 2000, t: 'open' });
    expect(events[1].t).toBe('resolve');
    expect(events).toHaveLength(2);
    const { r, v } = events[1];
    expect(v).toBeGreaterThanOrEqual(r.lo!);
    expect(v).toBeLessThanOrEqual(r.hi!);
    // Damped scores alone would have called it over within resolveAfter points, still 10x out.
    const plain = createAlertLogic(cfg);
    const early = out.map((x) => plain.update(x.score, x.warm)).indexOf('resolve');
    expect(early).toBeLessThan(2000 + 2 * cfg.resolveAfter);
    expect(events[1].i).toBeGreaterThan(early);
  });

  it('a one-off glitch does not hide later anomalies at the same hour of the day', () => {
    // One-minute series around 50; one sample of 500 at 08:20 on day 0; later a jump to 300.
    const DAY = 1440;
    const score = (glitch: boolean, at: number): number => {
      const m = createSeriesModel(detectConfig({}), { intervalMs: MIN });
      for (let i = 0; i < at; i++) m.update(i * MIN, glitch && i === 500 ? 500 : 50 + Math.sin(i / 10) + (i % 7) * 0.1);
      return m.update(at * MIN, 300).score;
    };
    for (const at of [DAY + 560, 5 * DAY + 500]) {
      expect(score(false, at)).toBeGreaterThan(0.99);
      expect(score(true, at)).toBeGreaterThan(0.99);
    }
  });

  it('does not report the return from an excursion as a new anomaly', () => {
    const rnd = noise(9);
    // 30 points at +12 (long enough for the forecaster to follow), then back to the usual level.
    const values = Array.from({ length: 1000 }, (_, i) => 40 + rnd() + (i >= 600 && i < 630 ? 12 : 0));
    const withRecovery = feed(values);
    const without = feed(values, detectConfig({ evidence: { recovery: false } }));
    expect(Math.max(...withRecovery.slice(600, 603).map((r) => r.score))).toBeGreaterThan(0.9);
    const back = (rs: PointResult[]) => Math.max(...rs.slice(630, 640).map((r) => r.detectors.forecast));
    expect(back(without)).toBeGreaterThan(0.9);
    expect(back(withRecovery)).toBeLessThan(back(without));
    expect(back(withRecovery)).toBeLessThan(0.5);
  });

  it('restores the episode state exactly in the middle of an excursion', () => {
    const cfg = detectConfig({ minConsecutive: 2, evidence: { youth: 0.3 } });
    const rnd = noise(8);
    const values = Array.from({ length: 900 }, (_, i) => 10 + rnd() + (i >= 500 && i < 560 ? 9 : 0));
    for (const cut of [501, 502, 520]) {
      const a = createSeriesModel(cfg);
      for (let i = 0; i < cut; i++) a.update(i * MIN, values[i]);
      const b = restoreSeriesModel(cfg, JSON.parse(JSON.stringify(a.snapshot())) as unknown);
      for (let i = cut; i < values.length; i++) expect(b.update(i * MIN, values[i])).toEqual(a.update(i * MIN, values[i]));
    }
  });

  it('keeps snapshots bounded', () => {
    const rnd = noise(6);
    const m = createSeriesModel(detectConfig({}), { intervalMs: 5 * MIN });
    for (let i = 0; i < 20_000; i++) m.update(i * 5 * MIN, 100 + 10 * Math.sin((2 * Math.PI * i) / 288) + rnd());
    expect(JSON.stringify(m.snapshot()).length).toBeLessThan(200_000);
  });

  it('uses a learned combiner when one is given', () => {
    const cfg = detectConfig({ warmupPoints: 30 });
    const m = createSeriesModel(cfg, { combiner: (f) => (f[FEATURE_NAMES.indexOf('resid_z')] > 3 ? 0.99 : 0.01) });
    const out: PointResult[] = [];
    for (let i = 0; i < 100; i++) out.push(m.update(i * MIN, i === 80 ? 100 : 10 + (i % 2) * 0.1));
    expect(out[79].score).toBeCloseTo(0.01);
    expect(out[80].score).toBeCloseTo(0.99);
  });

  it('damps a learned combiner within an episode already reported, as it damps the ensemble', () => {
    const rnd = noise(7);
    // A plateau of 40 points at +8 after a quiet start: news at its onset only.
    const values = Array.from({ length: 800 }, (_, i) => 50 + rnd() + (i >= 600 && i < 640 ? 8 : 0));
    // A combiner that calls every point beyond 4 robust sigmas anomalous, whatever came before.
    const combiner = (f: number[]) => (Math.abs(f[FEATURE_NAMES.indexOf('value_z')]) > 4 ? 0.99 : 0.01);
    const run = (cfg: ReturnType<typeof detectConfig>) => {
      const m = createSeriesModel(cfg, { combiner, intervalMs: MIN });
      return values.map((v, i) => m.update(i * MIN, v));
    };
    const damped = run(detectConfig({}));
    const flat = run(detectConfig({ evidence: { episodeMargin: 0 } }));
    const high = (rs: PointResult[]) => rs.slice(600, 640).filter((r) => r.score >= 0.9).length;
    expect(damped[600].score).toBeGreaterThan(0.9);
    // Evidence strength: over its bar at the onset, under it in the quiet stretch before.
    expect(damped[600].strength).toBeGreaterThan(1);
    expect(Math.max(...damped.slice(400, 590).map((r) => r.strength ?? 0))).toBeLessThan(1);
    expect(high(flat)).toBeGreaterThan(20);
    expect(high(damped)).toBeLessThanOrEqual(4);
  });
});

describe('explain', () => {
  it('names the detectors that fired, the band and the distance', () => {
    const cfg = detectConfig({});
    const r: PointResult = { score: 0.97, forecast: 100, lo: 94, hi: 106, detectors: { forecast: 0.97, cusum: 0.2, roc: 0.91 }, warm: true };
    const text = explain(r, 130, 'open', cfg);
    expect(text).toContain('anomaly (score 0.97)');
    expect(text).toContain('forecast 0.97');
    expect(text).toContain('roc 0.91');
    expect(text).not.toContain('cusum 0.20');
    expect(text).toContain('expected 94..106');
    expect(text).toContain('2 band widths above');
    expect(text).toContain('15 sigmas above the forecast');
    expect(text).toContain('30% above the forecast');
  });

  it('lists supporting detectors only beside a primary one', () => {
    const cfg = detectConfig({});
    const quiet: PointResult = { score: 0.05, forecast: 10, lo: 9, hi: 11, detectors: { forecast: 0.1, variance: 1 }, warm: true };
    expect(explain(quiet, 10.5, null, cfg)).toContain('no detector fired (highest: variance 1.00, supporting only)');
    const loud: PointResult = { score: 0.97, forecast: 10, lo: 9, hi: 11, detectors: { forecast: 0.97, variance: 0.8 }, warm: true };
    expect(explain(loud, 20, 'open', cfg)).toContain('detectors fired: forecast 0.97, supported by variance 0.80');
  });

  it('prints as many digits as it takes to tell the band, the forecast and the value apart', () => {
    const cfg = detectConfig({});
    const r: PointResult = { score: 1, forecast: 100, lo: 99.99999, hi: 100.00001, detectors: { level: 1 }, warm: true };
    const text = explain(r, 100.0001, 'open', cfg);
    expect(text).toContain('expected 99.99999..100.00001 (forecast 100)');
    expect(text).toContain('value 100.0001 is 4.5 band widths above the band');
    // Everyday numbers keep 4 significant digits.
    expect(explain({ ...r, lo: 94, hi: 106 }, 130.123, 'open', cfg)).toContain('expected 94..106 (forecast 100); value 130.1 is');
  });

  it('says the series is warming up', () => {
    const cfg = detectConfig({ warmupPoints: 50 });
    const text = explain({ score: 0, forecast: null, lo: null, hi: null, detectors: {}, warm: false }, 3, null, cfg);
    expect(text).toMatch(/warming up.*50 points/);
    // The model needs at least MIN_WARM_POINTS whatever warmupPoints says, and so does the text.
    expect(explain({ score: 0, forecast: null, lo: null, hi: null, detectors: {}, warm: false }, 3, null, detectConfig({ warmupPoints: 0 }))).toMatch(/needs 8 points/);
  });
});

describe('a glitch near the largest double', () => {
  it('leaves the band and the alerting intact once it has passed', () => {
    const cfg = detectConfig({});
    for (const big of [1e308, -1.7e308]) {
      const m = createSeriesModel(cfg, { intervalMs: 60_000 });
      const results: PointResult[] = [];
      for (let i = 0; i < 2501; i++) {
        const v = i >= 500 && i < 505 ? big : 50 + 5 * Math.sin(i / 10) + (i === 2500 ? 200 : 0);
        results.push(m.update(1.6e12 + i * 60_000, v));
      }
      for (const r of results) expect(Number.isFinite(r.score)).toBe(true);
      const before = results[2499];
      // The band is back to the series' own scale (a few units wide), not stretched by the glitch.
      expect((before.hi ?? Infinity) - (before.lo ?? 0)).toBeLessThan(5);
      expect(before.score).toBeLessThan(cfg.threshold);
      // A jump of 40 sigmas two thousand points later is an anomaly again.
      expect(results[2500].score).toBeGreaterThanOrEqual(cfg.threshold);
    }
  });
});
