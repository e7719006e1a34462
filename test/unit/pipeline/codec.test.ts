import { describe, expect, it } from 'vitest';
import { alertCodec, encodeDeadLetters, featureCodec, sampleCodec } from '../../../pipeline/kafka/codec.js';
import { makeSample, type Sample } from '../../../ingest/sample.js';
import type { Alert, FeatureRecord } from '../../../pipeline/ports.js';

const now = Date.UTC(2026, 0, 1);
const a = { source: 'prometheus', name: 'cpu', labels: { host: 'a', mode: 'idle' } };
const b = { source: 'host', name: 'load1', labels: {} };
const samples = [makeSample(a, now - 3000, 1.5), makeSample(b, now - 3000, 0.2), makeSample(a, now - 2000, 2.5), makeSample(a, now - 1000, -3)];

function decodeAll<T>(codec: { decode(v: Buffer | null, now?: number): { ok: boolean; items?: T[]; reason?: string } }, values: Array<string | Buffer>): T[] {
  return values.flatMap((v) => {
    const d = codec.decode(typeof v === 'string' ? Buffer.from(v) : v, now);
    if (!d.ok) throw new Error(d.reason);
    return d.items ?? [];
  });
}

describe('sample codec', () => {
  for (const enc of ['json', 'series-batch', 'series-binary'] as const) {
    it(`round-trips samples (${enc}), keyed by series id`, () => {
      const codec = sampleCodec(enc, 2);
      const recs = codec.encode(samples);
      for (const r of recs) expect([samples[0].id, samples[1].id]).toContain(r.key);
      const back = decodeAll(codec, recs.map((r) => r.value));
      const byId = (x: { id: string; ts: number }) => `${x.id}@${x.ts}`;
      expect(back.map(byId).sort()).toEqual(samples.map(byId).sort());
      // Order inside a series is kept.
      expect(back.filter((s) => s.id === samples[0].id).map((s) => s.ts)).toEqual([now - 3000, now - 2000, now - 1000]);
      if (enc !== 'json') expect(recs.length).toBe(3); // a: 2 + 1 (maxPointsPerMessage 2), b: 1
      else expect(recs.length).toBe(4);
    });
  }

  it('decodes any encoding whatever the producer chose', () => {
    const batch = sampleCodec('series-batch').encode(samples);
    expect(decodeAll(sampleCodec('json'), batch.map((r) => r.value))).toHaveLength(4);
    const binary = sampleCodec('series-binary').encode(samples);
    expect(decodeAll(sampleCodec('json'), binary.map((r) => r.value))).toHaveLength(4);
  });

  it('rejects truncated or mislabelled binary messages', () => {
    const [rec] = sampleCodec('series-binary').encode([samples[0]]);
    const buf = rec.value as Buffer;
    const cut = sampleCodec('json').decode(buf.subarray(0, buf.length - 3), now);
    expect(cut.ok).toBe(false);
    if (!cut.ok) expect(cut.reason).toMatch(/binary body/);
    const asFeature = featureCodec('json').decode(buf, now);
    expect(asFeature.ok).toBe(false);
    if (!asFeature.ok) expect(asFeature.reason).toMatch(/fields per point/);
  });

  it.each([
    ['not JSON', '{"series":', /not JSON/],
    ['empty', '', /empty/],
    ['NaN value', JSON.stringify({ ...samples[0], value: 'NaN' }), /value is not a number/],
    ['wrong id', JSON.stringify({ ...samples[0], id: 'ffffffffffffffff' }), /id does not match/],
    ['future timestamp', JSON.stringify({ ...samples[0], ts: now + 3_600_000 }), /future/],
    ['bad point in a batch', JSON.stringify({ v: 1, id: samples[0].id, series: a, points: [[now, 1], [now, null]] }), /points\[1\]/],
    ['unknown batch version', JSON.stringify({ v: 9, id: samples[0].id, series: a, points: [[now, 1]] }), /version/],
  ])('rejects %s with a reason', (_name, value, reason) => {
    const d = sampleCodec('series-batch').decode(Buffer.from(value), now);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(reason);
  });
});

