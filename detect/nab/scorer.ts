/**
 * NAB scoring (Numenta Anomaly Benchmark), implemented from NAB's documented method:
 *
 * - Each label window is scored once: by its earliest detection (the highest scaled-sigmoid value,
 *   since the sigmoid falls across the window), worth `tpWeight` at the window's left edge and
 *   falling towards 0 at its right edge; an undetected window costs `-fnWeight`.
 * - A detection outside every window costs `fpWeight` times a scaled sigmoid of its distance past
 *   the previous window (nearly -1 a window-width after it); with no previous window, -1.
 * - The first `min(floor(0.15 * rows), 750)` rows of a file are probationary: never scored.
 * - A detection is a row whose anomaly score is at or above the threshold.
 * - Scores are summed over files and normalised over exactly those files:
 *   `100 * (raw - null) / (perfect - null)`, null = every window missed (`-fnWeight` each),
 *   perfect = every window hit at its left edge (`tpWeight` each).
 */
import type { CostMatrix } from './profiles.js';

/** A labelled anomaly window, inclusive, in epoch milliseconds. */
export interface LabelWindow {
  start: number;
  end: number;
}

/** Row-level scoring plan of one file: what a detection on each row would be worth. */
export interface FilePlan {
  rows: number;
  /** Rows at the start that are never scored. */
  probation: number;
  /**
   * Per row: index of its scorable window (0-based within the file), -1 outside every window,
   * -2 in the probationary period.
   */
  windowOf: Int32Array;
  /**
   * Per row, before profile weights: in a window, scaledSigmoid(position) / scaledSigmoid(-1)
   * (1 at the left edge); outside, scaledSigmoid(distance past the previous window) (<= 0).
   */
  value: Float64Array;
  /** Scorable windows (with at least one row after probation), as [firstRow, lastRow]. */
  windows: Array<[number, number]>;
}

export const PROBATION_PERCENT = 0.15;

export function probationLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** NAB's scaled sigmoid: ~0.987 at -1 (left window edge), 0 at 0, -1 from 3 on. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition >= 3) return -1;
  return 2 * sigmoid(-5 * relativePosition) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** First index with a[i] >= x (a sorted ascending). */
function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Builds the scoring plan of one file from its row timestamps (ascending) and label windows.
 * A window covers the rows with start <= ts <= end; windows without rows are ignored.
 */
export function planFile(timestamps: ArrayLike<number>, windows: readonly LabelWindow[], probationPercent = PROBATION_PERCENT): FilePlan {
  const rows = timestamps.length;
  const probation = probationLength(rows, probationPercent);
  const windowOf = new Int32Array(rows).fill(-1);
  const value = new Float64Array(rows);
  const ranges: Array<[number, number]> = [];
  for (const w of [...windows].sort((a, b) => a.start - b.start)) {
    const first = lowerBound(timestamps, w.start);
    const last = lowerBound(timestamps, w.end + 0.5) - 1;
    if (first <= last) ranges.push([first, last]);
  }

  const scorable: Array<[number, number]> = [];
  let row = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (const [first, last] of ranges) {
    for (; row < first; row++) {
      const pos = prevRight < 0 ? 3 : Math.abs(row - prevRight) / (prevWidth - 1);
      value[row] = scaledSigmoid(pos);
    }
    const width = last - first + 1;
    const localIndex = last >= probation ? scorable.length : -2;
    if (localIndex >= 0) scorable.push([first, last]);
    for (row = Math.max(row, first); row <= last; row++) {
      value[row] = scaledSigmoid(-(last - row + 1) / width) / MAX_TP;
      windowOf[row] = localIndex;
    }
    prevRight = last;
    prevWidth = width;
  }
  for (; row < rows; row++) {
    const pos = prevRight < 0 ? 3 : Math.abs(row - prevRight) / (prevWidth - 1);
    value[row] = scaledSigmoid(pos);
  }
  for (let i = 0; i < Math.min(probation, rows); i++) windowOf[i] = -2;
  return { rows, probation, windowOf, value, windows: scorable };
}

/** Raw score and NAB's row-level confusion counts for one set of detections. */
export interface RawScore {
  raw: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Scorable windows with at least one detection. */
  detectedWindows: number;
  /** Detections outside every window (after probation). */
  falsePositives: number;
}

