import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { influxdbSchema } from '../../../sinks/influxdb/config.js';
import { BatchingInfluxWriter, type Rejection } from '../../../sinks/influxdb/writer.js';
import { LineBuffer } from '../../../sinks/influxdb/buffer.js';
import { RejectedPointsError, type InfluxTransport } from '../../../sinks/influxdb/transport.js';
import type { InfluxPoint } from '../../../sinks/influxdb/line-protocol.js';
import { SeismoError } from '../../../pipeline/errors.js';

/** A transport the test drives: records batches, and can hold them or fail them on demand. */
class ScriptedTransport implements InfluxTransport {
  batches: string[][] = [];
  attempts = 0;
  closed = false;
  /** Errors to throw on the next attempts, in order. */
  failures: Error[] = [];
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }
  release(): void {
    this.gate = null;
    this.openGate();
  }
  async send(lines: string[]): Promise<void> {
    this.attempts++;
    if (this.gate) await this.gate;
    const f = this.failures.shift();
    if (f) throw f;
    this.batches.push([...lines]);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  get lines(): string[] {
    return this.batches.flat();
  }
}

function setup(overrides: Record<string, unknown> = {}, onRejected?: (r: Rejection) => Promise<void>) {
  const cfg = influxdbSchema.parse({ url: 'http://127.0.0.1:1', batchSize: 3, flushIntervalMs: 60_000, retry: { attempts: 3, baseMs: 1, maxMs: 5 }, ...overrides });
  const registry = new Registry();
  const ctx = { logger: pino({ level: 'silent' }), registry, signal: new AbortController().signal };
  const transport = new ScriptedTransport();
  const writer = new BatchingInfluxWriter(cfg, ctx, transport, undefined, onRejected ? { onRejected } : {});
  return { writer, transport, registry };
}

const pt = (i: number): InfluxPoint => ({ measurement: 'm', tags: { s: 'a' }, fields: { v: i }, ts: 1000 + i });
const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

describe('LineBuffer', () => {
  it('cuts batches by points and by bytes, in order', () => {
    const b = new LineBuffer({ maxPoints: 100, maxBytes: 10_000, batchSize: 3, maxBatchBytes: 12 });
    for (const l of ['aaaa', 'bbbb', 'cccc', 'dd']) b.push(l);
    const first = b.take()!;
    expect(first.lines).toEqual(['aaaa', 'bbbb']); // 5 + 5 bytes; a third would pass 12
    expect([first.fromSeq, first.toSeq]).toEqual([1, 2]);
    const second = b.take()!;
    expect(second.lines).toEqual(['cccc', 'dd']);
    expect(() => b.settle(second)).toThrow(/in order/);
    b.settle(first);
    b.settle(second);
    expect(b.settledUpTo).toBe(4);
    expect(b.depth).toBe(0);
  });

  it('has room until points or bytes (queued plus in flight) reach their bounds; an empty buffer takes anything', () => {
    const b = new LineBuffer({ maxPoints: 2, maxBytes: 20, batchSize: 10, maxBatchBytes: 100 });
    expect(b.hasRoom(1000)).toBe(true);
    b.push('x'.repeat(9));
    expect(b.hasRoom(10)).toBe(true);
    expect(b.hasRoom(11)).toBe(false);
    b.push('y');
    expect(b.hasRoom(1)).toBe(false);
    const batch = b.take()!;
    expect(b.hasRoom(1)).toBe(false); // in flight still counts
    b.settle(batch);
    expect(b.hasRoom(1)).toBe(true);
  });
});

