import { describe, expect, it } from 'vitest';
import { Cusum, EwmaChart, SpreadRatio } from '../../../detect/robust/charts.js';
import { SortedWindow } from '../../../detect/robust/sorted-window.js';
import { BlockMax } from '../../../detect/robust/block-max.js';
import { PhaseMax } from '../../../detect/robust/phase-max.js';
import { RobustStats } from '../../../detect/robust/series-stats.js';

function bruteQuantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

describe('sorted window', () => {
  it('matches a sort of the last N values at every step, ties included', () => {
    const w = new SortedWindow(25);
    const all: number[] = [];
    let s = 7;
    for (let i = 0; i < 500; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const x = (s % 13) - 6; // many ties
      w.push(x);
      all.push(x);
      const last = all.slice(-25);
      for (const q of [0, 0.25, 0.5, 0.75, 1]) expect(w.quantile(q)).toBe(bruteQuantile(last, q));
    }
    expect(w.values()).toEqual(all.slice(-25));
    const r = SortedWindow.from(25, w.values());
    expect(r.median()).toBe(w.median());
  });

  it('computes the exact MAD at every step', () => {
    for (const cap of [1, 2, 7, 24]) {
      const w = new SortedWindow(cap);
      const all: number[] = [];
      let s = cap;
      for (let i = 0; i < 200; i++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        const x = (s % 17) * (i % 5 === 0 ? 3 : 1);
        w.push(x);
        all.push(x);
        const last = all.slice(-cap);
        const med = bruteQuantile(last, 0.5);
        expect(w.mad()).toBeCloseTo(bruteQuantile(last.map((v) => Math.abs(v - med)), 0.5), 12);
      }
    }
  });

  it('gives a robust sigma that ignores a few outliers', () => {
    const w = new SortedWindow(100);
    for (let i = 0; i < 100; i++) w.push(i % 10 === 0 ? 1e9 : i % 2);
    expect(w.median()).toBeLessThanOrEqual(1);
    expect(w.iqrSigma()).toBeLessThan(1);
  });
});

describe('control charts', () => {
  it('CUSUM stays low on noise and climbs on a sustained shift, then resets', () => {
    const c = new Cusum(0.5, 20);
    let maxNoise = 0;
    for (let i = 0; i < 200; i++) maxNoise = Math.max(maxNoise, Math.abs(c.update(i % 2 ? 0.8 : -0.8)));
    expect(maxNoise).toBeLessThan(1);
    const shift: number[] = [];
    for (let i = 0; i < 30; i++) shift.push(c.update(1.5));
    expect(shift[9]).toBeGreaterThanOrEqual(10);
    expect(shift[9]).toBeLessThan(11);
    expect(Math.min(...shift.slice(21))).toBeLessThan(10); // reset after passing 20
    expect(new Cusum(0.5).update(-3)).toBeCloseTo(-2.5);
  });

  it('EWMA chart reads a sustained drift in its own sigmas', () => {
    const e = new EwmaChart(0.1);
    let z = 0;
    for (let i = 0; i < 100; i++) z = e.update(1);
    expect(z).toBeGreaterThan(4);
  });

  it('spread ratio rises when the noise grows', () => {
    const v = new SpreadRatio(0.1, 0.01);
    let r = 1;
    for (let i = 0; i < 500; i++) r = v.update(1);
    expect(r).toBeCloseTo(1, 5);
    for (let i = 0; i < 15; i++) r = v.update(4);
    expect(r).toBeGreaterThan(2.5);
  });
});

describe('block-maximum reference', () => {
  it('is the second-largest block maximum, so one outlier does not raise it', () => {
    const b = new BlockMax(4, 8);
    for (let i = 0; i < 32; i++) b.push(i === 5 ? 100 : 1 + (i % 4) * 0.1);
    expect(b.reference()).toBeCloseTo(1.3);
    b.push(50); // the block in progress counts too
    expect(b.reference()).toBe(50);
  });

  it('forgets blocks older than its memory and survives a snapshot', () => {
    const b = new BlockMax(4, 3);
    for (let i = 0; i < 8; i++) b.push(10);
    for (let i = 0; i < 12; i++) b.push(1);
    expect(b.reference()).toBe(1);
    const r = BlockMax.restore(JSON.parse(JSON.stringify(b.snapshot())), 4, 3);
    for (const x of [5, 7, 2, 9, 3]) {
      b.push(x);
      r.push(x);
      expect(r.reference()).toBe(b.reference());
    }
  });
});

describe('time-of-day reference', () => {
  const H = 3_600_000;
  it('remembers yesterday at the same hour (and its neighbours), decaying by day', () => {
    const p = new PhaseMax(0.5);
    p.push(3 * H + 5 * 60_000, 10);
    expect(p.reference(24 * H + 3 * H)).toBe(5); // next day, same hour, one decay step
    expect(p.reference(24 * H + 4 * H)).toBe(5); // neighbouring hour
    expect(p.reference(24 * H + 9 * H)).toBe(0);
    const r = PhaseMax.restore(JSON.parse(JSON.stringify(p.snapshot())), 0.5);
    expect(r.reference(48 * H + 3 * H)).toBe(2.5);
  });
});

describe('robust statistics', () => {
  it('expects a sustained burst that came at the same hour yesterday (CUSUM and EWMA rarity)', () => {
    const rs = new RobustStats(256);
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    const step = 5 * 60_000;
    const peak = [
      [0, 0],
      [0, 0],
    ];
    for (let i = 0; i < 288 * 2; i++) {
      const hour = (i % 288) / 12;
      const burst = hour >= 9 && hour < 10;
      const st = rs.update(i * step, 10 + rnd() + (burst ? 4 : 0), 10);
      if (burst) {
        const day = Math.floor(i / 288);
        peak[day][0] = Math.max(peak[day][0], st.cusumTail);
        peak[day][1] = Math.max(peak[day][1], st.ewmaTail);
      }
    }
    // First time: beyond everything seen. Second day, same hour: no longer rare.
    expect(peak[0][0]).toBeGreaterThan(1.5);
    expect(peak[0][1]).toBeGreaterThan(1.5);
    expect(peak[1][0]).toBeLessThan(1.25);
    expect(peak[1][1]).toBeLessThan(1.25);
  });

  it('restores a state written with only the four residual and value time-of-day references', () => {
    const rs = new RobustStats(64);
    for (let i = 0; i < 300; i++) rs.update(i * 60_000, Math.sin(i / 5), 0);
    const st = rs.snapshot();
    expect(st.phases).toHaveLength(7);
    const old = RobustStats.restore(64, { ...st, phases: (st.phases ?? []).slice(0, 4) });
    expect(Number.isFinite(old.update(300 * 60_000, 5, 0).cusumTail)).toBe(true);
  });
});

