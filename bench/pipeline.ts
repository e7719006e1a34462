/**
 * Pipeline benchmark over the real Kafka path (stack up):
 *   producer -> samples topic -> processor (features) -> features topic -> detector (scores).
 * Processor and detector run as separate processes (the real Pipeline of each role, as
 * `seismo start --role processor|detector` would); this process produces synthetic series at a
 * target rate, like a collector, and collects the results. Prints ONE JSON line:
 *   {samples_per_s, series, e2e_latency_ms:{p50,p95,p99,max}, ...}
 * where latency runs from a sample's produce time (its timestamp) to its score being emitted by
 * the detector, and samples_per_s is what the detector scored per second over the run.
 *
 *   node dist/bench/pipeline.js [--series N] [--seconds S] [--rate R] [--encoding series-batch|json]
 *     [--compression none|gzip] [--partitions P] [--processors N] [--detectors N] [--stages all|processor] [--semi-space-mb MB] [--json]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { destination, pino } from 'pino';
import { Registry } from 'prom-client';
import { kafkaSchema } from '../pipeline/kafka/config.js';
import { createKafka, ensureTopics } from '../pipeline/kafka/client.js';
import { KafkaProducer } from '../pipeline/kafka/producer.js';
import { sampleCodec } from '../pipeline/kafka/codec.js';
import { seriesId, type Sample, type SeriesRef } from '../ingest/sample.js';
import { percentile, round } from './stats.js';
import type { FromWorker } from './pipeline-worker.js';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '100000' },
    encoding: { type: 'string', default: 'series-binary' },
    compression: { type: 'string', default: 'none' },
    partitions: { type: 'string', default: '6' },
    processors: { type: 'string', default: '1' },
    detectors: { type: 'string', default: '1' },
    stages: { type: 'string', default: 'all' },
    inflight: { type: 'string', default: '4' },
    'tick-ms': { type: 'string', default: '50' },
    /** V8 young-generation semi-space size for the worker processes, in MB (0 = Node's default). */
    'semi-space-mb': { type: 'string', default: '0' },
    'drain-seconds': { type: 'string', default: '20' },
    brokers: { type: 'string', default: process.env.SEISMO_KAFKA_BROKERS ?? '127.0.0.1:9092' },
    json: { type: 'boolean', default: false },
  },
});

const SERIES = Number(args.series);
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);
const INFLIGHT = Number(args.inflight);
/** Samples are produced in one batch per tick, as a collector emits one batch per poll. */
const TICK_MS = Number(args['tick-ms']);
const stages = args.stages === 'processor' ? 'processor' : 'all';
const rid = randomBytes(4).toString('hex');
const prefix = `bench-${rid}`;
const logger = pino({ level: process.env.SEISMO_BENCH_LOG ?? 'warn' }, destination(2));
const log = (msg: string): void => void (!args.json && process.stderr.write(`${msg}\n`));

const kafkaCfg = kafkaSchema.parse({
  brokers: args.brokers.split(','),
  groupPrefix: prefix,
  partitions: Number(args.partitions),
  topics: { samples: `${prefix}.samples`, features: `${prefix}.features`, alerts: `${prefix}.alerts`, dlq: `${prefix}.dlq`, state: `${prefix}.state` },
  producer: { encoding: args.encoding, compression: args.compression },
});
const workerCfg = {
  log: { level: 'warn' },
  api: { enabled: false },
  kafka: kafkaCfg,
  sources: [],
  // The bench measures the pipeline, not snapshots: one at the end.
  workers: { snapshotIntervalMs: 0 },
};

interface Worker {
  role: string;
  child: ChildProcess;
  last: Extract<FromWorker, { type: 'progress' }> | null;
  result: Extract<FromWorker, { type: 'result' }> | null;
  started: Promise<void>;
}

