import { describe, expect, it } from 'vitest';
import { DashboardState } from '../../../api/state.js';
import { seriesId, type SeriesRef } from '../../../ingest/sample.js';
import type { Alert } from '../../../pipeline/ports.js';

const ref = (name: string): SeriesRef => ({ source: 'host', name, labels: { host: 'h1' } });

function alert(series: SeriesRef, ts: number, state: 'firing' | 'resolved'): Alert {
  const id = seriesId(series);
  return {
    id: `${id}:${state}:${ts}`, dedupKey: id, series: { ...series, id }, ts, value: 1, expected: { lo: 0, hi: 0.5 },
    score: 0.9, detector: 'mad', severity: 'warning', state, explanation: 'x',
  };
}

describe('DashboardState', () => {
  it('keeps a bounded ring of recent points per series, oldest first', () => {
    const s = new DashboardState({ recentPoints: 3 });
    const r = ref('cpu');
    for (let i = 1; i <= 5; i++) s.observe({ id: seriesId(r), series: r, ts: i * 1000, value: i * 10, score: i / 10 });
    const snap = s.getSeries(seriesId(r))!;
    expect(snap.recent.map((p) => p[0])).toEqual([3000, 4000, 5000]);
    expect(snap.recent.map((p) => p[1])).toEqual([30, 40, 50]);
    expect(snap.pointsSeen).toBe(5);
    expect(snap.lastValue).toBe(50);
    expect(snap.lastScore).toBe(0.5);
  });

  it('merges a value and a later score for the same timestamp into one point', () => {
    const s = new DashboardState();
    const r = ref('cpu');
    const id = seriesId(r);
    s.observe({ id, series: r, ts: 1000, value: 5 });
    s.observe({ id, series: r, ts: 1000, value: 5, score: 0.7, warm: true, forecast: 4, lo: 3, hi: 6 });
    const snap = s.getSeries(id)!;
    expect(snap.pointsSeen).toBe(1);
    expect(snap.recent).toEqual([[1000, 5, 0.7, 3, 6]]);
    expect(snap).toMatchObject({ warm: true, forecast: 4, lo: 3, hi: 6, lastScore: 0.7 });
  });

  it('evicts the least recently updated series past maxSeries', () => {
    const s = new DashboardState({ maxSeries: 2 });
    const [a, b, c] = [ref('a'), ref('b'), ref('c')];
    s.observe({ id: seriesId(a), series: a, ts: 1, value: 1 });
    s.observe({ id: seriesId(b), series: b, ts: 1, value: 1 });
    s.observe({ id: seriesId(a), series: a, ts: 2, value: 1 });
    s.observe({ id: seriesId(c), series: c, ts: 1, value: 1 });
    expect(s.seriesSnapshot().map((x) => x.name).sort()).toEqual(['a', 'c']);
    expect(s.stats()).toMatchObject({ series: 2, evictedSeries: 1 });
  });

  it('ignores non-finite values and maps non-finite scores and bands to null', () => {
    const s = new DashboardState();
    const r = ref('cpu');
    s.observe({ id: seriesId(r), series: r, ts: 1, value: Number.NaN });
    expect(s.stats().series).toBe(0);
    s.observe({ id: seriesId(r), series: r, ts: 1, value: 1, score: Number.NaN, lo: Number.NEGATIVE_INFINITY, hi: 2 });
    expect(s.getSeries(seriesId(r))!.recent).toEqual([[1, 1, null, null, 2]]);
  });

  it('keeps a ring of alerts listed newest first, and tracks the alert state per series', () => {
    const s = new DashboardState({ maxAlerts: 3 });
    const a = ref('a');
    const b = ref('b');
    s.observe({ id: seriesId(a), series: a, ts: 1, value: 1, score: 0.1 });
    s.observe({ id: seriesId(b), series: b, ts: 1, value: 1, score: 0.9 });
    s.recordAlert(alert(a, 10, 'firing'));
    s.recordAlert(alert(b, 20, 'firing'));
    s.recordAlert(alert(b, 30, 'resolved'));
    s.recordAlert(alert(a, 5, 'resolved')); // late, out of order: does not close the newer firing
    expect(s.recentAlerts().map((x) => x.ts)).toEqual([30, 20, 5]);
    expect(s.recentAlerts({ state: 'firing' }).map((x) => x.ts)).toEqual([20]);
    expect(s.stats()).toMatchObject({ alerts: 3, alertsSeen: 4 });
    // firing series first even though its score is lower
    expect(s.seriesSnapshot().map((x) => [x.name, x.alertState])).toEqual([
      ['a', 'firing'],
      ['b', 'resolved'],
    ]);
    expect(s.seriesSnapshot({ firing: true }).map((x) => x.name)).toEqual(['a']);
  });

  it('rejects bad bounds at construction', () => {
    expect(() => new DashboardState({ maxSeries: 0 })).toThrow(/maxSeries/);
  });
});
