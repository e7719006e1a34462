/**
 * Alert delivery from the alerts Kafka topic: alerts are produced to a fresh alerts topic with the
 * detector's own producer and codec (`KafkaProducer` + `alertCodec()`, keyed by series id), and a
 * seismo service started with `--role notifier` consumes them, enqueues them in BullMQ (Redis) and
 * delivers them to a local webhook server. Latency per alert = receipt at the webhook minus the
 * moment its produce call started. Every receipt is counted by dedup key, so a lost or repeated
 * alert shows up in `delivered` / `duplicates`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../config/load.js';
import type { Alert } from '../pipeline/ports.js';
import { startService, type RunningService } from '../pipeline/service.js';
import { createKafka } from '../pipeline/kafka/client.js';
import { alertCodec } from '../pipeline/kafka/codec.js';
import { KafkaProducer, kafkaEmitter } from '../pipeline/kafka/producer.js';
import type { QueueTransport } from '../sinks/alerting/queue-transport.js';

export interface TopicBenchOptions {
  brokers: string[];
  redisUrl: string;
  alerts: number;
  /** Alerts per second produced. */
  rate: number;
  /** Alerts per produce call (the detector emits the alerts of one batch together). */
  batch: number;
  /** Distinct series the alerts are spread over (the record key). */
  series: number;
  /** Concurrent deliveries of the webhook receiver. */
  concurrency: number;
  /** Longest wait for outstanding deliveries after the last produce, ms. */
  drainMs: number;
}

