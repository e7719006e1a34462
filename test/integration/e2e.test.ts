import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { parseConfig } from '../../config/load.js';
import { startService, type RunningService } from '../../pipeline/service.js';
import { HookServer, influxRows, waitFor } from './e2e-helpers.js';
import { influxUrl as INFLUX, kafkaBrokers as KAFKA, prometheusUrl as PROM, redisUrl as REDIS, setExporterGauge } from './stack.js';

const rid = randomBytes(4).toString('hex');
const metric = `seismo_e2e_${rid}`;
const prefix = `e2e-${rid}`;
const db = `e2e_${rid}`;
const topics = { samples: `${prefix}.samples`, features: `${prefix}.features`, alerts: `${prefix}.alerts`, dlq: `${prefix}.dlq`, state: `${prefix}.state` };
const STEADY = 10;
const SPIKE = 80;

const setGauge = (value: number | null): Promise<void> => setExporterGauge(metric, { run: rid }, value);

/** Raw samples Prometheus holds for the gauge (value, timestamp in ms). */
async function promSamples(): Promise<Array<{ ts: number; value: number }>> {
  const res = await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(`${metric}[5m]`)}`);
  const json = (await res.json()) as { data: { result: Array<{ values: Array<[number, string]> }> } };
  return (json.data.result[0]?.values ?? []).map(([t, v]) => ({ ts: Math.round(t * 1000), value: Number(v) }));
}

describe('end to end over the local stack', () => {
  const hook = new HookServer();
  let svc: RunningService | null = null;
  const kafka = new Kafka({ clientId: `e2e-${rid}`, brokers: KAFKA, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();

  beforeAll(async () => {
    await hook.start();
    await admin.connect();
    await setGauge(STEADY);
    const cfg = parseConfig({
      log: { level: 'warn' },
      api: { port: 0 },
      kafka: { brokers: KAFKA, groupPrefix: prefix, topics, partitions: 2, consumer: { maxWaitTimeMs: 50 } },
      influxdb: { url: INFLUX, database: db, bucket: `${db}/autogen`, flushIntervalMs: 100 },
      redis: { url: REDIS, prefix },
      sources: [{ type: 'prometheus', url: PROM, stepMs: 1000, intervalMs: 1000, timeoutMs: 800, backfillMs: 30_000, queries: [{ name: 'e2e', query: metric }] }],
      detect: { warmupPoints: 10 },
      alerting: { receivers: [{ type: 'webhook', name: 'hook', url: hook.url }], backoffMs: 100 },
    });
    svc = await startService(cfg, 'all', { logger: pino({ level: 'warn' }) });
  });

  afterAll(async () => {
    await svc?.stop();
    await hook.stop();
    await setGauge(null).catch(() => undefined);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.deleteGroups(['processor', 'detector', 'notifier'].map((r) => `${prefix}-${r}`)).catch(() => undefined);
    await admin.disconnect();
    await fetch(`${INFLUX}/query?q=${encodeURIComponent(`DROP DATABASE "${db}"`)}`, { method: 'POST' }).catch(() => undefined);
    const redis = new Redis(REDIS);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('a spike scraped by Prometheus reaches the webhook within 5 s, with features and the alert in InfluxDB and offsets committed', async () => {
    // Steady phase with a little noise, long enough to warm the model up.
    const steadyUntil = Date.now() + 25_000;
    let i = 0;
    while (Date.now() < steadyUntil) {
      await setGauge(STEADY + 0.3 * Math.sin(i++ * 1.7));
      await new Promise((r) => setTimeout(r, 250));
    }
    // A noise point may have opened an alert; the spike must start a new episode, so wait (still
    // steady) until the series has no open alert.
    const series = () => svc!.pipeline.dashboard.seriesSnapshot({}, false).find((x) => x.labels.run === rid);
    await waitFor(async () => {
      await setGauge(STEADY + 0.3 * Math.sin(i++ * 1.7));
      const s = series();
      return s && s.warm && s.alertState !== 'firing' ? true : undefined;
    }, 30_000, 'the series warm with no open alert', 250);
    const spikeSetAt = Date.now();
    await setGauge(SPIKE);
    const keepSpiking = setInterval(() => void setGauge(SPIKE).catch(() => undefined), 500);
    try {
      const hit = await waitFor(
        () => hook.firing().find((f) => f.alert.series.labels.run === rid && f.alert.ts >= spikeSetAt - 1000),
        30_000,
        'a firing alert for the spike at the webhook',
      ).catch((err: unknown) => {
        // Say what did arrive, and what the pipeline saw of the series.
        const seen = svc!.pipeline.dashboard.seriesSnapshot({}, true).filter((x) => x.labels.run === rid);
        console.error('webhook got', JSON.stringify(hook.hooks.map((h) => h.body.alerts?.map((a) => [a.state, a.ts]))), 'series', JSON.stringify(seen.map((x) => x.recent.slice(-15))));
        throw err;
      });
      const spikeSample = await waitFor(async () => (await promSamples()).find((s) => s.value === SPIKE && s.ts >= spikeSetAt - 1000), 10_000, 'the spike in Prometheus');
      const latencyMs = hit.at - spikeSample.ts;
      console.info(`e2e: spike sample at ${new Date(spikeSample.ts).toISOString()}, webhook ${latencyMs} ms later`);
      expect(latencyMs).toBeLessThanOrEqual(5000);
      expect(hit.alert.series.labels.run).toBe(rid);
      expect(hit.alert.dedupKey).toBe(`${hit.alert.series.id}:${hit.alert.ts}`);

      const features = await waitFor(async () => {
        const rows = await influxRows(INFLUX, db, `SELECT count("value") FROM "seismo_features" WHERE "l_run" = '${rid}'`);
        return rows.length && Number(rows[0].count) >= 10 ? rows : undefined;
      }, 10_000, 'features in InfluxDB');
      expect(Number(features[0].count)).toBeGreaterThanOrEqual(10);
      const alerts = await waitFor(async () => {
        const rows = await influxRows(INFLUX, db, `SELECT * FROM "seismo_alerts" WHERE "l_run" = '${rid}' AND "state" = 'firing'`);
        return rows.some((r) => r.dedup_key === hit.alert.dedupKey) ? rows : undefined;
      }, 10_000, 'the alert in InfluxDB');
      expect(alerts.length).toBeGreaterThan(0);

      for (const [role, topic] of [['processor', topics.samples], ['detector', topics.features], ['notifier', topics.alerts]] as const) {
        const offsets = await waitFor(async () => {
          const [t] = await admin.fetchOffsets({ groupId: `${prefix}-${role}`, topics: [topic] });
          const committed = t.partitions.map((p) => Number(p.offset)).filter((o) => o > 0);
          return committed.length ? committed : undefined;
        }, 10_000, `committed offsets of ${prefix}-${role}`);
        expect(offsets.length).toBeGreaterThan(0);
      }
    } finally {
      clearInterval(keepSpiking);
    }
  });
});
