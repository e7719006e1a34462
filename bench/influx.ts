/**
 * Throughput of the InfluxDB writer against a real InfluxDB: writes feature points for many series
 * through `createInfluxWriter` (v2 and v1 write modes), waits for the final flush, and prints
 * points/s. Each run uses a database of its own, dropped afterwards.
 *
 *   npm run -s build && node dist/bench/influx.js [--url http://127.0.0.1:8086] [--points 200000] [--series 1000] [--batch 5000] [--inflight 1,4]
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { influxdbSchema } from '../sinks/influxdb/config.js';
import { createInfluxWriter } from '../sinks/influxdb/writer.js';
import { featurePoint, type InfluxPoint } from '../sinks/influxdb/points.js';
import { dropDatabase, queryInflux } from '../sinks/influxdb/query.js';
import { seriesId, type SeriesRef } from '../ingest/sample.js';
import { arg } from './args.js';

const url = arg('url', 'http://127.0.0.1:8086');
const totalPoints = Number(arg('points', '200000'));
const seriesCount = Number(arg('series', '1000'));
const batchSize = Number(arg('batch', '5000'));
const inFlight = arg('inflight', '1,4')
  .split(',')
  .map(Number);
const chunk = 1000;

const series: Array<{ id: string; ref: SeriesRef }> = Array.from({ length: seriesCount }, (_, i) => {
  const ref: SeriesRef = { source: 'bench', name: `metric_${i % 20}`, labels: { host: `host-${i}`, region: `r${i % 4}` } };
  return { id: seriesId(ref), ref };
});

async function run(writeMode: 'v2' | 'v1', maxInFlightBatches: number): Promise<void> {
  const cfg = influxdbSchema.parse({ url, writeMode, database: `seismo_bench_${randomBytes(4).toString('hex')}`, batchSize, maxInFlightBatches, flushIntervalMs: 1000 });
  const ctx = { logger: pino({ level: 'warn' }), registry: new Registry(), signal: new AbortController().signal };
  const writer = createInfluxWriter(cfg, ctx);
  await writer.start();
  const t0 = Date.UTC(2026, 0, 1);
  const started = performance.now();
  try {
    for (let n = 0; n < totalPoints; n += chunk) {
      const points: InfluxPoint[] = [];
      for (let k = n; k < Math.min(totalPoints, n + chunk); k++) {
        const s = series[k % seriesCount];
        const ts = t0 + Math.floor(k / seriesCount) * 1000;
        const v = Math.sin(k / 100) * 10 + 50;
        points.push(featurePoint({ id: s.id, series: s.ref, ts, value: v, count: 60, mean: 50, std: 7.1, min: 40, max: 60, ewma: v * 0.9 }));
      }
      await writer.write(points);
    }
    await writer.flush();
    const secs = (performance.now() - started) / 1000;
    const [row] = await queryInflux(cfg, 'SELECT count("value") FROM seismo_features');
    const writeHist = await ctx.registry.getSingleMetric('seismo_influxdb_write_seconds')?.get();
    const pick = (name: string): number =>
      writeHist?.values.filter((v) => (v as { metricName?: string }).metricName === name).reduce((a, v) => a + v.value, 0) ?? 0;
    const sum = pick('seismo_influxdb_write_seconds_sum');
    const count = pick('seismo_influxdb_write_seconds_count');
    console.log(
      JSON.stringify({
        writeMode,
        points: totalPoints,
        series: seriesCount,
        batchSize,
        maxInFlightBatches,
        seconds: Number(secs.toFixed(2)),
        pointsPerSecond: Math.round(totalPoints / secs),
        stored: row?.count,
        requests: count,
        meanRequestMs: count ? Number(((sum / count) * 1000).toFixed(1)) : null,
      }),
    );
  } finally {
    await writer.stop().catch(() => undefined);
    await dropDatabase(cfg).catch(() => undefined);
  }
}

for (const n of inFlight) for (const mode of ['v2', 'v1'] as const) await run(mode, n);
