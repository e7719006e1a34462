import { describe, expect, it } from 'vitest';
import { nextWindow, pointsIn, splitWindow } from '../../../ingest/prometheus/window.js';
import { counterToRate } from '../../../ingest/prometheus/rate.js';
import { toSamples } from '../../../ingest/prometheus/collector.js';
import { seriesId } from '../../../ingest/sample.js';
import { extractMalformed, type RangeSeries } from '../../../ingest/prometheus/client.js';

describe('range query windows', () => {
  const step = 15_000;
  it('starts at now - backfill, aligned to the step, and ends at the last complete step', () => {
    const now = 1_700_000_017_500; // 7.5 s past a 15 s boundary
    const w = nextWindow({ checkpoint: undefined, now, stepMs: step, lagMs: 0, backfillMs: 60_000 })!;
    expect(w).toEqual({ start: 1_699_999_965_000, end: 1_700_000_010_000 });
    expect(pointsIn(w, step)).toBe(4);
  });

  it('resumes one step after the checkpoint: no gap, no duplicate', () => {
    const w = nextWindow({ checkpoint: 1_500_000, now: 1_590_001, stepMs: step, lagMs: 0, backfillMs: 0 })!;
    expect(w).toEqual({ start: 1_515_000, end: 1_590_000 });
    const again = nextWindow({ checkpoint: w.end, now: 1_590_001, stepMs: step, lagMs: 0, backfillMs: 0 });
    expect(again).toBeNull();
  });

  it('honours lagMs', () => {
    const w = nextWindow({ checkpoint: 1_500_000, now: 1_590_001, stepMs: step, lagMs: 30_000, backfillMs: 0 })!;
    expect(w.end).toBe(1_560_000);
  });

  it('realigns a checkpoint that is not on the step (step changed)', () => {
    const w = nextWindow({ checkpoint: 1_507_000, now: 1_600_000, stepMs: step, lagMs: 0, backfillMs: 0 })!;
    expect(w.start).toBe(1_515_000);
  });

  it('splits so that no request exceeds 11,000 points per series, covering every instant once', () => {
    const stepMs = 1000;
    const w = { start: 0, end: 25_000 * stepMs };
    const chunks = splitWindow(w, stepMs, 11_000);
    expect(chunks.map((c) => pointsIn(c, stepMs))).toEqual([11_000, 11_000, 3001]);
    expect(chunks[0]).toEqual({ start: 0, end: 10_999_000 });
    expect(chunks[1].start).toBe(11_000_000);
    const total = chunks.reduce((n, c) => n + pointsIn(c, stepMs), 0);
    expect(total).toBe(pointsIn(w, stepMs));
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].start - chunks[i - 1].end).toBe(stepMs);
  });

  it('does not split a window at exactly the limit, and splits one point above it', () => {
    expect(splitWindow({ start: 0, end: 10_999 }, 1, 11_000)).toHaveLength(1);
    expect(splitWindow({ start: 0, end: 11_000 }, 1, 11_000)).toEqual([
      { start: 0, end: 10_999 },
      { start: 11_000, end: 11_000 },
    ]);
  });
});

describe('counter to rate', () => {
  it('computes per-second rates with counter resets', () => {
    const pts = [
      { ts: 0, value: 100 },
      { ts: 10_000, value: 200 },
      { ts: 20_000, value: 50 }, // reset: counted from zero
      { ts: 30_000, value: 80 },
    ];
    expect(counterToRate(pts)).toEqual([
      { ts: 10_000, value: 10 },
      { ts: 20_000, value: 5 },
      { ts: 30_000, value: 3 },
    ]);
  });
  it('yields nothing for a single point and skips non-increasing timestamps', () => {
    expect(counterToRate([{ ts: 0, value: 1 }])).toEqual([]);
    expect(counterToRate([{ ts: 0, value: 1 }, { ts: 0, value: 2 }])).toEqual([]);
  });
});

describe('range results to samples', () => {
  const series: RangeSeries[] = [
    {
      labels: { __name__: 'up', job: 'node' },
      points: [
        { ts: 0, value: 1 },
        { ts: 15_000, value: NaN },
        { ts: 30_000, value: 1 },
      ],
    },
    { labels: { job: 'x' }, points: [{ ts: 15_000, value: 2 }] },
  ];
  it('names series by __name__ or the query name, skips and counts NaN', () => {
    const { samples, stale } = toSamples(series, { name: 'my-q', rate: false }, { start: 0, end: 30_000 });
    expect(stale).toBe(1);
    expect(samples.map((s) => [s.series.name, s.ts, s.value])).toEqual([
      ['up', 0, 1],
      ['up', 30_000, 1],
      ['my-q', 15_000, 2],
    ]);
    expect(samples[0].series.labels).toEqual({ job: 'node' });
    expect(samples[0].id).toBe(seriesId({ source: 'prometheus', name: 'up', labels: { job: 'node' } }));
  });
  it('drops points outside the window (the extra point read for rates)', () => {
    const counter = [{ labels: { __name__: 'c_total' }, points: [{ ts: 0, value: 10 }, { ts: 15_000, value: 40 }, { ts: 30_000, value: 70 }] }];
    const { samples } = toSamples(counter, { name: 'q', rate: true }, { start: 15_000, end: 30_000 });
    expect(samples.map((s) => [s.series.name, s.ts, s.value])).toEqual([
      ['c_total:rate', 15_000, 2],
      ['c_total:rate', 30_000, 2],
    ]);
  });
});

describe('malformed points in raw answers', () => {
  it('takes out what is not a Prometheus float and keeps NaN and ±Inf parseable', () => {
    const body = { status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: '1' }, values: [[1, '1.5'], [2, 'abc'], [3, 'NaN'], [4, '+Inf'], [5, '-Inf'], ['x', '1'], [6], [7, '1e+06']] }] } };
    const bad = extractMalformed(body);
    expect(bad.map((b) => b.reason)).toEqual(['value is not a Prometheus float: "abc"', 'timestamp is not a number: "x"', 'point is not a [timestamp, value] pair']);
    const values = body.data.result[0].values as Array<[number, string]>;
    expect(values.map((p) => parseFloat(p[1]))).toEqual([1.5, NaN, Infinity, -Infinity, 1e6]);
    expect(extractMalformed({ data: {} })).toEqual([]);
  });
});
