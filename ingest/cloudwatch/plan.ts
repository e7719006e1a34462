/** Pure planning of CloudWatch reads: query batches, period-aligned windows, revision tracking. */

/** Splits items into consecutive batches of at most `size` (GetMetricData takes 500 queries). */
export function batches<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`batch size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface CwWindow {
  /** Inclusive start, ms, period-aligned. */
  start: number;
  /** Exclusive end, ms, period-aligned: only complete periods are read. */
  end: number;
  /** Points with ts >= this are new; older ones are revisions of what was emitted. */
  newFrom: number;
}

/**
 * The window of one poll. New data starts at the checkpoint (or now - backfill on first start);
 * with a checkpoint, the read also reaches back revisionWindowMs to catch revised datapoints.
 */
export function cloudwatchWindow(p: { checkpoint: number | undefined; now: number; periodMs: number; lagMs: number; backfillMs: number; revisionWindowMs: number }): CwWindow {
  const align = (t: number): number => Math.floor(t / p.periodMs) * p.periodMs;
  const end = align(p.now - p.lagMs);
  if (p.checkpoint === undefined) {
    const start = Math.min(end, align(p.now - p.backfillMs));
    return { start, end, newFrom: start };
  }
  const newFrom = Math.min(p.checkpoint, end);
  return { start: Math.min(newFrom, align(end - p.revisionWindowMs)), end, newFrom };
}

/**
 * The values emitted for recent timestamps, per series, to re-emit a re-read datapoint only when
 * CloudWatch revised its value. Bounded: entries older than the next read's start are pruned, and
 * beyond `maxPoints` the oldest go first (a forgotten point re-emits once; downstream writes are
 * idempotent by series and timestamp).
 */
export class RevisionTracker {
  private readonly values = new Map<string, number>();

  constructor(
    private readonly maxPoints: number,
    initial?: Record<string, number>,
  ) {
    if (initial) for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }

  private static key(id: string, ts: number): string {
    return `${id}@${ts}`;
  }

  /** 'new' (never emitted), 'changed' (emitted with another value) or 'same'. */
  classify(id: string, ts: number, value: number): 'new' | 'changed' | 'same' {
    const prev = this.values.get(RevisionTracker.key(id, ts));
    if (prev === undefined) return 'new';
    return Object.is(prev, value) ? 'same' : 'changed';
  }

  remember(id: string, ts: number, value: number): void {
    const k = RevisionTracker.key(id, ts);
    this.values.delete(k);
    this.values.set(k, value);
  }

  /** Forgets points older than `before` and trims to the bound, oldest first. */
  prune(before: number): void {
    for (const k of this.values.keys()) {
      const ts = Number(k.slice(k.lastIndexOf('@') + 1));
      if (ts < before) this.values.delete(k);
    }
    if (this.values.size > this.maxPoints) {
      const byAge = [...this.values.keys()].sort((a, b) => Number(a.slice(a.lastIndexOf('@') + 1)) - Number(b.slice(b.lastIndexOf('@') + 1)));
      for (const k of byAge.slice(0, this.values.size - this.maxPoints)) this.values.delete(k);
    }
  }

  get size(): number {
    return this.values.size;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}
