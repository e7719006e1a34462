import { describe, expect, it } from 'vitest';
import { RollingWindow, ewmaNext } from '../../../features/window.js';

/** A seeded generator so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function naive(values: number[]): { count: number; mean: number; std: number; min: number; max: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { count: n, mean, std, min: Math.min(...values), max: Math.max(...values) };
}

describe('RollingWindow', () => {
  it('matches a naive recomputation on random streams of random sizes', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = lcg(seed);
      const size = 1 + Math.floor(rnd() * 50);
      const w = new RollingWindow(size);
      const all: number[] = [];
      const scale = 10 ** Math.floor(rnd() * 8 - 2);
      const offset = rnd() < 0.3 ? 1e6 : 0;
      for (let i = 0; i < 600; i++) {
        // Mix of noise, runs of equal values and monotone stretches to exercise the deques.
        const mode = Math.floor(rnd() * 3);
        const x = mode === 0 ? offset + rnd() * scale : mode === 1 ? offset + (all[all.length - 1] ?? 0) : offset + i * scale * 0.01;
        w.push(x);
        all.push(x);
        const exp = naive(all.slice(-size));
        expect(w.count).toBe(exp.count);
        expect(w.min).toBe(exp.min);
        expect(w.max).toBe(exp.max);
        const tol = 1e-9 * Math.max(1, Math.abs(exp.mean), exp.std);
        expect(Math.abs(w.mean - exp.mean)).toBeLessThanOrEqual(tol);
        expect(Math.abs(w.std - exp.std)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(exp.mean)));
      }
      expect(w.toArray()).toEqual(all.slice(-size));
    }
  });

  it('is empty before the first point and restores from its values', () => {
    const w = new RollingWindow(3);
    expect(w.count).toBe(0);
    expect(Number.isNaN(w.mean)).toBe(true);
    for (const x of [5, 1, 9, 7]) w.push(x);
    const r = RollingWindow.fromArray(3, w.toArray());
    expect([r.count, r.mean, r.min, r.max]).toEqual([3, (1 + 9 + 7) / 3, 1, 9]);
    r.push(0);
    expect([r.min, r.max]).toEqual([0, 9]);
  });

  it('rejects a size below 1', () => {
    expect(() => new RollingWindow(0)).toThrow(RangeError);
  });
});

describe('ewmaNext', () => {
  it('starts at the first value and then smooths', () => {
    expect(ewmaNext(null, 10, 0.5)).toBe(10);
    expect(ewmaNext(10, 20, 0.5)).toBe(15);
    expect(ewmaNext(15, 15, 0.3)).toBeCloseTo(15, 12);
  });
});
