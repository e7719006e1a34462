import { describe, expect, it } from 'vitest';
import { BoundedChannel } from '../../../pipeline/channel.js';
import { ChannelStageInput, MemoryDeadLetterSink, channelEmitter } from '../../../pipeline/embedded.js';
import { MemoryStateStore } from '../../../pipeline/state-store.js';
import { FeatureStage } from '../../../features/processor.js';
import { DetectorStage, type ScoredPoint } from '../../../detect/worker/stage.js';
import { detectSchema } from '../../../detect/config.js';
import { workersSchema } from '../../../pipeline/worker-config.js';
import { featuresSchema } from '../../../features/config.js';
import { makeSample } from '../../../ingest/sample.js';
import type { Alert, FeatureRecord, Sample } from '../../../pipeline/ports.js';
import { metricValue, testContext } from './helpers.js';

const features = featuresSchema.parse({ windowSize: 5 });
const detect = detectSchema.parse({ warmupPoints: 10 });
const series = { source: 'test', name: 'g', labels: { k: 'v' } };
const t0 = Date.now() - 600_000;

function collect<T>(): { items: T[]; emit(items: T[]): Promise<void> } {
  const items: T[] = [];
  return { items, emit: async (xs) => void items.push(...xs) };
}

describe('processor stage', () => {
  it('computes window features, skips redelivered points and dead-letters malformed samples', async () => {
    const ctx = testContext();
    const out = collect<FeatureRecord>();
    const dlq = new MemoryDeadLetterSink(ctx);
    const stage = new FeatureStage({ features, workers: workersSchema.parse({}) }, ctx, { out, dlq, store: new MemoryStateStore(), checkSamples: true });
    const good = [1, 2, 3, 4, 5, 6].map((v, i) => makeSample(series, t0 + i * 1000, v));
    const bad = { ...makeSample(series, t0 + 9000, 1), value: Number.NaN } as Sample;
    const wrongId = { ...makeSample(series, t0 + 9500, 1), id: '0000000000000000' } as Sample;
    await stage.process([...good, bad, wrongId], 0);
    await stage.flush(0);
    expect(out.items.map((f) => f.count)).toEqual([1, 2, 3, 4, 5, 5]);
    const last = out.items[5];
    expect([last.mean, last.min, last.max]).toEqual([4, 2, 6]);
    expect(last.std).toBeCloseTo(Math.sqrt(2), 12);
    expect(dlq.entries.map((d) => d.reason)).toEqual([expect.stringMatching(/not finite/), expect.stringMatching(/id does not match/)]);
    expect(dlq.entries.every((d) => d.stage === 'features')).toBe(true);
    expect(await metricValue(ctx, 'seismo_dlq_received_total')).toBe(2);
    // Redelivery of the same samples (at-least-once) changes nothing.
    await stage.process(good, 0);
    await stage.flush(0);
    expect(out.items).toHaveLength(6);
    expect(await metricValue(ctx, 'seismo_features_duplicates_total')).toBe(6);
  });

  it('evicts the least recently seen series past maxSeries and restores it from its snapshot', async () => {
    const ctx = testContext();
    const out = collect<FeatureRecord>();
    const store = new MemoryStateStore();
    const stage = new FeatureStage({ features, workers: workersSchema.parse({ maxSeries: 2 }) }, ctx, { out, dlq: new MemoryDeadLetterSink(ctx), store });
    const s = (name: string, i: number, v: number): Sample => makeSample({ ...series, name }, t0 + i * 1000, v);
    await stage.process([s('a', 0, 10), s('a', 1, 20), s('b', 0, 1), s('c', 0, 1)], 0);
    await stage.flush(0);
    expect(stage.seriesCount).toBe(2);
    expect(await metricValue(ctx, 'seismo_features_evicted_total')).toBe(1);
    await stage.process([s('a', 2, 30)], 0);
    await stage.flush(0);
    const a = out.items[out.items.length - 1];
    expect([a.count, a.mean]).toEqual([3, 20]);
    expect(await metricValue(ctx, 'seismo_features_restored_total')).toBe(1);
  });

  it('a series evicted and back before its snapshot was written continues from that snapshot', async () => {
    const ctx = testContext();
    const out = collect<FeatureRecord>();
    const stage = new FeatureStage({ features, workers: workersSchema.parse({ maxSeries: 2 }) }, ctx, { out, dlq: new MemoryDeadLetterSink(ctx), store: new MemoryStateStore() });
    const s = (name: string, i: number, v: number): Sample => makeSample({ ...series, name }, t0 + i * 1000, v);
    // 'a' is evicted by 'c' and comes back in the same batch, before any snapshot reached the store.
    await stage.process([s('a', 0, 10), s('a', 1, 20), s('b', 0, 1), s('c', 0, 1), s('a', 2, 30)], 0);
    await stage.flush(0);
    const a = out.items.filter((f) => f.series.name === 'a').map((f) => [f.count, f.mean]);
    expect(a).toEqual([
      [1, 10],
      [2, 15],
      [3, 20],
    ]);
  });

  it("never snapshots a partition's batch before its own flush: a given-up batch is redelivered, not skipped as duplicates", async () => {
    const ctx = testContext();
    const out = collect<FeatureRecord>();
    const store = new MemoryStateStore();
    // a snapshot is due on every flush
    const stage = new FeatureStage({ features, workers: workersSchema.parse({ snapshotIntervalMs: 1 }) }, ctx, { out, dlq: new MemoryDeadLetterSink(ctx), store });
    await stage.assigned([0, 1]);
    const a = [0, 1, 2].map((i) => makeSample({ ...series, name: 'a' }, t0 + i * 1000, i));
    const b = [0, 1, 2].map((i) => makeSample({ ...series, name: 'b' }, t0 + i * 1000, i));
    await stage.process(a, 0);
    await stage.process(b, 1);
    await new Promise((r) => setTimeout(r, 5));
    await stage.flush(0); // partition 1's batch is processed but not flushed: its state must not be stored
    await stage.abandon(1); // ...and its flush is given up
    await stage.process(b, 1); // the records come again
    await stage.flush(1);
    expect(out.items.filter((f) => f.series.name === 'b').map((f) => f.count)).toEqual([1, 2, 3]);
    expect(await metricValue(ctx, 'seismo_features_duplicates_total')).toBe(0);
  });
});

