import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNabCsv, parseNabTimestamp } from '../../../ingest/file/csv.js';
import { createCollector, MemoryCheckpointStore } from '../../../ingest/index.js';
import { SourceIO } from '../../../ingest/collector.js';
import { makeSample } from '../../../ingest/sample.js';
import { sampleCodec } from '../../../pipeline/kafka/codec.js';
import { CaptureDlq, CaptureEmitter, metricValue, testContext } from './helpers.js';

describe('NAB CSV parsing', () => {
  it('parses NAB timestamps as UTC', () => {
    expect(parseNabTimestamp('2014-02-14 14:27:00')).toBe(Date.UTC(2014, 1, 14, 14, 27, 0));
    expect(parseNabTimestamp('2014-02-14T14:27:05Z')).toBe(Date.UTC(2014, 1, 14, 14, 27, 5));
    expect(parseNabTimestamp('2014-02-30 00:00:00')).toBeNaN();
    expect(parseNabTimestamp('14/02/2014 14:27')).toBeNaN();
    expect(parseNabTimestamp('2014-02-14 25:00:00')).toBeNaN();
  });

  it('returns rows and bad rows with reasons and line numbers', () => {
    const { rows, problems } = parseNabCsv('timestamp,value\n2014-02-14 14:27:00,1.5\nnot-a-date,2\n2014-02-14 14:32:00,abc\n\n2014-02-14 14:37:00,-3\n');
    expect(rows).toEqual([
      { line: 2, ts: Date.UTC(2014, 1, 14, 14, 27), value: 1.5 },
      { line: 6, ts: Date.UTC(2014, 1, 14, 14, 37), value: -3 },
    ]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'bad timestamp "not-a-date"'],
      [4, 'bad value "abc"'],
    ]);
  });

  it('accepts the columns in another order and rejects a file without the header', () => {
    expect(parseNabCsv('value,timestamp\n7,2014-02-14 14:27:00\n').rows[0].value).toBe(7);
    expect(parseNabCsv('a,b\n1,2\n').problems[0].reason).toMatch(/header/);
  });
});

describe('file collector', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seismo-file-'));
    await mkdir(join(dir, 'realKnownCause'));
    await mkdir(join(dir, 'artificial'));
    const rows = (n: number, start: number): string =>
      Array.from({ length: n }, (_, i) => `${new Date(start + i * 300_000).toISOString().replace('T', ' ').slice(0, 19)},${i}`).join('\n');
    await writeFile(join(dir, 'realKnownCause', 'cpu.csv'), `timestamp,value\n${rows(25, Date.UTC(2014, 1, 14))}\n`);
    await writeFile(join(dir, 'artificial', 'flat.csv'), `timestamp,value\n${rows(3, Date.UTC(2015, 0, 1))}\nbroken,row\n`);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays a directory with original timestamps, in batches, bad rows to the DLQ, then completes', async () => {
    const out = new CaptureEmitter();
    const dlq = new CaptureDlq();
    const ctx = testContext();
    const c = createCollector({ type: 'file', path: dir, timestamps: 'original', batchSize: 10 } as never, ctx, out, dlq, {
      checkpoints: new MemoryCheckpointStore(),
      now: () => Date.UTC(2015, 0, 2),
    });
    await c.start();
    await c.done;
    const cpu = out.samples.filter((s) => s.series.name === 'realKnownCause/cpu');
    expect(cpu).toHaveLength(25);
    expect(cpu[0]).toMatchObject({ ts: Date.UTC(2014, 1, 14), value: 0, series: { source: 'file', labels: { file: 'realKnownCause/cpu.csv' } } });
    expect(cpu.map((s) => s.value)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(out.samples.filter((s) => s.series.name === 'artificial/flat')).toHaveLength(3);
    expect(out.batches).toBe(3 + 1); // 25 rows in batches of 10, 3 rows in one
    expect(dlq.entries).toHaveLength(1);
    expect(dlq.entries[0]).toMatchObject({ stage: 'ingest.file', reason: 'artificial/flat.csv:5: bad timestamp "broken"' });
    expect(await metricValue(ctx.registry, 'seismo_ingest_dead_letters_total', { source: 'file' })).toBe(1);
    await c.stop();
  });

  it("shifts timestamps so the last row lands at now with timestamps: 'now'", async () => {
    const now = Date.UTC(2026, 5, 1, 12);
    const out = new CaptureEmitter();
    const file = join(dir, 'realKnownCause', 'cpu.csv');
    const c = createCollector({ type: 'file', path: file } as never, testContext(), out, new CaptureDlq(), { checkpoints: new MemoryCheckpointStore(), now: () => now });
    await c.runOnce();
    expect(out.samples).toHaveLength(25);
    expect(out.samples[24].ts).toBe(now);
    expect(out.samples[0].ts).toBe(now - 24 * 300_000);
    expect(out.samples[0].series).toEqual({ source: 'file', name: 'cpu', labels: { file: 'cpu.csv' } });
  });

  it('waits for emit() to be accepted before sending more (backpressure) and stops cleanly', async () => {
    const out = new CaptureEmitter();
    let release!: () => void;
    out.gate = new Promise((r) => (release = r));
    const c = createCollector({ type: 'file', path: join(dir, 'realKnownCause'), batchSize: 5, loop: true } as never, testContext(), out, new CaptureDlq(), {
      checkpoints: new MemoryCheckpointStore(),
    });
    await c.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(out.batches).toBe(0);
    release();
    out.gate = null;
    await new Promise((r) => setTimeout(r, 50));
    expect(out.samples.length).toBeGreaterThan(25); // looping
    await c.stop();
    const after = out.samples.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(out.samples.length).toBe(after);
    // Each pass continues after the previous one: timestamps keep increasing.
    for (let i = 1; i < after; i++) expect(out.samples[i].ts).toBeGreaterThan(out.samples[i - 1].ts);
  });

  it('paces rows at rowsPerSecond', async () => {
    const out = new CaptureEmitter();
    const c = createCollector({ type: 'file', path: join(dir, 'artificial'), rowsPerSecond: 20 } as never, testContext(), out, new CaptureDlq(), {
      checkpoints: new MemoryCheckpointStore(),
    });
    await c.start();
    await new Promise((r) => setTimeout(r, 30));
    expect(out.samples.length).toBeLessThan(3);
    await c.done;
    expect(out.samples).toHaveLength(3);
    await c.stop();
  });
});

