import { describe, expect, it } from 'vitest';
import { applyQuantileMap, calibratedCombiner, compileForest, fitQuantileMap, parseModelFile, prng, trainForest, DEFAULT_HYPERPARAMETERS } from '../../../detect/combiner/index.js';
import { forestProbability } from '../../../detect/combiner/forest.js';

describe('quantile calibration onto the ensemble score scale', () => {
  it('maps each vote quantile to the same quantile of the target, monotonically', () => {
    const rand = prng(7);
    const n = 20_000;
    // Votes concentrated near 0; targets spread over [0,1] with a sparse upper tail.
    const votes = Array.from({ length: n }, () => rand() ** 3);
    const target = Array.from({ length: n }, () => rand() ** 8);
    const map = fitQuantileMap(votes, target);
    for (let i = 1; i < map.votes.length; i++) {
      expect(map.votes[i]).toBeGreaterThan(map.votes[i - 1]);
      expect(map.scores[i]).toBeGreaterThanOrEqual(map.scores[i - 1]);
    }
    // The share of rows above a threshold on the mapped votes matches the target's share.
    for (const th of [0.5, 0.9]) {
      const share = (xs: number[]) => xs.filter((x) => x >= th).length / xs.length;
      const mapped = votes.map((v) => applyQuantileMap(map, v));
      expect(Math.abs(share(mapped) - share(target))).toBeLessThan(0.002);
    }
    // Clamped outside the knots.
    expect(applyQuantileMap(map, -1)).toBe(map.scores[0]);
    expect(applyQuantileMap(map, 2)).toBe(map.scores[map.scores.length - 1]);
  });

  it('keeps a function under tied votes (a soft vote takes few distinct values)', () => {
    const votes = [...Array(900).fill(0), ...Array(90).fill(0.5), ...Array(10).fill(1)];
    const target = Array.from({ length: 1000 }, (_, i) => i / 999);
    const map = fitQuantileMap(votes, target);
    expect(map.votes).toEqual([0, 0.5, 1]);
    expect(applyQuantileMap(map, 0)).toBeLessThan(applyQuantileMap(map, 0.5));
    expect(applyQuantileMap(map, 1)).toBeGreaterThan(0.98);
  });

  it('blends the calibrated vote with the ensemble feature by the chosen weight', () => {
    const rand = prng(3);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const x = [rand(), rand(), rand()];
      X.push(x);
      y.push(x[0] > 0.7 ? 1 : 0);
    }
    const forest = compileForest(trainForest(X, y, { ...DEFAULT_HYPERPARAMETERS, trees: 6, rowsPerTree: 300 }));
    const map = { votes: [0, 1], scores: [0.2, 0.8] };
    const half = calibratedCombiner(forest, { weight: 0.5, ...map }, 2);
    const x = [0.9, 0.1, 0.4];
    const p = forestProbability(forest, x);
    expect(half(x)).toBeCloseTo(0.5 * (0.2 + 0.6 * p) + 0.5 * 0.4, 12);
    // Without an ensemble feature the calibrated vote is the whole output.
    expect(calibratedCombiner(forest, { weight: 0.5, ...map }, -1)(x)).toBeCloseTo(0.2 + 0.6 * p, 12);
  });

  it('refuses a version 2 model file without calibration or with a broken map', () => {
    const base = {
      format: 'seismo-model',
      version: 2,
      createdAt: 'x',
      featureNames: ['a'],
      hyperparameters: {},
      trainingSet: { files: [], rows: 0 },
      validation: { eventsF1: null, nabStandard: null, mape: null },
      forest: { name: 'RFClassifier', baseModel: { indexes: [[0]], estimators: [{}], nEstimators: 1 } },
    };
    expect(() => parseModelFile(base)).toThrow(/lacks its calibration/);
    expect(() => parseModelFile({ ...base, calibration: { kind: 'forest', weight: 1, votes: [0, 1], scores: [0] } })).toThrow(/differ in length/);
    expect(parseModelFile({ ...base, calibration: { kind: 'ensemble', reason: 'r' } }).calibration?.kind).toBe('ensemble');
    expect(parseModelFile({ ...base, version: 1 }).calibration).toBeUndefined();
  });
});
