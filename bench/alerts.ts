/**
 * Alert delivery latency: from an alert handed to `notifier.handle()` to a local webhook server
 * receiving it, through BullMQ and a real Redis (and, for comparison, the embedded in-process
 * path). Alerts are offered at a steady rate in small batches, as the alerts-topic consumer would.
 * `--path topic` measures the whole notifier role instead: produced to the alerts topic -> the
 * notifier's Kafka consumer -> BullMQ/Redis -> webhook (see alerts-topic.ts).
 *
 *   npm run -s build && node dist/bench/alerts.js [--path both|handle|embedded|topic] [--redis redis://127.0.0.1:6379]
 *     [--brokers 127.0.0.1:9092] [--alerts 2000] [--rate 500] [--batch 10] [--concurrency 16]
 *
 * `--concurrency` (topic path only) is the webhook receiver's concurrent deliveries. `--path topic` prints {path, alerts, rate, delivered, duplicates, missing, latency_ms{p50,p95,p99,max}, seconds}.
 *
 * Prints one JSON line; latencies in ms (p50/p95/p99/max): `deliveryMs` handle() -> receiver,
 * `acceptMs` how long handle() took (per batch), `queuePickupMs` job added -> worker took it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../config/load.js';
import type { Alert } from '../pipeline/ports.js';
import { createNotifier } from '../sinks/alerting/index.js';
import { runTopicBench } from './alerts-topic.js';
import { arg } from './args.js';

const redisUrl = arg('redis', 'redis://127.0.0.1:6379');
const total = Number(arg('alerts', '2000'));
const rate = Number(arg('rate', '500'));
const batch = Number(arg('batch', '10'));
const path = arg('path', 'both');
const brokers = arg('brokers', '127.0.0.1:9092').split(',');
if (!['both', 'handle', 'embedded', 'topic'].includes(path)) throw new Error(`--path must be both, handle, embedded or topic, not ${path}`);

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(xs: number[]): Record<string, number> {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(pct(s, 50)), p95: r(pct(s, 95)), p99: r(pct(s, 99)), max: r(s[s.length - 1] ?? NaN) };
}

async function run(mode: 'bullmq' | 'embedded'): Promise<Record<string, unknown>> {
  const handedAt = new Map<string, number>();
  const latencies: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts: Alert[] };
      for (const a of body.alerts) {
        const t = handedAt.get(a.dedupKey);
        if (t !== undefined) latencies.push(now - t);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const prefix = `seismo-bench-${randomBytes(4).toString('hex')}`;
  const cfg = parseConfig({
    ...(mode === 'bullmq' ? { redis: { url: redisUrl, prefix } } : {}),
    alerting: { receivers: [{ type: 'webhook', name: 'bench', url, concurrency: 16 }] },
  });
  const ctx = { logger: pino({ level: 'warn' }), registry: new Registry(), signal: new AbortController().signal };
  const notifier = createNotifier(cfg, ctx);
  await notifier.start();
  const accept: number[] = [];
  const started = performance.now();
  const intervalMs = (1000 * batch) / rate;
  for (let i = 0; i < total; i += batch) {
    const due = started + (i / batch) * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const alerts: Alert[] = [];
    for (let j = i; j < Math.min(total, i + batch); j++) {
      const dedupKey = `bench-${mode}-${j}`;
      alerts.push({ id: dedupKey, dedupKey, series: { source: 'bench', name: 'latency', labels: { n: String(j % 50) }, id: `s${j % 50}` }, ts: Date.now(), value: 1, expected: { lo: 0, hi: 0.5 }, score: 0.99, detector: 'bench', severity: 'warning', state: 'firing', explanation: 'bench' });
    }
    const t0 = performance.now();
    for (const a of alerts) handedAt.set(a.dedupKey, t0);
    await notifier.handle(alerts);
    accept.push(performance.now() - t0);
  }
  const until = Date.now() + 60_000;
  while (latencies.length < total && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - started) / 1000;
  // BullMQ's own view: from the job being added to a worker taking it.
  const pickup: number[] = [];
  if (notifier.queues) {
    for (const job of await notifier.queues.queue('bench').getCompleted(0, -1)) {
      if (job.processedOn !== undefined) pickup.push(job.processedOn - job.timestamp);
    }
  }
  await notifier.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  if (mode === 'bullmq') {
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
  return { delivered: latencies.length, deliveryMs: summary(latencies), acceptMs: summary(accept), ...(pickup.length ? { queuePickupMs: summary(pickup) } : {}), seconds: Math.round(seconds * 100) / 100 };
}

if (path === 'topic') {
  const result = await runTopicBench({ brokers, redisUrl, alerts: total, rate, batch, series: 50, concurrency: Number(arg('concurrency', '16')), drainMs: 60_000 });
  console.log(JSON.stringify(result));
  if (result.delivered !== total || result.duplicates !== 0) process.exitCode = 1;
} else {
  const bullmq = path === 'embedded' ? undefined : await run('bullmq');
  const embedded = path === 'handle' ? undefined : await run('embedded');
  console.log(JSON.stringify({ bench: 'alerts', alerts: total, ratePerSec: rate, batch, redis: redisUrl, bullmq, embedded }));
}
