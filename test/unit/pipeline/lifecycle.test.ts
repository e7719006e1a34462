import { describe, expect, it } from 'vitest';
import { BoundedChannel } from '../../../pipeline/channel.js';
import { ChannelStageInput, MemoryDeadLetterSink, channelEmitter } from '../../../pipeline/embedded.js';
import { MemoryStateStore } from '../../../pipeline/state-store.js';
import { FeatureStage } from '../../../features/processor.js';
import { Pipeline } from '../../../pipeline/assemble.js';
import { parseConfig } from '../../../config/load.js';
import { featuresSchema } from '../../../features/config.js';
import { workersSchema } from '../../../pipeline/worker-config.js';
import { makeSample } from '../../../ingest/sample.js';
import type { FeatureRecord, Sample } from '../../../pipeline/ports.js';
import { metricValue, testContext } from './helpers.js';

describe('stage input lifecycle', () => {
  function build() {
    const ctx = testContext();
    const samples = new BoundedChannel<Sample>(16);
    const out: FeatureRecord[] = [];
    const stage = new FeatureStage({ features: featuresSchema.parse({}), workers: workersSchema.parse({}) }, ctx, {
      out: { emit: async (f) => void out.push(...f) },
      dlq: new MemoryDeadLetterSink(ctx),
      store: new MemoryStateStore(),
    });
    return { ctx, samples, out, input: new ChannelStageInput(samples, stage, ctx, 8) };
  }

  it('create, start, send, stop; stop twice; standard metrics appear', async () => {
    const { ctx, samples, out, input } = build();
    await input.start();
    await channelEmitter(samples).emit([makeSample({ source: 't', name: 'x', labels: {} }, Date.now() - 1000, 1)]);
    await input.stop();
    await input.stop();
    expect(out).toHaveLength(1);
    for (const m of ['received_total', 'sent_total', 'dropped_total', 'buffer_depth']) {
      expect(ctx.registry.getSingleMetric(`seismo_features_${m}`)).toBeDefined();
    }
    expect(await metricValue(ctx, 'seismo_features_input_received_total')).toBe(1);
  });

  it('stop without start is safe', async () => {
    const { input } = build();
    await expect(input.stop()).resolves.toBeUndefined();
  });
});

describe('embedded pipeline lifecycle', () => {
  it('starts every role over channels and stops in order, twice', async () => {
    const ctx = testContext();
    const cfg = parseConfig({ api: { enabled: false }, sources: [{ type: 'host', intervalMs: 100 }] });
    const p = new Pipeline(cfg, ctx, { role: 'all' });
    await p.start();
    await new Promise((r) => setTimeout(r, 350));
    await p.stop();
    await p.stop();
    expect(await metricValue(ctx, 'seismo_features_received_total')).toBeGreaterThan(0);
    expect(p.watching[0]).toMatch(/host metrics/);
  });

  it('refuses a single role without Kafka, naming the fix', () => {
    const cfg = parseConfig({});
    expect(() => new Pipeline(cfg, testContext(), { role: 'processor' })).toThrow(/kafka/);
  });
});
