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
import { SeismoError } from '../../../pipeline/errors.js';
import { defaultSinks } from '../../../pipeline/sinks.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

  it('retries a flush that fails for a retriable reason until it succeeds, reporting not ready meanwhile, and loses nothing', async () => {
    const ctx = testContext();
    const samples = new BoundedChannel<Sample>(16);
    const out: FeatureRecord[] = [];
    let failures = 3;
    const stage = new FeatureStage({ features: featuresSchema.parse({}), workers: workersSchema.parse({}) }, ctx, {
      out: {
        emit: async (f) => {
          if (failures-- > 0) throw new SeismoError('downstream unavailable', { retriable: true });
          out.push(...f);
        },
      },
      dlq: new MemoryDeadLetterSink(ctx),
      store: new MemoryStateStore(),
    });
    const input = new ChannelStageInput(samples, stage, ctx, 8);
    await input.start();
    await channelEmitter(samples).emit([1, 2, 3].map((v, i) => makeSample({ source: 't', name: 'x', labels: {} }, Date.now() - 10_000 + i, v)));
    await waitUntil(() => input.problem !== null);
    expect(input.problem).toMatch(/flush failing, retrying: downstream unavailable/);
    expect(input.healthy).toBe(false);
    await waitUntil(() => out.length === 3, 10_000);
    expect(input.healthy).toBe(true);
    expect(input.problem).toBeNull();
    await input.stop();
    expect(await metricValue(ctx, 'seismo_features_input_errors_total')).toBe(3);
  });
});

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

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

  it('stops within its grace period when a stage cannot deliver (InfluxDB unreachable), dropping and counting what is queued', async () => {
    const ctx = testContext();
    const dir = mkdtempSync(join(tmpdir(), 'seismo-stuck-'));
    const t0 = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: 3000 }, (_, i) => `${new Date(t0 + i * 60_000).toISOString().slice(0, 19).replace('T', ' ')},${i % 17}`);
    writeFileSync(join(dir, 'x.csv'), `timestamp,value\n${rows.join('\n')}\n`);
    const cfg = parseConfig({
      api: { enabled: false },
      sources: [{ type: 'file', path: join(dir, 'x.csv'), loop: true }],
      embedded: { channelCapacity: 50, stopGraceMs: 300 },
      // nothing listens on port 1
      influxdb: { url: 'http://127.0.0.1:1', createDatabase: false, retry: { attempts: 2, baseMs: 10, maxMs: 20 } },
    });
    const p = new Pipeline(cfg, ctx, { role: 'all', sinks: defaultSinks(), feedDashboard: false });
    await p.start();
    const features = p.readiness.find((r) => r.name === 'channel-input:features')!;
    let state: boolean | string = true;
    for (let i = 0; i < 100 && state === true; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = await features.check();
    }
    expect(state).toMatch(/flush failing, retrying: influxdb/);
    const t = Date.now();
    await p.stop().catch(() => undefined);
    // one grace period per component that cannot stop on its own, not forever
    expect(Date.now() - t).toBeLessThan(5000);
    expect(await metricValue(ctx, 'seismo_embedded_dropped_total')).toBeGreaterThan(0);
  });

  it('refuses a single role without Kafka, naming the fix', () => {
    const cfg = parseConfig({});
    expect(() => new Pipeline(cfg, testContext(), { role: 'processor' })).toThrow(/kafka/);
  });
});