describe('BatchingInfluxWriter (no server)', () => {
  it('sends a batch as soon as batchSize points are queued, the rest on flush()', async () => {
    const { writer, transport } = setup();
    await writer.start();
    await writer.write([pt(1), pt(2), pt(3), pt(4)]);
    await tick();
    expect(transport.batches.map((b) => b.length)).toEqual([3]);
    await writer.flush();
    expect(transport.batches.map((b) => b.length)).toEqual([3, 1]);
    expect(transport.lines).toEqual([1, 2, 3, 4].map((i) => `m,s=a v=${i} ${1000 + i}`));
    await writer.stop();
  });

  it('flushes on its timer', async () => {
    const { writer, transport } = setup({ flushIntervalMs: 20 });
    await writer.start();
    await writer.write([pt(1)]);
    expect(transport.batches).toHaveLength(0);
    for (let i = 0; i < 50 && transport.batches.length === 0; i++) await tick();
    expect(transport.lines).toEqual(['m,s=a v=1 1001']);
    await writer.stop();
  });

  it('flush() resolves only once what was written before it is sent', async () => {
    const { writer, transport } = setup();
    await writer.start();
    transport.hold();
    await writer.write([pt(1)]);
    let flushed = false;
    const f = writer.flush().then(() => (flushed = true));
    await tick(30);
    expect(flushed).toBe(false);
    transport.release();
    await f;
    expect(flushed).toBe(true);
    expect(transport.lines).toHaveLength(1);
    await writer.stop();
  });

  it('write() waits while the buffer is full (backpressure) and goes on when a batch is written', async () => {
    const { writer, transport, registry } = setup({ maxBufferPoints: 4, batchSize: 2 });
    await writer.start();
    transport.hold();
    let done = false;
    const w = writer.write([1, 2, 3, 4, 5, 6].map(pt)).then(() => (done = true));
    await tick(30);
    expect(done).toBe(false);
    const depth = await registry.getSingleMetric('seismo_influxdb_buffer_depth')!.get();
    expect(depth.values[0].value).toBe(4);
    transport.release();
    await w;
    expect(done).toBe(true);
    await writer.flush();
    expect(transport.lines).toHaveLength(6);
    expect(await registry.metrics()).toMatch(/seismo_influxdb_backpressure_waits_total [1-9]/);
    await writer.stop();
  });

  it('retries retriable errors and succeeds', async () => {
    const { writer, transport, registry } = setup();
    await writer.start();
    transport.failures = [new SeismoError('HTTP 503', { retriable: true, retryAfterMs: 1 }), new SeismoError('reset', { retriable: true })];
    await writer.write([pt(1)]);
    await writer.flush();
    expect(transport.attempts).toBe(3);
    expect(transport.lines).toEqual(['m,s=a v=1 1001']);
    expect(await registry.metrics()).toMatch(/seismo_influxdb_errors_total\{type="retry"\} 2/);
    expect(writer.healthy).toBe(true);
    await writer.stop();
  });

  it('gives up after the configured attempts: flush() rejects, the next write() rejects once, then it recovers', async () => {
    const { writer, transport, registry } = setup();
    await writer.start();
    const down = () => new SeismoError('influxdb write: HTTP 503', { retriable: true, retryAfterMs: 1 });
    transport.failures = [down(), down(), down()];
    await writer.write([pt(1)]);
    await expect(writer.flush()).rejects.toThrow(/HTTP 503/);
    expect(transport.attempts).toBe(3);
    expect(writer.healthy).toBe(false);
    // reported once: the next flush has nothing new to report
    await writer.flush();

    transport.failures = [down(), down(), down()];
    await writer.write([pt(2)]);
    const flushing = writer.flush();
    await expect(flushing).rejects.toThrow(/HTTP 503/);
    await writer.write([pt(3)]);
    await writer.flush();
    expect(transport.lines).toEqual(['m,s=a v=3 1003']);
    expect(writer.healthy).toBe(true);
    expect(await registry.metrics()).toMatch(/seismo_influxdb_dropped_total 2/);
    await writer.stop();
  });

  it('a failure in a background flush makes the next write() reject', async () => {
    const { writer, transport } = setup({ batchSize: 1 });
    await writer.start();
    transport.failures = [new SeismoError('HTTP 400: bad line', { retriable: false })];
    await writer.write([pt(1)]);
    for (let i = 0; i < 50 && transport.attempts === 0; i++) await tick();
    await tick();
    expect(transport.attempts).toBe(1); // not retriable: one attempt only
    await expect(writer.write([pt(2)])).rejects.toThrow(/bad line/);
    await writer.write([pt(2)]);
    await writer.flush();
    expect(transport.lines).toEqual(['m,s=a v=2 1002']);
    await writer.stop();
  });

  it('drops and counts points that cannot be written', async () => {
    const { writer, transport, registry } = setup();
    await writer.start();
    await writer.write([{ measurement: 'm', tags: {}, fields: { v: Number.NaN }, ts: 1 }, pt(1)]);
    await writer.flush();
    expect(transport.lines).toEqual(['m,s=a v=1 1001']);
    const text = await registry.metrics();
    expect(text).toMatch(/seismo_influxdb_dropped_total 1/);
    expect(text).toMatch(/seismo_influxdb_errors_total\{type="invalid_point"\} 1/);
    expect(text).toMatch(/seismo_influxdb_received_total 1/);
    expect(text).toMatch(/seismo_influxdb_sent_total 1/);
    await writer.stop();
  });

  it('stop() flushes and closes; safe before start and twice; write after stop rejects', async () => {
    const idle = setup();
    await idle.writer.stop();
    await idle.writer.stop();
    expect(idle.transport.closed).toBe(false);

    const { writer, transport } = setup();
    await expect(writer.write([pt(1)])).rejects.toThrow(/not started/);
    await writer.start();
    await writer.write([pt(1)]);
    await writer.stop();
    await writer.stop();
    expect(transport.lines).toEqual(['m,s=a v=1 1001']);
    expect(transport.closed).toBe(true);
    expect(writer.healthy).toBe(false);
    await expect(writer.write([pt(2)])).rejects.toThrow(/stopped/);
  });

  it('stop() rejects when the final flush gives up', async () => {
    const { writer, transport } = setup();
    await writer.start();
    transport.failures = [new SeismoError('HTTP 401', { retriable: false })];
    await writer.write([pt(1)]);
    await expect(writer.stop()).rejects.toThrow(/HTTP 401/);
    expect(transport.closed).toBe(true);
  });

  it('with maxInFlightBatches > 1 sends batches side by side but settles them in order', async () => {
    const cfg = influxdbSchema.parse({ url: 'http://127.0.0.1:1', batchSize: 1, maxInFlightBatches: 2, flushIntervalMs: 60_000, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    const pending: Array<{ lines: string[]; resolve: () => void }> = [];
    const transport: InfluxTransport = {
      send: (lines) => new Promise<void>((resolve) => pending.push({ lines, resolve })),
      close: async () => undefined,
    };
    const writer = new BatchingInfluxWriter(cfg, { logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal }, transport);
    await writer.start();
    await writer.write([pt(1), pt(2), pt(3)]);
    await tick();
    expect(pending.map((p) => p.lines[0])).toEqual(['m,s=a v=1 1001', 'm,s=a v=2 1002']); // two in flight, the third waits
    let flushed = false;
    const f = writer.flush().then(() => (flushed = true));
    pending[1].resolve(); // the second finishes first: the flush still waits for the first
    await tick();
    expect(flushed).toBe(false);
    expect(pending).toHaveLength(3); // its slot was reused for the third batch
    pending[0].resolve();
    pending[2].resolve();
    await f;
    expect(flushed).toBe(true);
    await writer.stop();
  });

  it('points InfluxDB refuses for good are counted and handed on, not retried, and do not block', async () => {
    const seen: Rejection[] = [];
    const { writer, transport, registry } = setup({}, async (r) => {
      seen.push(r);
    });
    await writer.start();
    transport.failures = [new RejectedPointsError('influxdb write: HTTP 400: partial write: field type conflict dropped=1', 1)];
    await writer.write([pt(1), pt(2)]);
    await writer.flush();
    expect(transport.attempts).toBe(1);
    expect(seen).toEqual([{ lines: ['m,s=a v=1 1001', 'm,s=a v=2 1002'], reason: expect.stringMatching(/field type conflict/), dropped: 1 }]);
    const text = await registry.metrics();
    expect(text).toMatch(/seismo_influxdb_dropped_total 1/);
    expect(text).toMatch(/seismo_influxdb_sent_total 1/);
    expect(text).toMatch(/seismo_influxdb_errors_total\{type="rejected_points"\} 1/);
    expect(writer.healthy).toBe(true);
    await writer.write([pt(3)]);
    await writer.flush();
    await writer.stop();
  });

  it('when handing refused points on fails, the error goes to the caller', async () => {
    const { writer, transport } = setup({}, async () => {
      throw new Error('dlq down');
    });
    await writer.start();
    transport.failures = [new RejectedPointsError('influxdb write: HTTP 400: unable to parse', undefined)];
    await writer.write([pt(1)]);
    await expect(writer.flush()).rejects.toThrow(/unable to parse/);
    await writer.stop();
  });

  it('scopes: a failed batch is reported to every producer whose points were in it, and only to them', async () => {
    const { writer, transport } = setup({ batchSize: 100 });
    await writer.start();
    const features = writer.scope();
    const scores = writer.scope();
    const alerts = writer.scope();
    await alerts.write([pt(0)]);
    await alerts.flush();
    const down = () => new SeismoError('influxdb write: HTTP 503', { retriable: true, retryAfterMs: 1 });
    transport.failures = [down(), down(), down()];
    await features.write([pt(1)]);
    await scores.write([pt(2)]);
    // one batch holds both producers' points; it fails; each producer hears about it
    await expect(features.flush()).rejects.toThrow(/HTTP 503/);
    await expect(scores.flush()).rejects.toThrow(/HTTP 503/);
    await alerts.flush(); // wrote nothing since: nothing to report
    // and after a failure, a producer's next points are judged on their own
    await scores.write([pt(3)]);
    await scores.flush();
    expect(transport.lines).toEqual(['m,s=a v=0 1000', 'm,s=a v=3 1003']);
    await writer.stop();
  });

  it("scopes: one partition's flush neither takes over nor hides the lines of another", async () => {
    const { writer, transport } = setup({ batchSize: 1 });
    await writer.start();
    const stage = writer.scope();
    transport.hold();
    await stage.write([pt(1)], 0);
    await stage.write([pt(2)], 1);
    // Partition 0 flushes first; partition 1's line is still its own to wait for and to report.
    const first = stage.flush(0);
    const down = () => new SeismoError('influxdb write: HTTP 503', { retriable: false });
    transport.failures = [undefined as unknown as Error, down()];
    transport.release();
    await first;
    await expect(stage.flush(1)).rejects.toThrow(/HTTP 503/);
    expect(transport.lines).toEqual(['m,s=a v=1 1001']);
    await stage.flush(1); // reported once; nothing written under partition 1 since
    await writer.stop();
  });
});
