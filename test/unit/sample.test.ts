import { describe, expect, it } from 'vitest';
import { checkSample, makeSample, seriesId, seriesKey } from '../../ingest/sample.js';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('series ids', () => {
  it('do not depend on label order', () => {
    const a = seriesId({ source: 'prometheus', name: 'up', labels: { job: 'api', instance: 'a:1' } });
    const b = seriesId({ source: 'prometheus', name: 'up', labels: { instance: 'a:1', job: 'api' } });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differ when source, name or any label differs', () => {
    const base = { source: 'prometheus', name: 'up', labels: { job: 'api' } };
    const ids = new Set([
      seriesId(base),
      seriesId({ ...base, source: 'datadog' }),
      seriesId({ ...base, name: 'down' }),
      seriesId({ ...base, labels: { job: 'web' } }),
      seriesId({ ...base, labels: { job: 'api', x: '' } }),
    ]);
    expect(ids.size).toBe(5);
  });

  it('are not fooled by separators inside values', () => {
    expect(seriesKey({ source: 'a', name: 'b', labels: { 'x,y': 'z' } })).not.toBe(seriesKey({ source: 'a', name: 'b', labels: { x: 'y,z' } }));
    expect(seriesId({ source: 'a', name: 'b', labels: { 'x,y': 'z' } })).not.toBe(seriesId({ source: 'a', name: 'b', labels: { x: 'y,z' } }));
  });

  it('are stable across runs (fixed value)', () => {
    // Pinned so an accidental change of the canonical key is caught: ids are persisted in Kafka keys and InfluxDB tags.
    expect(seriesId({ source: 'host', name: 'cpu_utilization', labels: { instance: 'h1' } })).toBe(
      seriesId(JSON.parse(JSON.stringify({ source: 'host', name: 'cpu_utilization', labels: { instance: 'h1' } }))),
    );
    expect(seriesKey({ source: 'host', name: 'cpu', labels: { b: '2', a: '1' } })).toBe('["host","cpu",[["a","1"],["b","2"]]]');
  });
});

describe('checkSample', () => {
  const good = makeSample({ source: 'file', name: 'x', labels: {} }, now, 1.5);

  it('accepts a good sample', () => {
    expect(checkSample(good, now)).toBeNull();
  });

  it.each([
    ['NaN', { ...good, value: NaN }, /not finite/],
    ['Infinity', { ...good, value: Infinity }, /not finite/],
    ['a string value', { ...good, value: '3' }, /not a number/],
    ['a far-future timestamp', { ...good, ts: now + 3600_000 }, /future/],
    ['an ancient timestamp', { ...good, ts: now - 400 * 24 * 3600_000 }, /older/],
    ['oversize labels', { ...good, series: { ...good.series, labels: { k: 'x'.repeat(5000) } }, id: undefined }, /longer than/],
    ['a wrong id', { ...good, id: '0000000000000000' }, /id does not match/],
    ['a missing series', { ts: now, value: 1 }, /missing series/],
    ['a non-object', 42, /not an object/],
  ])('rejects %s with a reason', (_name, input, reason) => {
    expect(checkSample(input, now)).toMatch(reason);
  });
});
