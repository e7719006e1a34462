import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROFILES,
  normalise,
  parseLabels,
  parseTimestamp,
  planFile,
  probationLength,
  scaledSigmoid,
  scoreFile,
  sweepThreshold,
  type FilePlan,
} from '../../../detect/nab/index.js';

const ONES = { tpWeight: 1, fpWeight: 1, fnWeight: 1, tnWeight: 1 };

/** Row timestamps 0..n-1 minutes, so windows can be given by row index. */
function minutes(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i * 60_000);
}
function win(a: number, b: number) {
  return { start: a * 60_000, end: b * 60_000 };
}
function detectionsAt(rows: number[]) {
  const s = new Set(rows);
  return (i: number) => s.has(i);
}

describe('NAB scaled sigmoid', () => {
  it('matches the documented anchor points', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBeCloseTo(0, 10);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
  });
  it('probation is 15% of rows, capped at 750', () => {
    expect(probationLength(100)).toBe(15);
    expect(probationLength(4000)).toBe(600);
    expect(probationLength(22_000)).toBe(750);
    expect(probationLength(100, 0)).toBe(0);
  });
});

describe('NAB regression case', () => {
  // 100 rows, all weights 1, no probation, windows at rows 30-34 and 65-69,
  // detections at rows 30, 31 and 37.
  const plan = planFile(minutes(100), [win(30, 34), win(65, 69)], 0);
  const r = scoreFile(plan, detectionsAt([30, 31, 37]), ONES);

  it('raw score is -0.9540', () => {
    expect(r.raw).toBeCloseTo(-0.954, 4);
  });
  it('row counts are tp 2, fp 1, fn 8, tn 89', () => {
    expect([r.tp, r.fp, r.fn, r.tn]).toEqual([2, 1, 8, 89]);
  });
  it('only the earliest detection in a window scores', () => {
    const onlyLater = scoreFile(plan, detectionsAt([31]), ONES).raw;
    const both = scoreFile(plan, detectionsAt([30, 31]), ONES).raw;
    const first = scoreFile(plan, detectionsAt([30]), ONES).raw;
    expect(both).toBeCloseTo(first, 12);
    expect(first).toBeCloseTo(1 - 1, 12); // window A hit at its left edge (+1), window B missed (-1)
    expect(onlyLater).toBeLessThan(first);
  });
  it('a detection far from any window costs -1 * fpWeight; one before any window likewise', () => {
    const far = scoreFile(plan, detectionsAt([99]), ONES).raw;
    const before = scoreFile(plan, detectionsAt([5]), ONES).raw;
    expect(far).toBeCloseTo(-2 - 1, 10);
    expect(before).toBeCloseTo(-2 - 1, 10);
  });
  it('the sweep at threshold 1 of a 0/1 score column equals scoring the detections', () => {
    const scores = new Float64Array(100);
    for (const i of [30, 31, 37]) scores[i] = 1;
    const s = sweepThreshold([{ plan, scores }], ONES);
    // Best threshold is either 1 (these three detections, -0.954) or none (-2): the sweep picks 1.
    expect(s.threshold).toBe(1);
    expect(s.raw).toBeCloseTo(-0.954, 4);
  });
});

describe('NAB probation and windows', () => {
  it('ignores detections in the probationary period and windows that lie wholly inside it', () => {
    const plan = planFile(minutes(100), [win(2, 5), win(50, 54)]);
    expect(plan.probation).toBe(15);
    expect(plan.windows.length).toBe(1);
    const r = scoreFile(plan, detectionsAt([1, 3, 10]), DEFAULT_PROFILES.standard);
    expect(r.raw).toBeCloseTo(-1, 12);
    expect(r.tp + r.fp).toBe(0);
  });
  it('a window without rows is not scored', () => {
    const plan = planFile(minutes(100), [win(500, 600)], 0);
    expect(plan.windows.length).toBe(0);
  });
});

describe('NAB normalisation', () => {
  const sets = [
    { ts: minutes(200), windows: [win(60, 79), win(140, 159)] },
    { ts: minutes(300), windows: [win(100, 129)] },
    { ts: minutes(150), windows: [] },
  ];
  const plans: FilePlan[] = sets.map((s) => planFile(s.ts, s.windows));
  const totalWindows = plans.reduce((a, p) => a + p.windows.length, 0);

  for (const [name, cm] of Object.entries(DEFAULT_PROFILES)) {
    it(`${name}: the null detector scores 0 and the perfect detector 100`, () => {
      const nullRaw = plans.reduce((a, p) => a + scoreFile(p, () => false, cm).raw, 0);
      const perfectRaw = plans.reduce((a, p) => a + scoreFile(p, (i) => p.windows.some(([f]) => f === i), cm).raw, 0);
      expect(normalise(nullRaw, totalWindows, cm)).toBeCloseTo(0, 10);
      expect(normalise(perfectRaw, totalWindows, cm)).toBeCloseTo(100, 10);
    });
  }
  it('detecting everything scores below zero', () => {
    const cm = DEFAULT_PROFILES.standard;
    const raw = plans.reduce((a, p) => a + scoreFile(p, () => true, cm).raw, 0);
    expect(normalise(raw, totalWindows, cm)!).toBeLessThan(0);
  });
  it('the sweep finds the perfect threshold when one score separates window starts from the rest', () => {
    const cm = DEFAULT_PROFILES.standard;
    const files = plans.map((plan) => {
      const scores = new Float64Array(plan.rows).fill(0.2);
      for (const [f] of plan.windows) scores[f] = 0.8;
      return { plan, scores };
    });
    const s = sweepThreshold(files, cm);
    expect(s.threshold).toBe(0.8);
    expect(s.normalised).toBeCloseTo(100, 10);
  });
  it('no windows at all: normalisation is undefined (null)', () => {
    expect(normalise(0, 0, DEFAULT_PROFILES.standard)).toBeNull();
  });
});

describe('NAB labels', () => {
  it('reads timestamps as UTC and windows keyed by file', () => {
    expect(parseTimestamp('2014-02-14 14:27:00')).toBe(Date.UTC(2014, 1, 14, 14, 27, 0));
    expect(parseTimestamp('2014-02-19 10:50:00.000000')).toBe(Date.UTC(2014, 1, 19, 10, 50, 0));
    expect(parseTimestamp('2014-02-19T10:50:00+01:00')).toBe(Date.UTC(2014, 1, 19, 9, 50, 0));
    expect(parseTimestamp('yesterday')).toBeNaN();
    const labels = parseLabels({ 'a/b.csv': [['2014-02-19 10:50:00.000000', '2014-02-20 03:30:00.000000']], 'a/c.csv': [] });
    expect(labels.get('a/b.csv')).toEqual([{ start: Date.UTC(2014, 1, 19, 10, 50), end: Date.UTC(2014, 1, 20, 3, 30) }]);
    expect(labels.get('a/c.csv')).toEqual([]);
    expect(() => parseLabels({ 'a/b.csv': [['2014-02-20 00:00:00', '2014-02-19 00:00:00']] })).toThrow(/start <= end/);
  });
});
