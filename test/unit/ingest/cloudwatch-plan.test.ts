import { describe, expect, it } from 'vitest';
import { batches, cloudwatchWindow, RevisionTracker } from '../../../ingest/cloudwatch/plan.js';
import { cloudwatchSeries } from '../../../ingest/cloudwatch/collector.js';

describe('GetMetricData batching', () => {
  it('splits 1234 queries into calls of at most 500, in order, none lost', () => {
    const queries = Array.from({ length: 1234 }, (_, i) => `m${i}`);
    const b = batches(queries, 500);
    expect(b.map((x) => x.length)).toEqual([500, 500, 234]);
    expect(b.flat()).toEqual(queries);
  });
  it('exactly 500 is one call; 501 is two', () => {
    expect(batches(Array(500).fill(0), 500)).toHaveLength(1);
    expect(batches(Array(501).fill(0), 500).map((x) => x.length)).toEqual([500, 1]);
    expect(batches([], 500)).toEqual([]);
    expect(() => batches([1], 0)).toThrow(RangeError);
  });
});

describe('CloudWatch windows', () => {
  const P = 60_000;
  it('first start: from now - backfill to the last complete period, all new', () => {
    expect(cloudwatchWindow({ checkpoint: undefined, now: 10 * P + 5_000, periodMs: P, lagMs: 0, backfillMs: 3 * P, revisionWindowMs: 5 * P })).toEqual({ start: 7 * P, end: 10 * P, newFrom: 7 * P });
  });
  it('later: re-reads the revision window before the checkpoint', () => {
    expect(cloudwatchWindow({ checkpoint: 10 * P, now: 11 * P + 1, periodMs: P, lagMs: 0, backfillMs: 0, revisionWindowMs: 3 * P })).toEqual({ start: 8 * P, end: 11 * P, newFrom: 10 * P });
  });
  it('a checkpoint older than the revision window starts at the checkpoint', () => {
    expect(cloudwatchWindow({ checkpoint: 2 * P, now: 11 * P, periodMs: P, lagMs: 0, backfillMs: 0, revisionWindowMs: 3 * P }).start).toBe(2 * P);
  });
  it('honours lagMs', () => {
    expect(cloudwatchWindow({ checkpoint: 10 * P, now: 12 * P, periodMs: P, lagMs: 90_000, backfillMs: 0, revisionWindowMs: 0 }).end).toBe(10 * P);
  });
});

describe('RevisionTracker', () => {
  it('tells new, same and changed values apart', () => {
    const t = new RevisionTracker(100);
    expect(t.classify('a', 1, 5)).toBe('new');
    t.remember('a', 1, 5);
    expect(t.classify('a', 1, 5)).toBe('same');
    expect(t.classify('a', 1, 6)).toBe('changed');
    expect(t.classify('b', 1, 5)).toBe('new');
  });
  it('survives a round trip through the checkpoint', () => {
    const t = new RevisionTracker(100);
    t.remember('a', 1, 5);
    const u = new RevisionTracker(100, JSON.parse(JSON.stringify(t)) as Record<string, number>);
    expect(u.classify('a', 1, 5)).toBe('same');
  });
  it('is bounded: prunes old timestamps, then the oldest beyond the cap', () => {
    const t = new RevisionTracker(3);
    for (let ts = 0; ts < 6; ts++) t.remember('a', ts, ts);
    t.prune(1);
    expect(t.size).toBe(3);
    expect(t.classify('a', 2, 2)).toBe('new');
    expect(t.classify('a', 5, 5)).toBe('same');
  });
});

describe('CloudWatch series', () => {
  it('names series namespace/metric, dimensions and stat as labels, stable ids whatever the dimension order', () => {
    const a = cloudwatchSeries({ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }, { Name: 'AutoScalingGroupName', Value: 'g' }] }, 'Average', undefined);
    expect(a).toEqual({ source: 'cloudwatch', name: 'AWS/EC2/CPUUtilization', labels: { stat: 'Average', InstanceId: 'i-1', AutoScalingGroupName: 'g' } });
  });
});
