/**
 * The learned combiner: an ml-random-forest RandomForestClassifier over PointResult.features
 * (class 1 = the row lies in a labelled anomaly window).
 *
 * ml-cart tries a split wherever the label changes along a sorted feature and scans the node's
 * rows for each, which is quadratic. To keep training fast:
 * - each tree is grown on its own stratified subsample (`rowsPerTree`), and the trees are
 *   gathered into one RFClassifier model (a plain ml-random-forest `toJSON()` that
 *   `RandomForestClassifier.load` reads);
 * - features are quantised to at most `bins` quantile levels of a class-balanced sample (each
 *   value replaced by the lower edge of its bin) and rows are ordered negatives first, so a feature offers at most
 *   about two candidate splits per level; after training each split value is moved up to the
 *   nearest level edge at or above it, so that a raw value goes the same way as its quantised
 *   value did.
 *
 * Inference does not go through ml-matrix: the trees are compiled into flat arrays once, and the
 * score is the soft vote, the mean over trees of the class-1 share of the leaf reached (a finer
 * score than the hard vote of `predictProbability`, which counts trees whose leaf majority is 1).
 */
import { RandomForestClassifier } from 'ml-random-forest';

/** Training hyperparameters, stored in the model file. */
export interface ForestHyperparameters {
  trees: number;
  maxDepth: number;
  /** Fraction of the features each tree sees (without replacement). */
  maxFeatures: number;
  /** Nodes with at most this many rows become leaves. */
  minNumSamples: number;
  /** Rows each tree is grown on (stratified: positives up to half, the rest negatives). */
  rowsPerTree: number;
  /** Quantile levels per feature during training. */
  bins: number;
  seed: number;
}

export const DEFAULT_HYPERPARAMETERS: ForestHyperparameters = {
  trees: 30,
  maxDepth: 8,
  maxFeatures: 0.7,
  minNumSamples: 5,
  rowsPerTree: 600,
  bins: 16,
  seed: 42,
};

/** Deterministic 32-bit PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(from: readonly number[], k: number, rand: () => number): number[] {
  if (from.length <= k) return [...from];
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(from[Math.floor(rand() * from.length)]);
  return out;
}

/** Per feature: ascending distinct lower edges of its quantile bins. */
export function quantileEdges(X: ReadonlyArray<ArrayLike<number>>, bins: number, maxRows = 20_000): number[][] {
  const d = X[0].length;
  const step = Math.max(1, Math.floor(X.length / maxRows));
  const m = Math.ceil(X.length / step);
  const edges: number[][] = [];
  const v = new Float64Array(m);
  for (let c = 0; c < d; c++) {
    for (let i = 0, k = 0; i < X.length; i += step, k++) v[k] = X[i][c];
    v.sort();
    const e: number[] = [];
    for (let b = 0; b < bins; b++) {
      const q = v[Math.floor((b * m) / bins)];
      if (e.length === 0 || q > e[e.length - 1]) e.push(q);
    }
    edges.push(e);
  }
  return edges;
}

/** Index of the last edge <= x (0 when x is below every edge). */
function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (edges[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface TrainNode {
  splitValue?: number;
  splitColumn?: number;
  distribution?: unknown;
  left?: TrainNode;
  right?: TrainNode;
}

/** Moves each split value to the lower edge of the level above it (see the file comment). */
function liftSplits(node: TrainNode, featureMap: readonly number[], edges: readonly number[][]): void {
  if (node.distribution !== undefined || !node.left || !node.right || node.splitColumn === undefined || node.splitValue === undefined) return;
  const e = edges[featureMap[node.splitColumn]];
  const above = e.find((x) => x >= node.splitValue!);
  node.splitValue = above ?? Number.MAX_VALUE;
  liftSplits(node.left, featureMap, edges);
  liftSplits(node.right, featureMap, edges);
}

/** Trains the forest; returns ml-random-forest's model JSON (`{ baseModel, name: 'RFClassifier' }`). */
export function trainForest(X: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>, hp: ForestHyperparameters): RFModelJson {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] === 1 ? pos : neg).push(i);
  if (pos.length === 0 || neg.length === 0) throw new Error('cannot train a combiner: training rows need both anomalous and normal examples');
  const rand = prng(hp.seed);
  const balanced = [...sample(pos, 10_000, rand), ...sample(neg, Math.min(pos.length, 10_000), rand)];
  const edges = quantileEdges(
    balanced.map((r) => X[r]),
    hp.bins,
  );
  const quantisedRows = new Map<number, number[]>();
  const quantised = (r: number): number[] => {
    let q = quantisedRows.get(r);
    if (!q) {
      q = Array.from(X[r], (x, c) => edges[c][binOf(edges[c], x)]);
      quantisedRows.set(r, q);
    }
    return q;
  };
  const estimators: unknown[] = [];
  const indexes: number[][] = [];
  const posPerTree = Math.min(pos.length, Math.floor(hp.rowsPerTree / 2));
  for (let t = 0; t < hp.trees; t++) {
    // Negatives first: ties along a feature then hold one label run each (stable sort).
    const rows = [...sample(neg, hp.rowsPerTree - posPerTree, rand), ...sample(pos, posPerTree, rand)];
    const rf = new RandomForestClassifier({
      nEstimators: 1,
      maxFeatures: hp.maxFeatures,
      replacement: false,
      useSampleBagging: false,
      noOOB: true,
      seed: (hp.seed + 7919 * (t + 1)) | 0,
      treeOptions: { maxDepth: hp.maxDepth, minNumSamples: hp.minNumSamples },
    });
    rf.train(
      rows.map(quantised),
      rows.map((r) => y[r]),
    );
    const json = JSON.parse(JSON.stringify(rf.toJSON())) as RFModelJson;
    const est = json.baseModel.estimators[0] as { root: TrainNode };
    liftSplits(est.root, json.baseModel.indexes[0], edges);
    estimators.push(est);
    indexes.push(json.baseModel.indexes[0]);
  }
  const featureCount = X[0].length;
  return {
    name: 'RFClassifier',
    baseModel: {
      indexes,
      n: indexes[0].length,
      replacement: false,
      maxFeatures: hp.maxFeatures,
      nEstimators: hp.trees,
      treeOptions: { maxDepth: hp.maxDepth, minNumSamples: hp.minNumSamples },
      isClassifier: true,
      seed: hp.seed,
      useSampleBagging: false,
      estimators,
      featureCount,
    },
  };
}