describe('file collector with a long file', () => {
  it("keeps rows older than the live age limit when shifting to 'now'", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seismo-long-'));
    try {
      const start = Date.UTC(2014, 0, 1);
      const rows = Array.from({ length: 20_000 }, (_, i) => `${new Date(start + i * 300_000).toISOString().replace('T', ' ').slice(0, 19)},${i % 97}`);
      await writeFile(join(dir, 'long.csv'), `timestamp,value\n${rows.join('\n')}\n`);
      const out = new CaptureEmitter();
      const dlq = new CaptureDlq();
      const now = Date.UTC(2026, 0, 1);
      const c = createCollector({ type: 'file', path: join(dir, 'long.csv') } as never, testContext(), out, dlq, { checkpoints: new MemoryCheckpointStore(), now: () => now });
      await c.runOnce();
      expect(dlq.entries).toEqual([]);
      expect(out.samples).toHaveLength(20_000);
      expect(out.samples[0].ts).toBe(now - 19_999 * 300_000); // about 69 days back
      // Downstream (Kafka decode in the processor) accepts them too, in every encoding.
      for (const enc of ['json', 'series-batch', 'series-binary'] as const) {
        const codec = sampleCodec(enc);
        const decoded = codec.encode(out.samples).map((r) => codec.decode(Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value), now));
        expect(decoded.filter((d) => !d.ok)).toEqual([]);
        expect(decoded.reduce((n, d) => n + (d.ok ? d.items.length : 0), 0)).toBe(20_000);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sample age limit at ingest', () => {
  it('still rejects samples older than 30 days from sources other than file, with a reason', async () => {
    const now = Date.UTC(2026, 0, 1);
    const ctx = testContext();
    // A file collector in the same process relaxes only its own limits.
    createCollector({ type: 'file', path: '/nonexistent.csv' } as never, ctx, new CaptureEmitter(), new CaptureDlq(), { checkpoints: new MemoryCheckpointStore(), now: () => now });
    const out = new CaptureEmitter();
    const dlq = new CaptureDlq();
    const io = new SourceIO('prometheus', 'prom', ctx, out, dlq, () => now);
    const series = { source: 'prometheus', name: 'up', labels: {} };
    const old = makeSample(series, now - 31 * 86_400_000, 1);
    const fresh = makeSample(series, now - 60_000, 1);
    expect(await io.emit('up', [old, fresh])).toBe(1);
    expect(out.samples).toEqual([fresh]);
    expect(dlq.entries).toHaveLength(1);
    expect(dlq.entries[0]).toMatchObject({ stage: 'ingest.prometheus', payload: old, reason: expect.stringMatching(/older than 2592000000 ms/) as unknown });
    expect(await metricValue(ctx.registry, 'seismo_ingest_dead_letters_total', { source: 'prom' })).toBe(1);
  });
});
