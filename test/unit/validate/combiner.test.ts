import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomForestClassifier } from 'ml-random-forest';
import {
  checkPromotion,
  detectorModelOptions,
  compileForest,
  featureMismatch,
  forestProbability,
  forestVote,
  loadPromotedCombiner,
  modelSchema,
  parseModelFile,
  prng,
  trainForest,
  writeModelFile,
  DEFAULT_HYPERPARAMETERS,
  type SeismoModelFile,
} from '../../../detect/combiner/index.js';

/** Feature 2 carries the class (above 0.6 = anomalous), the rest is noise, some of it tied. */
function dataset(n: number, seed: number) {
  const rand = prng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const pos = rand() < 0.2;
    const x = [rand(), Math.round(rand() * 3), pos ? 0.6 + 0.4 * rand() : 0.65 * rand(), rand() * 10, 0];
    X.push(x);
    y.push(pos && x[2] > 0.6 ? 1 : 0);
  }
  return { X, y };
}

const HP = { ...DEFAULT_HYPERPARAMETERS, trees: 12, rowsPerTree: 300 };

describe('random-forest combiner', () => {
  const train = dataset(3000, 1);
  const forest = trainForest(train.X, train.y, HP);
  const compiled = compileForest(forest);

  it('writes a plain ml-random-forest model that the library loads, and votes exactly like it on raw inputs', () => {
    const rf = RandomForestClassifier.load(JSON.parse(JSON.stringify(forest)));
    const test = dataset(400, 2);
    const perTree = rf.predictionValues(test.X);
    for (let i = 0; i < test.X.length; i++) {
      let votes = 0;
      for (let t = 0; t < HP.trees; t++) votes += perTree.get(i, t);
      expect(forestVote(compiled, test.X[i])).toBeCloseTo(votes / HP.trees, 12);
    }
  });

  it('separates the classes on unseen rows', () => {
    const test = dataset(1000, 3);
    let tp = 0;
    let fp = 0;
    let pos = 0;
    test.X.forEach((x, i) => {
      const p = forestProbability(compiled, x);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      if (test.y[i] === 1) pos++;
      if (p >= 0.5 && test.y[i] === 1) tp++;
      if (p >= 0.5 && test.y[i] === 0) fp++;
    });
    expect(tp / pos).toBeGreaterThan(0.9);
    expect(fp / (test.X.length - pos)).toBeLessThan(0.05);
  });

  it('is deterministic for a seed', () => {
    expect(JSON.stringify(trainForest(train.X, train.y, HP))).toBe(JSON.stringify(forest));
  });

  it('refuses a training set with one class', () => {
    expect(() => trainForest(train.X, train.X.map(() => 0), HP)).toThrow(/both/);
  });
});

function modelWith(validation: Partial<SeismoModelFile['validation']>, forest = trainForest(dataset(600, 4).X, dataset(600, 4).y, { ...HP, trees: 3 })): SeismoModelFile {
  return {
    format: 'seismo-model',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    featureNames: ['a', 'b', 'c', 'd', 'e'],
    hyperparameters: { ...HP, positiveFraction: 1, minPositiveScore: 0.5 },
    trainingSet: { files: ['x/y.csv'], rows: 600, positives: 100 },
    validation: { method: 'test', files: 1, windows: 1, eventsF1: 0.8, eventsPrecision: 0.8, eventsRecall: 0.8, nabStandard: 70, nabSweepStandard: 75, mape: 5, ...validation },
    forest,
  };
}