function spawnWorker(role: 'processor' | 'detector'): Worker {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'pipeline-worker.js');
  const prof = process.env.SEISMO_BENCH_PROFILE_DIR;
  const semi = Number(args['semi-space-mb']);
  const execArgv = [...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), ...(semi > 0 ? [`--max-semi-space-size=${semi}`] : [])];
  const child = fork(file, [role, JSON.stringify(workerCfg)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(execArgv.length ? { execArgv } : {}),
  });
  const w: Worker = { role, child, last: null, result: null, started: Promise.resolve() };
  w.started = new Promise((resolve, reject) => {
    child.on('message', (m: FromWorker) => {
      if (m.type === 'started') resolve();
      else if (m.type === 'progress') w.last = m;
      else if (m.type === 'result') w.result = m;
    });
    child.on('exit', (code) => code !== 0 && reject(new Error(`${role} worker exited with ${code}`)));
  });
  return w;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const kafka = createKafka(kafkaCfg, logger, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, kafkaCfg);
  const workers: Worker[] = [];
  for (let i = 0; i < Number(args.processors); i++) workers.push(spawnWorker('processor'));
  if (stages === 'all') for (let i = 0; i < Number(args.detectors); i++) workers.push(spawnWorker('detector'));
  const sink = workers.filter((w) => w.role === (stages === 'all' ? 'detector' : 'processor'));
  try {
    await Promise.all(workers.map((w) => w.started));
    // Wait until every group has all its members and partitions (no rebalance during the run).
    const groups = [...new Set(workers.map((w) => `${prefix}-${w.role}`))];
    for (const deadline = Date.now() + 60_000; ; ) {
      const { groups: desc } = await admin.describeGroups(groups);
      if (desc.every((g) => g.state === 'Stable' && g.members.length === workers.filter((w) => `${prefix}-${w.role}` === g.groupId).length)) break;
      if (Date.now() > deadline) throw new Error('consumer groups did not become stable');
      await sleep(200);
    }
    log(`bench ${prefix}: ${SERIES} series, ${RATE || 'max'} samples/s for ${SECONDS} s, ${kafkaCfg.producer.encoding}/${kafkaCfg.producer.compression}, ${kafkaCfg.partitions} partitions`);

    const registry = new Registry();
    const producer = new KafkaProducer(kafka, kafkaCfg, { logger, registry, signal: new AbortController().signal });
    await producer.start();
    const codec = sampleCodec(kafkaCfg.producer.encoding, kafkaCfg.producer.maxPointsPerMessage);
    const refs: SeriesRef[] = Array.from({ length: SERIES }, (_, i) => ({ source: 'bench', name: 'synthetic', labels: { run: rid, series: String(i) } }));
    const ids = refs.map(seriesId);
    const lastTs = new Float64Array(SERIES);
    let cursor = 0;
    let produced = 0;
    let messages = 0;
    let bytes = 0;
    const start = Date.now();
    const end = start + SECONDS * 1000;
    let lastTick = start;
    while (Date.now() < end) {
      const now = Date.now();
      const due = RATE > 0 ? Math.floor((RATE * (now - start)) / 1000) - produced : 20_000;
      if (due <= 0 || (RATE > 0 && due < (RATE * TICK_MS) / 1000 && now - lastTick < TICK_MS)) {
        await sleep(Math.max(1, TICK_MS - (now - lastTick)));
        continue;
      }
      lastTick = now;
      const n = Math.min(due, 50_000);
      // One tick = one batch, sent as INFLIGHT concurrent requests over disjoint sets of series, so
      // that each series' points stay in order (a later point must not overtake an earlier one).
      const slots: Sample[][] = Array.from({ length: INFLIGHT }, () => []);
      for (let j = 0; j < n; j++) {
        const s = cursor++ % SERIES;
        // Strictly increasing per series (the stages skip repeated timestamps as redeliveries).
        const ts = Math.max(now, lastTs[s] + 1);
        lastTs[s] = ts;
        slots[s % INFLIGHT].push({ series: refs[s], id: ids[s], ts, value: 100 + (s % 17) + Math.random() });
      }
      await Promise.all(
        slots.map((batch) => {
          const records = codec.encode(batch);
          messages += records.length;
          for (const r of records) bytes += r.value.length + r.key.length;
          return producer.send(kafkaCfg.topics.samples, records);
        }),
      );
      produced += n;
    }
    const producedAt = Date.now();
    await producer.stop();
    log(`produced ${produced} samples in ${((producedAt - start) / 1000).toFixed(1)} s; draining`);

    const total = (): number => sink.reduce((s, w) => s + (w.last?.done ?? 0), 0);
    const drainDeadline = Date.now() + Number(args['drain-seconds']) * 1000;
    while (total() < produced && Date.now() < drainDeadline) await sleep(100);
    const drained = total() >= produced;

    for (const w of workers) w.child.send({ type: 'stop' });
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.child.exitCode !== null ? resolve() : w.child.once('exit', () => resolve())))));
    const results = sink.map((w) => w.result).filter((r): r is NonNullable<Worker['result']> => r !== null);
    const scored = results.reduce((s, r) => s + r.done, 0);
    const lastAt = Math.max(...results.map((r) => r.lastAt));
    const lat = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const out = {
      samples_per_s: Math.round(scored / ((lastAt - start) / 1000)),
      series: SERIES,
      e2e_latency_ms: stages === 'all' ? { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? NaN } : null,
      offered_rate: RATE || null,
      produce_samples_per_s: Math.round(produced / ((producedAt - start) / 1000)),
      produced,
      scored,
      drained,
      seconds: SECONDS,
      stages,
      encoding: kafkaCfg.producer.encoding,
      compression: kafkaCfg.producer.compression,
      partitions: kafkaCfg.partitions,
      processors: Number(args.processors),
      detectors: stages === 'all' ? Number(args.detectors) : 0,
      semi_space_mb: Number(args['semi-space-mb']),
      // Points a stage skipped as not newer than their series' last point (should be 0 here).
      duplicates: workers.reduce((s, w) => s + (w.result?.duplicates ?? 0), 0),
      kafka_messages: messages,
      samples_per_message: round(produced / Math.max(1, messages), 1),
      bytes_per_sample: round(bytes / Math.max(1, produced), 1),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await admin.deleteTopics({ topics: Object.values(kafkaCfg.topics) }).catch(() => undefined);
    await admin.deleteGroups([`${prefix}-processor`, `${prefix}-detector`]).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
