import { describe, expect, it } from 'vitest';
import { DatadogFormatError, parseTags, parseV1, parseV2, timeChunks } from '../../../ingest/datadog/format.js';
import { datadogSamples } from '../../../ingest/datadog/collector.js';
import { DatadogClient } from '../../../ingest/datadog/client.js';

describe('Datadog response formats', () => {
  it('parses v1 pointlist [ts, value] pairs, null values kept as null', () => {
    const body = {
      status: 'ok',
      series: [
        { metric: 'system.cpu.user', scope: 'host:a,env:prod', tag_set: ['host:a', 'env:prod'], pointlist: [[1_700_000_000_000, 1.5], [1_700_000_010_000, null]] },
        { metric: 'system.cpu.user', scope: 'host:b', tag_set: [], pointlist: [[1_700_000_000_000.0, 2]] },
      ],
    };
    expect(parseV1(body)).toEqual([
      { tags: { host: 'a', env: 'prod' }, points: [{ ts: 1_700_000_000_000, value: 1.5 }, { ts: 1_700_000_010_000, value: null }] },
      { tags: { host: 'b' }, points: [{ ts: 1_700_000_000_000, value: 2 }] },
    ]);
  });

  it('accepts the client models (camelCase tagSet)', () => {
    expect(parseV1({ series: [{ tagSet: ['k:v:w'], pointlist: [[1, 2]] }] })[0].tags).toEqual({ k: 'v:w' });
  });

  it('parses v2 columnar times/values', () => {
    const body = {
      data: {
        type: 'timeseries_response',
        attributes: {
          series: [{ group_tags: ['host:a'], query_index: 0 }, { group_tags: ['host:b'], query_index: 0 }],
          times: [1000, 2000, 3000],
          values: [
            [1, null, 3],
            [10, 20, null],
          ],
        },
      },
    };
    expect(parseV2(body)).toEqual([
      { tags: { host: 'a' }, points: [{ ts: 1000, value: 1 }, { ts: 2000, value: null }, { ts: 3000, value: 3 }] },
      { tags: { host: 'b' }, points: [{ ts: 1000, value: 10 }, { ts: 2000, value: 20 }, { ts: 3000, value: null }] },
    ]);
    expect(parseV2({ data: { attributes: {} } })).toEqual([]);
  });

  it.each([
    ['v1 without series', () => parseV1({ status: 'ok' })],
    ['v1 error status', () => parseV1({ status: 'error', error: 'bad query' })],
    ['v1 point not a pair', () => parseV1({ series: [{ pointlist: [[1]] }] })],
    ['v1 string value', () => parseV1({ series: [{ pointlist: [[1, 'x']] }] })],
    ['v2 without attributes', () => parseV2({})],
    ['v2 values shorter than times', () => parseV2({ data: { attributes: { series: [{}], times: [1, 2], values: [[1]] } } })],
    ['v2 string time', () => parseV2({ data: { attributes: { series: [], times: ['1'], values: [] } } })],
  ])('rejects malformed input: %s', (_name, fn) => {
    expect(fn).toThrow(DatadogFormatError);
  });

  it('parses tags, ignoring * and empty ones', () => {
    expect(parseTags(['*', '', 'solo', 'a:b'])).toEqual({ solo: '', a: 'b' });
  });
});

describe('Datadog time chunks and samples', () => {
  it('covers (after, end] with chunks of at most chunkMs, no overlap', () => {
    expect(timeChunks(0, 25, 10)).toEqual([
      { from: 1, to: 10 },
      { from: 11, to: 20 },
      { from: 21, to: 25 },
    ]);
    expect(timeChunks(10, 10, 5)).toEqual([]);
  });

  it('keeps points of the chunk only, skips and counts nulls, names series after the query', () => {
    const { samples, nulls } = datadogSamples(
      [{ tags: { host: 'a' }, points: [{ ts: 0, value: 1 }, { ts: 10, value: null }, { ts: 20, value: 3 }, { ts: 30, value: 4 }] }],
      'cpu',
      5,
      25,
    );
    expect(nulls).toBe(1);
    expect(samples.map((s) => [s.series.source, s.series.name, s.series.labels.host, s.ts, s.value])).toEqual([['datadog', 'cpu', 'a', 20, 3]]);
  });
});

describe('Datadog client endpoints', () => {
  const base = { type: 'datadog' as const, name: 'dd', apiKey: 'k', appKey: 'a', api: 'auto' as const, queries: [{ query: 'x' }], intervalMs: 60_000, timeoutMs: 1000, backfillMs: 0, lagMs: 0, chunkMs: 1000, minRateLimitRemaining: 1, maxAttempts: 1, jitterRatio: 0, breaker: { failureThreshold: 1, coolDownMs: 1 } };
  it.each([
    ['datadoghq.com', 'https://api.datadoghq.com/api/v2/query/timeseries'],
    ['datadoghq.eu', 'https://api.datadoghq.eu/api/v2/query/timeseries'],
    ['us5.datadoghq.com', 'https://api.us5.datadoghq.com/api/v2/query/timeseries'],
  ])('site %s -> %s', (site, url) => {
    expect(new DatadogClient({ ...base, site }, 'dd', new AbortController().signal, { onThrottle: () => undefined }).apiUrl).toBe(url);
  });
  it('baseUrl replaces the site, plain http allowed', () => {
    expect(new DatadogClient({ ...base, site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:8125/' }, 'dd', new AbortController().signal, { onThrottle: () => undefined }).apiUrl).toBe('http://127.0.0.1:8125/api/v2/query/timeseries');
  });
});