/** Scores one file's detections (`detected(i)` true on detection rows) under one profile. */
export function scoreFile(plan: FilePlan, detected: (row: number) => boolean, cm: CostMatrix): RawScore {
  const best = new Float64Array(plan.windows.length).fill(-cm.fnWeight);
  const hit = new Uint8Array(plan.windows.length);
  let fpSum = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = plan.probation; i < plan.rows; i++) {
    const w = plan.windowOf[i];
    if (w === -2) continue;
    const d = detected(i);
    if (w >= 0) {
      if (d) {
        tp++;
        hit[w] = 1;
        const v = plan.value[i] * cm.tpWeight;
        if (v > best[w]) best[w] = v;
      } else fn++;
    } else if (d) {
      fp++;
      fpSum += plan.value[i] * cm.fpWeight;
    } else tn++;
  }
  let raw = fpSum;
  let detectedWindows = 0;
  for (let w = 0; w < best.length; w++) {
    raw += best[w];
    detectedWindows += hit[w];
  }
  return { raw, tp, fp, fn, tn, detectedWindows, falsePositives: fp };
}

/** NAB's normalisation of a raw score summed over files with `windows` scorable windows in all. */
export function normalise(raw: number, windows: number, cm: CostMatrix): number | null {
  const nullScore = -cm.fnWeight * windows;
  const perfect = cm.tpWeight * windows;
  if (perfect === nullScore) return null;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

export interface SweepResult {
  /** Best threshold: a detection is a row with score >= threshold (> 1 means no detections). */
  threshold: number;
  raw: number;
  normalised: number | null;
  windows: number;
}

/** Scorable rows of several files, ordered by descending anomaly score, ready for sweeping. */
export interface SweepInput {
  windows: number;
  /** Per scorable row: global window index or -1. */
  win: Int32Array;
  /** Per scorable row: the plan's unweighted value. */
  val: Float64Array;
  score: Float64Array;
  /** Row indices (into win/val/score) by descending score. */
  order: Uint32Array;
}

export function prepareSweep(files: ReadonlyArray<{ plan: FilePlan; scores: ArrayLike<number> }>): SweepInput {
  let n = 0;
  let windows = 0;
  for (const f of files) {
    n += f.plan.rows - f.plan.probation;
    windows += f.plan.windows.length;
  }
  const score = new Float64Array(n);
  const win = new Int32Array(n);
  const val = new Float64Array(n);
  let k = 0;
  let windowBase = 0;
  for (const { plan, scores } of files) {
    for (let i = plan.probation; i < plan.rows; i++) {
      const w = plan.windowOf[i];
      if (w === -2) continue;
      score[k] = scores[i];
      win[k] = w >= 0 ? windowBase + w : -1;
      val[k] = plan.value[i];
      k++;
    }
    windowBase += plan.windows.length;
  }
  const order = new Uint32Array(k);
  for (let i = 0; i < k; i++) order[i] = i;
  order.sort((a, b) => score[b] - score[a]);
  return { windows, win: win.subarray(0, k), val: val.subarray(0, k), score: score.subarray(0, k), order };
}

/**
 * NAB's threshold optimisation: one threshold shared by all files, chosen to maximise the summed
 * raw score. Every distinct score value is tried (exact, not a local search).
 */
export function sweepThreshold(files: ReadonlyArray<{ plan: FilePlan; scores: ArrayLike<number> }> | SweepInput, cm: CostMatrix): SweepResult {
  const { windows, win, val, score, order } = 'order' in files ? files : prepareSweep(files);
  const k = order.length;
  const best = new Float64Array(windows).fill(-cm.fnWeight);
  let total = -cm.fnWeight * windows;
  let bestTotal = total;
  let bestThreshold = 1.1;
  let j = 0;
  while (j < k) {
    const s = score[order[j]];
    while (j < k && score[order[j]] === s) {
      const r = order[j];
      const w = win[r];
      if (w >= 0) {
        const v = val[r] * cm.tpWeight;
        if (v > best[w]) {
          total += v - best[w];
          best[w] = v;
        }
      } else total += val[r] * cm.fpWeight;
      j++;
    }
    if (total > bestTotal + 1e-12) {
      bestTotal = total;
      bestThreshold = s;
    }
  }
  return { threshold: bestThreshold, raw: bestTotal, normalised: normalise(bestTotal, windows, cm), windows };
}
