import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PollingCollector, SourceIO, type RunControl } from '../../../ingest/collector.js';
import { FileCheckpointStore, MemoryCheckpointStore } from '../../../ingest/checkpoint/index.js';
import { makeSample } from '../../../ingest/sample.js';
import { CaptureDlq, CaptureEmitter, metricValue, testContext } from './helpers.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class ScriptedCollector extends PollingCollector {
  runs = 0;
  finished = 0;
  durationMs = 0;
  fail = false;
  sawStopping = false;
  protected async poll(control: RunControl): Promise<void> {
    this.runs++;
    await wait(this.durationMs);
    if (this.fail) throw new Error('source down');
    this.sawStopping ||= control.stopping;
    await this.io.emit('q', [makeSample({ source: 'test', name: 'm', labels: {} }, Date.now(), this.runs)]);
    this.finished++;
  }
}

function make(intervalMs: number, failureThreshold = 3, coolDownMs = 10_000) {
  const ctx = testContext();
  const out = new CaptureEmitter();
  const io = new SourceIO('test', 'src', ctx, out, new CaptureDlq(), undefined);
  const c = new ScriptedCollector(io, { intervalMs, jitterRatio: 0, breaker: { failureThreshold, coolDownMs } });
  return { c, ctx, out };
}

describe('PollingCollector', () => {
  it('skips ticks while a run is in flight and counts them', async () => {
    const { c, ctx } = make(10);
    c.durationMs = 80;
    await c.start();
    await wait(150);
    await c.stop();
    expect(c.runs).toBeGreaterThanOrEqual(1);
    expect(c.runs).toBeLessThan(8);
    expect(await metricValue(ctx.registry, 'seismo_ingest_skipped_ticks_total', { source: 'src', reason: 'busy' })).toBeGreaterThan(0);
  });

  it('routes errors to the handler (counted, never thrown) and opens the breaker after N failures', async () => {
    const { c, ctx } = make(5, 3);
    c.fail = true;
    await c.start();
    await wait(120);
    await c.stop();
    expect(c.runs).toBe(3);
    expect(await metricValue(ctx.registry, 'seismo_ingest_polls_total', { source: 'src', outcome: 'error' })).toBe(3);
    expect(await metricValue(ctx.registry, 'seismo_ingest_source_errors_total', { source: 'src' })).toBe(3);
    expect(await metricValue(ctx.registry, 'seismo_ingest_breaker_state', { source: 'src' })).toBe(2);
    expect(await metricValue(ctx.registry, 'seismo_ingest_skipped_ticks_total', { source: 'src', reason: 'breaker_open' })).toBeGreaterThan(0);
  });

  it('half-opens after the cool-down and closes on a successful trial', async () => {
    const { c, ctx, out } = make(5, 1, 40);
    c.fail = true;
    await c.start();
    await wait(20);
    expect(await metricValue(ctx.registry, 'seismo_ingest_breaker_state', { source: 'src' })).toBe(2);
    c.fail = false;
    await wait(100);
    await c.stop();
    expect(out.samples.length).toBeGreaterThan(0);
    expect(await metricValue(ctx.registry, 'seismo_ingest_breaker_state', { source: 'src' })).toBe(0);
  });

  it('stop() waits for the run in flight, which sees stopping', async () => {
    const { c, out } = make(5);
    c.durationMs = 60;
    await c.start();
    await wait(20);
    expect(c.runs).toBe(1);
    await c.stop();
    expect(c.finished).toBe(1);
    expect(c.sawStopping).toBe(true);
    expect(out.samples).toHaveLength(1);
    const n = c.runs;
    await wait(30);
    expect(c.runs).toBe(n);
  });

  it('stop before start and stop twice are safe; standard metrics exist', async () => {
    const { c, ctx } = make(1000);
    await c.stop();
    await c.stop();
    const text = await ctx.registry.metrics();
    for (const m of ['seismo_ingest_received_total', 'seismo_ingest_sent_total', 'seismo_ingest_dropped_total', 'seismo_ingest_errors_total', 'seismo_ingest_buffer_depth']) {
      expect(text).toContain(m);
    }
  });

  it('runOnce() rethrows the error to its caller', async () => {
    const { c } = make(1000);
    c.fail = true;
    await expect(c.runOnce()).rejects.toThrow('source down');
  });
});

describe('checkpoint stores', () => {
  it('memory store round-trips JSON values', async () => {
    const s = new MemoryCheckpointStore();
    expect(await s.get('a')).toBeUndefined();
    await s.set('a', 5);
    await s.set('b', { end: 1, values: [1, 2] });
    expect(await s.get('a')).toBe(5);
    expect(await s.get('b')).toEqual({ end: 1, values: [1, 2] });
  });

  it('file store survives a reopen and leaves no temporary files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seismo-cp-'));
    try {
      const path = join(dir, 'sub', 'cp.json');
      const a = new FileCheckpointStore(path);
      await Promise.all(Array.from({ length: 20 }, (_, i) => a.set(`k${i % 3}`, i)));
      await a.close();
      const b = new FileCheckpointStore(path);
      expect(await b.get('k0')).toBe(18);
      expect(await b.get('k1')).toBe(19);
      expect(await b.get('k2')).toBe(17);
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ k0: 18, k1: 19, k2: 17 });
      expect(await readdir(join(dir, 'sub'))).toEqual(['cp.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('file store reports a corrupt file instead of starting over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seismo-cp-'));
    try {
      const path = join(dir, 'cp.json');
      await (await import('node:fs/promises')).writeFile(path, '{not json');
      await expect(new FileCheckpointStore(path).get('x')).rejects.toThrow(/checkpoint file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
