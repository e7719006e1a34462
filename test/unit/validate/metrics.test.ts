import { describe, expect, it } from 'vitest';
import { countEvents, eventMetrics, forecastMetrics, forecastSums, addForecastSums, median } from '../../../detect/evaluate/metrics.js';

describe('event metrics', () => {
  const ts = Array.from({ length: 20 }, (_, i) => i);
  const windows = [
    { start: 3, end: 5 },
    { start: 10, end: 12 },
    { start: 15, end: 16 },
  ];
  it('an alert opening inside a window detects it; outside every window it is a false alert', () => {
    const alert = new Uint8Array(20);
    alert[4] = 1; // detects window 1
    alert[5] = 1; // second alert in the same window: not a false alert, not a second detection
    alert[8] = 1; // false alert
    alert[12] = 1; // detects window 2 (inclusive end)
    const c = countEvents(ts, alert, windows);
    expect(c).toEqual({ windows: 3, detected: 2, falseAlerts: 1, alerts: 4 });
    const m = eventMetrics(c);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
  });
  it('no alerts: precision 1 by convention, recall 0, F1 0', () => {
    const m = eventMetrics(countEvents(ts, new Uint8Array(20), windows));
    expect(m).toEqual({ precision: 1, recall: 0, f1: 0 });
  });
});

describe('forecast metrics', () => {
  it('MAPE skips zero values, sMAPE and MASE use the same rows, warm-up rows are ignored', () => {
    const values = [10, 10, 0, 20, 25];
    const forecast = [Number.NaN, 12, 1, 15, 25];
    const s = forecastSums(values, forecast);
    // rows 1..4: errors 2, 1, 5, 0; naive errors |10-10|=0, |0-10|=10, |20-0|=20, |25-20|=5
    expect(s.rows).toBe(4);
    const m = forecastMetrics(s);
    expect(m.mape).toBeCloseTo((100 * (2 / 10 + 5 / 20 + 0)) / 3, 10);
    expect(m.smape).toBeCloseTo((100 * ((2 * 2) / 22 + (2 * 1) / 1 + (2 * 5) / 35 + 0)) / 4, 10);
    expect(m.mase).toBeCloseTo((2 + 1 + 5 + 0) / (0 + 10 + 20 + 5), 10);
  });
  it('a perfect forecast has MASE 0; the naive forecast has MASE 1', () => {
    const values = [1, 3, 2, 5, 4, 6];
    const perfect = [Number.NaN, 3, 2, 5, 4, 6];
    const naive = [Number.NaN, 1, 3, 2, 5, 4];
    expect(forecastMetrics(forecastSums(values, perfect)).mase).toBe(0);
    expect(forecastMetrics(forecastSums(values, naive)).mase).toBeCloseTo(1, 12);
  });
  it('leaves out rows the model was not given; the naive forecast is the last row it was given', () => {
    // Row 2 repeats row 1's timestamp (skipped, its forecast repeated from row 1).
    const values = [10, 12, 99, 15];
    const forecast = [Number.NaN, 11, 11, 13];
    const s = forecastSums(values, forecast, Uint8Array.from([0, 0, 1, 0]));
    expect(s.rows).toBe(2);
    expect(s.absErr).toBe(1 + 2);
    expect(s.absNaiveErr).toBe(2 + 3); // |12 - 10| + |15 - 12|, not |15 - 99|
    expect(forecastSums([10, 12, 15], [Number.NaN, 11, 13])).toEqual(s);
  });
  it('pooling adds the sums; median ignores missing values', () => {
    const a = forecastSums([1, 2, 3], [Number.NaN, 2, 2]);
    const b = forecastSums([1, 2, 3], [Number.NaN, 1, 3]);
    const p = addForecastSums(a, b);
    expect(p.rows).toBe(4);
    expect(forecastMetrics(p).mase).toBeCloseTo(2 / 4, 12);
    expect(median([3, null, 1, 2])).toBe(2);
    expect(median([null])).toBeNull();
  });
});