describe('model file', () => {
  it('round-trips and rejects what is not a seismo model', () => {
    const m = modelWith({});
    expect(parseModelFile(JSON.parse(JSON.stringify(m))).featureNames).toEqual(m.featureNames);
    expect(() => parseModelFile({ ...m, format: 'other' })).toThrow(/not a seismo model file.*format/);
    expect(() => parseModelFile({ ...m, version: 99 })).toThrow(/newer/);
    expect(() => parseModelFile({ ...m, forest: { name: 'RFRegression' } })).toThrow(/forest/);
  });
  it('accepts features that are a prefix of the running ones, nothing else', () => {
    const m = modelWith({});
    expect(featureMismatch(m, ['a', 'b', 'c', 'd', 'e', 'f'])).toBeNull();
    expect(featureMismatch(m, ['a', 'b', 'x', 'd', 'e'])).toMatch(/feature 2/);
    expect(featureMismatch(m, ['a', 'b'])).toMatch(/expects 5 features/);
  });
});

describe('promotion gate', () => {
  it('passes a model that meets every configured minimum', () => {
    expect(checkPromotion(modelWith({}), { minEventsF1: 0.5, minNabStandard: 60, maxMape: 10 })).toEqual({ ok: true, reasons: [] });
  });
  it('names every failed check', () => {
    const r = checkPromotion(modelWith({ eventsF1: 0.3, nabStandard: 40, mape: 12 }), { minEventsF1: 0.5, minNabStandard: 60, maxMape: 10 });
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual([
      'validation.eventsF1 is 0.3; required at least 0.5',
      'validation.nabStandard is 40; required at least 60',
      'validation.mape is 12; required at most 10',
    ]);
  });
  it('a set minimum whose metric was not recorded fails; an unset one is not checked', () => {
    const m = modelWith({ eventsF1: null, nabStandard: null, mape: null });
    expect(checkPromotion(m, {}).ok).toBe(true);
    expect(checkPromotion(m, { minNabStandard: 10 }).reasons).toEqual(['validation.nabStandard is not recorded; required at least 10']);
  });
  it('config defaults: F1 0.5 and NAB 50 required, MAPE unchecked', () => {
    const cfg = modelSchema.parse({});
    expect(cfg).toEqual({ minEventsF1: 0.5, minNabStandard: 50 });
    expect(() => modelSchema.parse({ minEventsF1: 2 })).toThrow();
    expect(() => modelSchema.parse({ pth: 'x' })).toThrow(/allowed keys/);
  });
  it('the loader refuses a model below the minimums and loads one above them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seismo-model-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeModelFile(good, modelWith({}));
    writeModelFile(bad, modelWith({ nabStandard: 20 }));
    const names = ['a', 'b', 'c', 'd', 'e'];
    const loaded = loadPromotedCombiner(good, names, { minNabStandard: 50 });
    const p = loaded.combiner([0.5, 1, 0.9, 3, 0]);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
    expect(() => loadPromotedCombiner(bad, names, { minNabStandard: 50 })).toThrow(/not promoted: validation.nabStandard is 20/);
    writeFileSync(join(dir, 'junk.json'), '{"format":"seismo-model"');
    expect(() => loadPromotedCombiner(join(dir, 'junk.json'), names, {})).toThrow(/cannot read model file/);
  });
});

describe('detector model options from detect.model', () => {
  it('no path: no combiner; a refused model: no combiner and the reason; a promoted one: its combiner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seismo-model-'));
    const path = join(dir, 'm.json');
    writeModelFile(path, modelWith({ nabStandard: 60 }));
    const names = ['a', 'b', 'c', 'd', 'e'];
    const reasons: string[] = [];
    expect(detectorModelOptions({ minNabStandard: 50 }, names, (r) => reasons.push(r))).toEqual({});
    expect(detectorModelOptions({ path, minNabStandard: 70 }, names, (r) => reasons.push(r))).toEqual({});
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/not promoted: validation.nabStandard is 60; required at least 70/);
    const ok = detectorModelOptions({ path, minNabStandard: 50 }, names, (r) => reasons.push(r));
    expect(typeof ok.combiner).toBe('function');
    expect(reasons).toHaveLength(1);
    // a model built for other features is refused too
    expect(detectorModelOptions({ path }, ['x', 'b', 'c', 'd', 'e'], (r) => reasons.push(r))).toEqual({});
    expect(reasons[1]).toMatch(/does not fit/);
  });
});
