import { describe, expect, it } from 'vitest';
import { alertFromRow, alertPoint, featurePoint, scorePoint, seriesTags } from '../../../sinks/influxdb/points.js';
import { toLine } from '../../../sinks/influxdb/line-protocol.js';
import { seriesId, type SeriesRef } from '../../../ingest/sample.js';
import type { Alert } from '../../../pipeline/ports.js';

const series: SeriesRef = { source: 'prometheus', name: 'node_load1', labels: { instance: 'a:9100', job: 'node' } };
const id = seriesId(series);

describe('point builders', () => {
  it('tags a series with its id, source, metric and prefixed labels', () => {
    expect(seriesTags(id, series)).toEqual({ series_id: id, source: 'prometheus', metric: 'node_load1', l_instance: 'a:9100', l_job: 'node' });
  });

  it('bounds label tags by count (in label-name order) and value length', () => {
    const many: SeriesRef = { source: 's', name: 'n', labels: { c: '3', a: 'x'.repeat(50), b: '2' } };
    expect(seriesTags('i', many, { maxLabelTags: 2, maxTagValueLength: 16 })).toEqual({ series_id: 'i', source: 's', metric: 'n', l_a: 'x'.repeat(16), l_b: '2' });
  });

  it('a label named like a seismo tag cannot clash with it', () => {
    const clash: SeriesRef = { source: 's', name: 'n', labels: { source: 'evil', series_id: 'x' } };
    const tags = seriesTags('real', clash);
    expect(tags.source).toBe('s');
    expect(tags.series_id).toBe('real');
    expect(tags.l_source).toBe('evil');
  });

  it('featurePoint writes the rolling features', () => {
    const p = featurePoint({ id, series, ts: 1000, value: 1, count: 10, mean: 2, std: 0.5, min: 0, max: 3, ewma: 1.9 });
    expect(p.measurement).toBe('seismo_features');
    expect(p.fields).toEqual({ value: 1, count: 10, mean: 2, std: 0.5, min: 0, max: 3, ewma: 1.9 });
    expect(p.ts).toBe(1000);
  });

  it('scorePoint leaves the band out during warm-up and writes detector sub-scores', () => {
    const cold = scorePoint(id, series, 1, 5, { score: 0, forecast: null, lo: null, hi: null, detectors: {}, warm: false });
    expect(cold.fields).toEqual({ value: 5, score: 0, warm: false });
    const warm = scorePoint(id, series, 2, 5, { score: 0.9, forecast: 4, lo: 3, hi: 4.5, detectors: { mad: 0.95, cusum: 0.2 }, warm: true });
    expect(warm.measurement).toBe('seismo_scores');
    expect(warm.fields).toEqual({ value: 5, score: 0.9, warm: true, forecast: 4, lo: 3, hi: 4.5, d_mad: 0.95, d_cusum: 0.2 });
  });

  it('alertPoint and alertFromRow round-trip an alert', () => {
    const a: Alert = {
      id: `${id}:firing:1000`, dedupKey: `${id}:1`, series: { ...series, id }, ts: 1000, value: 9,
      expected: { lo: 1, hi: 2 }, score: 0.99, detector: 'mad', severity: 'critical', state: 'firing',
      explanation: 'value 9, "far" above 1..2\nsecond line',
    };
    const p = alertPoint(a);
    expect(p.measurement).toBe('seismo_alerts');
    expect(p.tags).toMatchObject({ severity: 'critical', state: 'firing', series_id: id });
    expect(toLine(p)).toContain('explanation="value 9, \\"far\\" above 1..2\nsecond line"');
    // a row as InfluxQL returns it: tags and fields as columns, time in ms
    const row = { time: p.ts, ...p.tags, ...p.fields };
    expect(alertFromRow(row)).toEqual(a);
  });

  it('alertFromRow keeps null bands and rejects rows that are not alerts', () => {
    const a: Alert = {
      id: 'x', dedupKey: 'd', series: { ...series, id }, ts: 5, value: 1, expected: { lo: null, hi: null }, score: 0.5,
      detector: 'cusum', severity: 'info', state: 'resolved', explanation: '',
    };
    const p = alertPoint(a);
    expect(alertFromRow({ time: 5, ...p.tags, ...p.fields })).toEqual(a);
    expect(alertFromRow({ time: 5, series_id: 'x', state: 'weird' })).toBeNull();
    expect(alertFromRow({ series_id: 'x', state: 'firing' })).toBeNull();
  });
});