/** ml-random-forest's RFClassifier JSON, as far as seismo reads it. */
export interface RFModelJson {
  name: 'RFClassifier';
  baseModel: {
    indexes: number[][];
    estimators: unknown[];
    nEstimators: number;
    [k: string]: unknown;
  };
}

interface TreeNodeJson {
  splitValue?: number;
  splitColumn?: number;
  distribution?: number[][];
  left?: TreeNodeJson;
  right?: TreeNodeJson;
}

/** Flat arrays of all trees: node k splits on `col[k]` at `thr[k]`, or is a leaf when col[k] < 0. */
export interface CompiledForest {
  trees: number;
  roots: Int32Array;
  col: Int32Array;
  thr: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Class-1 share of a leaf. */
  p1: Float64Array;
  /** Class-1 is the leaf's majority (ml-cart's argmax, ties to class 0). */
  vote1: Uint8Array;
}

export function compileForest(model: RFModelJson): CompiledForest {
  const col: number[] = [];
  const thr: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const p1: number[] = [];
  const vote1: number[] = [];
  const roots: number[] = [];
  const { estimators, indexes } = model.baseModel;
  const add = (node: TreeNodeJson, featureMap: number[]): number => {
    const k = col.length;
    col.push(-1);
    thr.push(0);
    left.push(-1);
    right.push(-1);
    p1.push(0);
    vote1.push(0);
    if (node.distribution !== undefined || !node.left || !node.right || node.splitColumn === undefined) {
      const row = node.distribution?.[0] ?? [1];
      const share = row[1] ?? 0;
      p1[k] = share;
      vote1[k] = share > (row[0] ?? 0) ? 1 : 0;
      return k;
    }
    col[k] = featureMap[node.splitColumn];
    thr[k] = node.splitValue ?? 0;
    left[k] = add(node.left, featureMap);
    right[k] = add(node.right, featureMap);
    return k;
  };
  estimators.forEach((est, t) => {
    const root = (est as { root: TreeNodeJson }).root;
    roots.push(add(root, indexes[t]));
  });
  return {
    trees: roots.length,
    roots: Int32Array.from(roots),
    col: Int32Array.from(col),
    thr: Float64Array.from(thr),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    p1: Float64Array.from(p1),
    vote1: Uint8Array.from(vote1),
  };
}

function leaf(f: CompiledForest, root: number, x: ArrayLike<number>): number {
  let k = root;
  while (f.col[k] >= 0) k = x[f.col[k]] < f.thr[k] ? f.left[k] : f.right[k];
  return k;
}

/** Soft vote: mean class-1 share over trees, in [0,1]. */
export function forestProbability(f: CompiledForest, x: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < f.trees; t++) s += f.p1[leaf(f, f.roots[t], x)];
  return s / f.trees;
}

/** Hard vote: share of trees whose leaf majority is class 1 (ml-random-forest's predictProbability). */
export function forestVote(f: CompiledForest, x: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < f.trees; t++) s += f.vote1[leaf(f, f.roots[t], x)];
  return s / f.trees;
}