export interface TopicBenchResult {
  path: 'topic';
  alerts: number;
  rate: number;
  delivered: number;
  duplicates: number;
  missing: number;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
  /**
   * Where the time went, from BullMQ's job timestamps (epoch ms, so ±1 ms): `toQueue` produce ->
   * job added (Kafka, the notifier's consumer batch, routing, enqueue), `queueWait` job added ->
   * a worker took it, `delivery` worker took it -> webhook answered. Each {p50, p99}.
   */
  breakdown_ms: Record<'toQueue' | 'queueWait' | 'delivery', { p50: number; p99: number }>;
  /** Event-loop delay of this process (bench producer, notifier role, receiver), ms {p50, p99, max}. */
  event_loop_delay_ms: { p50: number; p99: number; max: number };
  seconds: number;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function benchAlert(key: string, n: number, series: number): Alert {
  const s = n % series;
  return {
    id: key,
    dedupKey: key,
    series: { source: 'bench', name: 'latency', labels: { n: String(s) }, id: `bench-s${s}` },
    ts: Date.now(),
    value: 1,
    expected: { lo: 0, hi: 0.5 },
    score: 0.99,
    detector: 'bench',
    severity: 'warning',
    state: 'firing',
    explanation: 'bench',
  };
}

/** The webhook receiver: counts receipts per dedup key and stamps the first one. */
class Receiver {
  readonly receipts = new Map<string, number>();
  readonly firstAt = new Map<string, number>();
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const now = performance.now();
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts: Alert[] };
        for (const a of body.alerts) {
          this.receipts.set(a.dedupKey, (this.receipts.get(a.dedupKey) ?? 0) + 1);
          if (!this.firstAt.has(a.dedupKey)) this.firstAt.set(a.dedupKey, now);
        }
        res.writeHead(200).end('ok');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function runTopicBench(o: TopicBenchOptions): Promise<TopicBenchResult> {
  const rid = randomBytes(4).toString('hex');
  const prefix = `seismo-bench-${rid}`;
  const topics = { samples: `${prefix}.samples`, features: `${prefix}.features`, alerts: `${prefix}.alerts`, dlq: `${prefix}.dlq`, state: `${prefix}.state` };
  const receiver = new Receiver();
  await receiver.start();
  const cfg = parseConfig({
    log: { level: 'warn' },
    kafka: { brokers: o.brokers, groupPrefix: prefix, topics, consumer: { maxWaitTimeMs: 50 } },
    redis: { url: o.redisUrl, prefix },
    alerting: { receivers: [{ type: 'webhook', name: 'bench', url: receiver.url, concurrency: o.concurrency }] },
  });
  // Logs to stderr: stdout carries only the result line.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const kafkaCfg = cfg.kafka!;
  const kafka = createKafka(kafkaCfg, logger, 'bench');
  const admin = kafka.admin();
  const producer = new KafkaProducer(kafka, kafkaCfg, { logger, registry: new Registry(), signal: new AbortController().signal });
  const emitter = kafkaEmitter(producer, topics.alerts, alertCodec());
  let svc: RunningService | null = null;
  const producedAt = new Map<string, number>();
  const producedEpoch = new Map<string, number>();
  try {
    await admin.connect();
    svc = await startService(cfg, 'notifier', { logger });
    await producer.start();
    // Warm up: one alert through the whole path, so group join and first connections are not measured.
    const warm = `bench-warm-${rid}`;
    await emitter.emit([benchAlert(warm, 0, o.series)]);
    const warmUntil = Date.now() + 60_000;
    while (!receiver.receipts.has(warm) && Date.now() < warmUntil) await sleep(20);
    if (!receiver.receipts.has(warm)) throw new Error('warm-up alert was not delivered within 60 s');

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = performance.now();
    const intervalMs = (1000 * o.batch) / o.rate;
    for (let i = 0, k = 0; i < o.alerts; i += o.batch, k++) {
      const wait = started + k * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      const alerts: Alert[] = [];
      for (let j = i; j < Math.min(o.alerts, i + o.batch); j++) alerts.push(benchAlert(`bench-${rid}-${j}`, j, o.series));
      const t0 = performance.now();
      const e0 = Date.now();
      for (const a of alerts) {
        producedAt.set(a.dedupKey, t0);
        producedEpoch.set(a.dedupKey, e0);
      }
      await emitter.emit(alerts);
    }
    const until = Date.now() + o.drainMs;
    const deliveredCount = (): number => [...producedAt.keys()].filter((key) => receiver.receipts.has(key)).length;
    while (deliveredCount() < o.alerts && Date.now() < until) await sleep(50);
    // A little longer, so a late duplicate would still be counted.
    await sleep(2000);
    loop.disable();
    const seconds = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    let duplicates = 0;
    for (const [key, t0] of producedAt) {
      const at = receiver.firstAt.get(key);
      if (at !== undefined) latencies.push(at - t0);
      duplicates += Math.max(0, (receiver.receipts.get(key) ?? 0) - 1);
    }
    // Receipts of keys never produced in this run (other than the warm-up) would be a bug too.
    const unknown = [...receiver.receipts.keys()].filter((key) => key !== warm && !producedAt.has(key)).length;
    if (unknown) throw new Error(`${unknown} alerts received that were never produced`);
    latencies.sort((a, b) => a - b);
    const r = (x: number): number => Math.round(x * 10) / 10;
    const legs = { toQueue: [] as number[], queueWait: [] as number[], delivery: [] as number[] };
    const queues = (svc.pipeline.notifierComponent as { queues?: QueueTransport | null } | null)?.queues;
    if (!queues) throw new Error('the notifier role runs without its BullMQ transport');
    for (const job of await queues.queue('bench').getCompleted(0, -1)) {
      if (!('alert' in job.data)) continue;
      const e0 = producedEpoch.get(job.data.alert.dedupKey);
      if (e0 === undefined || job.processedOn === undefined || job.finishedOn === undefined) continue;
      legs.toQueue.push(job.timestamp - e0);
      legs.queueWait.push(job.processedOn - job.timestamp);
      legs.delivery.push(job.finishedOn - job.processedOn);
    }
    const two = (xs: number[]): { p50: number; p99: number } => {
      const sorted = xs.sort((a, b) => a - b);
      return { p50: r(pct(sorted, 50)), p99: r(pct(sorted, 99)) };
    };
    return {
      path: 'topic',
      alerts: o.alerts,
      rate: o.rate,
      delivered: latencies.length,
      duplicates,
      missing: o.alerts - latencies.length,
      latency_ms: { p50: r(pct(latencies, 50)), p95: r(pct(latencies, 95)), p99: r(pct(latencies, 99)), max: r(latencies[latencies.length - 1] ?? NaN) },
      event_loop_delay_ms: { p50: r(loop.percentile(50) / 1e6), p99: r(loop.percentile(99) / 1e6), max: r(loop.max / 1e6) },
      breakdown_ms: { toQueue: two(legs.toQueue), queueWait: two(legs.queueWait), delivery: two(legs.delivery) },
      seconds: Math.round(seconds * 100) / 100,
    };
  } finally {
    await producer.stop().catch(() => undefined);
    await svc?.stop().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'service stop failed'));
    await receiver.stop();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.deleteGroups(['notifier'].map((r) => `${prefix}-${r}`)).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await deleteRedisKeys(o.redisUrl, prefix);
  }
}