describe('sample age on decode', () => {
  // The age limit is the collector's (the file source has none); a stage decoding what a collector
  // admitted checks only what could still be wrong: shape, id, finite numbers, the future limit.
  const day = 86_400_000;
  const file = { source: 'file', name: 'realAdExchange/exchange-2_cpm_results', labels: { file: 'realAdExchange/exchange-2_cpm_results.csv' } };
  const shifted = [makeSample(file, now - 68 * day, 1), makeSample(file, now - 40 * day, 2), makeSample(file, now, 3)];
  const original = [makeSample(file, Date.UTC(2011, 6, 1), 1), makeSample(file, Date.UTC(2011, 8, 7), 2)];
  const live = [makeSample(a, now - 400 * day, 4)];

  it.each(['json', 'series-batch', 'series-binary'] as const)('accepts samples older than 30 days (%s)', (enc) => {
    for (const input of [shifted, original, live]) {
      const codec = sampleCodec(enc);
      const back = decodeAll(codec, codec.encode(input).map((r) => r.value));
      expect(back).toEqual(input);
    }
  });

  it.each(['json', 'series-batch', 'series-binary'] as const)('still dead-letters a malformed sample of an old series with a reason (%s)', (enc) => {
    const codec = sampleCodec(enc);
    // The bad sample follows a 68-day-old one of the same series (same message when batched).
    const reasonOf = (bad: Sample): string => {
      const recs = codec.encode([shifted[0], bad]);
      const v = recs[recs.length - 1].value;
      const d = codec.decode(typeof v === 'string' ? Buffer.from(v) : v, now);
      return d.ok ? 'accepted' : d.reason;
    };
    const at = enc === 'json' ? '' : 'points\\[1\\]: ';
    expect(reasonOf({ ...shifted[1], value: Number.NaN })).toMatch(new RegExp(`^${at}value is not (finite|a number)`));
    expect(reasonOf({ ...shifted[1], ts: now + day })).toMatch(new RegExp(`^${at}timestamp .* in the future`));
    expect(reasonOf({ ...shifted[1], id: 'ffffffffffffffff' })).toMatch(/id does not match/);
  });
});

describe('feature and alert codecs', () => {
  const f: FeatureRecord = { id: samples[0].id, series: a, ts: now, value: 2, count: 3, mean: 1.5, std: 0.5, min: 1, max: 2, ewma: 1.7 };
  it.each(['json', 'series-batch', 'series-binary'] as const)('round-trips feature records (%s)', (enc) => {
    const codec = featureCodec(enc);
    const back = decodeAll(codec, codec.encode([f, { ...f, ts: now + 1000 }]).map((r) => r.value));
    expect(back).toEqual([f, { ...f, ts: now + 1000 }]);
  });

  it('rejects a feature with a non-finite field', () => {
    const d = featureCodec('json').decode(Buffer.from(JSON.stringify({ ...f, std: null })));
    expect(d.ok).toBe(false);
  });

  it.each(['series-batch', 'series-binary'] as const)('rejects a batched feature with a non-finite field, naming the point and field (%s)', (enc) => {
    const codec = featureCodec(enc);
    const [rec] = codec.encode([f, { ...f, ts: now + 1000, ewma: Number.NaN }]);
    const value = typeof rec.value === 'string' ? Buffer.from(rec.value) : rec.value;
    const d = codec.decode(value);
    expect(d.ok).toBe(false);
    // JSON has no NaN (it becomes null), so both encodings report the same point and field.
    if (!d.ok) expect(d.reason).toBe('points[1]: ewma is not a finite number');
  });
});

describe('binary sample batches', () => {
  it('check every point for value and time, naming the point', () => {
    const codec = sampleCodec('series-binary');
    const [nan] = codec.encode([samples[0], { ...samples[0], ts: now - 500, value: Number.POSITIVE_INFINITY }]);
    const d = codec.decode(nan.value as Buffer, now);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(/^points\[1\]: value is not finite/);
    const [future] = codec.encode([samples[0], { ...samples[0], ts: now + 3_600_000 }]);
    const f = codec.decode(future.value as Buffer, now);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.reason).toMatch(/^points\[1\]: timestamp .* in the future/);
  });

  it('round-trips alerts and rejects an unknown state', () => {
    const alert: Alert = { id: 'x:firing:1', dedupKey: 'x:1', series: { ...a, id: 'x' }, ts: now, value: 9, expected: { lo: 1, hi: 2 }, score: 0.99, detector: 'forecast', severity: 'critical', state: 'firing', explanation: 'e' };
    const [rec] = alertCodec().encode([alert]);
    expect(rec.key).toBe('x');
    expect(decodeAll<Alert>(alertCodec(), [rec.value])).toEqual([alert]);
    expect(alertCodec().decode(Buffer.from(JSON.stringify({ ...alert, state: 'open' }))).ok).toBe(false);
  });

  it('truncates huge dead-letter payloads and keys them by stage', () => {
    const [r] = encodeDeadLetters([{ stage: 'features', reason: 'bad', payload: 'x'.repeat(100), ts: now }], 10);
    expect(r.key).toBe('features');
    const parsed = JSON.parse(String(r.value)) as { payload: string; reason: string };
    expect(parsed.reason).toBe('bad');
    expect(parsed.payload.startsWith('xxxxxxxxxx…')).toBe(true);
  });
});
