import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, MemoryCheckpointStore } from '../../../ingest/index.js';
import type { SourceConfig } from '../../../ingest/config.js';
import { CaptureDlq, CaptureEmitter, metricValue, testContext } from './helpers.js';

const FIX = join(import.meta.dirname, '../../fixtures/proc/t0');
const STANDARD = ['seismo_ingest_received_total', 'seismo_ingest_sent_total', 'seismo_ingest_dropped_total', 'seismo_ingest_errors_total', 'seismo_ingest_buffer_depth'];
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seismo-lc-'));
  await writeFile(join(dir, 'x.csv'), 'timestamp,value\n2014-02-14 14:27:00,1\n2014-02-14 14:32:00,2\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Unreachable endpoints: the polling collectors must survive failing sources.
const sources: Array<[string, () => SourceConfig, boolean]> = [
  ['host', () => ({ type: 'host', name: 'lc', procPath: FIX, intervalMs: 100 }) as never, true],
  ['file', () => ({ type: 'file', path: join(dir, 'x.csv') }) as never, true],
  ['prometheus', () => ({ type: 'prometheus', url: 'http://127.0.0.1:1', queries: [{ query: 'up' }], intervalMs: 200, timeoutMs: 100, jitterRatio: 0 }) as never, false],
  ['datadog', () => ({ type: 'datadog', baseUrl: 'http://127.0.0.1:1', apiKey: 'k', appKey: 'a', queries: [{ query: 'avg:x{*}' }], intervalMs: 1000, timeoutMs: 100, maxAttempts: 1, jitterRatio: 0 }) as never, false],
  ['cloudwatch', () => ({ type: 'cloudwatch', region: 'us-east-1', endpoint: 'http://127.0.0.1:1', metrics: [{ namespace: 'AWS/EC2', metricName: 'CPUUtilization' }], intervalMs: 1000, timeoutMs: 200, jitterRatio: 0 }) as never, false],
];

describe.each(sources)('%s collector lifecycle', (_type, cfg, produces) => {
  it('stop before start, stop twice', async () => {
    const c = createCollector(cfg(), testContext(), new CaptureEmitter(), new CaptureDlq(), { checkpoints: new MemoryCheckpointStore() });
    await c.stop();
    await c.stop();
    await expect(c.start()).rejects.toThrow(/after stop/);
  });

  it('create, start, send (or fail and count), stop, stop again; standard metrics appear', async () => {
    const ctx = testContext();
    const out = new CaptureEmitter();
    const c = createCollector(cfg(), ctx, out, new CaptureDlq(), { checkpoints: new MemoryCheckpointStore() });
    await c.start();
    await wait(400);
    await c.stop();
    await c.stop();
    const text = await ctx.registry.metrics();
    for (const m of STANDARD) expect(text).toContain(m);
    if (produces) {
      expect(out.samples.length).toBeGreaterThan(0);
      expect(await metricValue(ctx.registry, 'seismo_ingest_sent_total')).toBe(out.samples.length);
    } else {
      expect(out.samples).toEqual([]);
      expect(await metricValue(ctx.registry, 'seismo_ingest_polls_total', { outcome: 'error' })).toBeGreaterThanOrEqual(1);
    }
    const n = out.samples.length;
    await wait(300);
    expect(out.samples.length).toBe(n);
  });
});
