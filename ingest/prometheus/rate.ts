/** Counter-to-rate conversion of one series. */

export interface Point {
  ts: number;
  value: number;
}

/**
 * Per-second rate between consecutive points of a counter. A value below its predecessor is a
 * counter reset: the counter restarted from zero, so the increase is the new value itself. The
 * first point has no predecessor and yields nothing; so do non-finite values and non-increasing
 * timestamps.
 */
export function counterToRate(points: Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const dt = (b.ts - a.ts) / 1000;
    if (!(dt > 0) || !Number.isFinite(a.value) || !Number.isFinite(b.value)) continue;
    const increase = b.value >= a.value ? b.value - a.value : b.value;
    out.push({ ts: b.ts, value: increase / dt });
  }
  return out;
}