describe('detector stage', () => {
  const feats = (n: number, spikeAt: number): FeatureRecord[] =>
    Array.from({ length: n }, (_, i) => {
      const value = i === spikeAt ? 100 : 10 + Math.sin(i) * 0.2;
      return { id: 'sid', series, ts: t0 + i * 1000, value, count: 1, mean: value, std: 0, min: value, max: value, ewma: value };
    });

  it('opens an alert on a spike with a stable dedup key, and a restored worker continues identically', async () => {
    const ctx = testContext();
    const run = async (store: MemoryStateStore, items: FeatureRecord[]) => {
      const alerts = collect<Alert>();
      const scored: ScoredPoint[] = [];
      const stage = new DetectorStage({ detect, workers: workersSchema.parse({}) }, testContext(), { alerts, store, onScored: (p) => scored.push(...p) });
      await stage.assigned([0]);
      await stage.process(items, 0);
      await stage.flush(0);
      await stage.close();
      return { alerts: alerts.items, scored };
    };
    const all = feats(60, 50);
    const whole = await run(new MemoryStateStore(), all);
    const firing = whole.alerts.filter((a) => a.state === 'firing');
    expect(firing.length).toBeGreaterThanOrEqual(1);
    const spike = firing.find((a) => a.ts === all[50].ts);
    expect(spike).toBeDefined();
    expect(spike!.dedupKey).toBe(`sid:${all[50].ts}`);
    expect(spike!.series.id).toBe('sid');
    expect(spike!.explanation.length).toBeGreaterThan(0);

    // Same stream split over two workers sharing the snapshot store: same scores, same alerts.
    const store = new MemoryStateStore();
    const first = await run(store, all.slice(0, 30));
    const second = await run(store, all.slice(20)); // overlap = redelivery: skipped
    expect([...first.scored, ...second.scored].map((p) => p.result.score)).toEqual(whole.scored.map((p) => p.result.score));
    expect([...first.alerts, ...second.alerts]).toEqual(whole.alerts);
    void ctx;
  });
});

describe('embedded transport', () => {
  it('runs processor and detector over bounded channels and drains on stop', async () => {
    const ctx = testContext();
    const samples = new BoundedChannel<Sample>(8);
    const featCh = new BoundedChannel<FeatureRecord>(8);
    const alerts = collect<Alert>();
    const store = new MemoryStateStore();
    const dlq = new MemoryDeadLetterSink(ctx);
    const workers = workersSchema.parse({ batchSize: 4 });
    const fin = new ChannelStageInput(samples, new FeatureStage({ features, workers }, ctx, { out: channelEmitter(featCh), dlq, store }), ctx, 4);
    let scoredCount = 0;
    const din = new ChannelStageInput(featCh, new DetectorStage({ detect, workers }, ctx, { alerts, store, onScored: (p) => (scoredCount += p.length) }), ctx, 4);
    await din.start();
    await fin.start();
    const values = Array.from({ length: 80 }, (_, i) => (i === 70 ? 500 : 50 + Math.cos(i) * 0.5));
    await channelEmitter(samples).emit(values.map((v, i) => makeSample(series, t0 + i * 1000, v)));
    await fin.stop();
    await din.stop();
    expect(scoredCount).toBe(80);
    expect(alerts.items.some((a) => a.state === 'firing' && a.ts === t0 + 70_000)).toBe(true);
    expect(await metricValue(ctx, 'seismo_features_sent_total')).toBe(80);
  });
});
