import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { e2eLatency } from '../../../pipeline/telemetry.js';

describe('e2e latency histogram', () => {
  it('exposes per-stage cumulative buckets, +Inf, sum and count in the Prometheus text', async () => {
    const registry = new Registry();
    const detect = e2eLatency(registry, 'detect');
    const features = e2eLatency(registry, 'features');
    for (const s of [0.005, 0.02, 0.3, 0.3, 7, 120]) detect.observe(s);
    features.observe(0.01);
    detect.observe(Number.NaN);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE seismo_e2e_latency_seconds histogram');
    const line = (labels: string) => {
      const m = new RegExp(`^seismo_e2e_latency_seconds_${labels} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    expect(line('bucket\\{le="0.01",stage="detect"\\}')).toBe(1);
    expect(line('bucket\\{le="0.025",stage="detect"\\}')).toBe(2);
    expect(line('bucket\\{le="0.5",stage="detect"\\}')).toBe(4);
    expect(line('bucket\\{le="10",stage="detect"\\}')).toBe(5);
    expect(line('bucket\\{le="60",stage="detect"\\}')).toBe(5);
    expect(line('bucket\\{le="\\+Inf",stage="detect"\\}')).toBe(6);
    expect(line('count\\{stage="detect"\\}')).toBe(6);
    expect(line('sum\\{stage="detect"\\}')).toBeCloseTo(127.625, 9);
    // A boundary value falls in its own bucket (le is inclusive).
    expect(line('bucket\\{le="0.01",stage="features"\\}')).toBe(1);
    expect(line('count\\{stage="features"\\}')).toBe(1);
  });

  it('is one metric per registry, shared by the stages, and can be reset', async () => {
    const registry = new Registry();
    e2eLatency(registry, 'detect').observe(1);
    e2eLatency(registry, 'detect').observe(2);
    expect(await registry.metrics()).toMatch(/^seismo_e2e_latency_seconds_count\{stage="detect"\} 2$/m);
    registry.resetMetrics();
    expect(await registry.metrics()).toMatch(/^seismo_e2e_latency_seconds_count\{stage="detect"\} 0$/m);
  });
});
