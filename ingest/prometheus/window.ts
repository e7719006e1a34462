/** Window arithmetic of range queries: aligned to the step, resumable, split under the point limit. */

export interface Window {
  /** First evaluation timestamp, ms, a multiple of stepMs. */
  start: number;
  /** Last evaluation timestamp, ms, a multiple of stepMs; start <= end. */
  end: number;
}

/**
 * The next window to read. Evaluation timestamps are multiples of `stepMs`, so every run evaluates
 * the same instants: the window starts at the first multiple after the checkpoint (or after
 * now - backfill when there is none) and ends at the last multiple not newer than now - lag.
 * Returns null when no complete step is due yet.
 */
export function nextWindow(p: { checkpoint: number | undefined; now: number; stepMs: number; lagMs: number; backfillMs: number }): Window | null {
  const end = Math.floor((p.now - p.lagMs) / p.stepMs) * p.stepMs;
  // Without a checkpoint, now - backfill acts as one: the window is (now - backfill, end].
  const after = p.checkpoint ?? p.now - p.backfillMs;
  const start = (Math.floor(after / p.stepMs) + 1) * p.stepMs;
  return start <= end ? { start, end } : null;
}

/** Points one series has in [start, end] at this step. */
export function pointsIn(w: Window, stepMs: number): number {
  return Math.floor((w.end - w.start) / stepMs) + 1;
}

/** Splits a window into consecutive chunks of at most `maxPoints` evaluation instants each. */
export function splitWindow(w: Window, stepMs: number, maxPoints: number): Window[] {
  if (!(maxPoints >= 1)) throw new RangeError(`maxPoints must be >= 1, got ${maxPoints}`);
  const span = (maxPoints - 1) * stepMs;
  const out: Window[] = [];
  for (let s = w.start; s <= w.end; s += span + stepMs) out.push({ start: s, end: Math.min(w.end, s + span) });
  return out;
}
