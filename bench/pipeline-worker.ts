/**
 * One stage worker of the pipeline benchmark, in its own process (forked by bench/pipeline.ts):
 * the real Pipeline of one role (`processor` or `detector`) over Kafka. Reports progress and, at
 * the end, the end-to-end latencies it observed (detector: sample produce time -> score emitted).
 */
import { destination, pino } from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../config/load.js';
import { Pipeline } from '../pipeline/assemble.js';
import { Reservoir } from './stats.js';

type FromParent = { type: 'stop' };
export type FromWorker =
  | { type: 'started' }
  | { type: 'progress'; role: string; done: number; firstAt: number; lastAt: number }
  | { type: 'result'; role: string; done: number; firstAt: number; lastAt: number; latencies: number[]; count: number; duplicates: number };

const role = process.argv[2] as 'processor' | 'detector';
const cfg = parseConfig(JSON.parse(process.argv[3]) as unknown);
const send = (m: FromWorker): void => void process.send?.(m);

const controller = new AbortController();
const ctx = { logger: pino({ level: process.env.SEISMO_BENCH_LOG ?? 'warn' }, destination(2)), registry: new Registry(), signal: controller.signal };
const latencies = new Reservoir(200_000);
let done = 0;
let firstAt = 0;
let lastAt = 0;

const pipeline = new Pipeline(cfg, ctx, {
  role,
  feedDashboard: false,
  onScored: (points) => {
    const now = Date.now();
    if (!firstAt) firstAt = now;
    lastAt = now;
    done += points.length;
    for (const p of points) latencies.add(now - p.feature.ts);
  },
});

async function metric(name: string): Promise<number> {
  const m = ctx.registry.getSingleMetric(name);
  const v = m ? await m.get() : null;
  return v?.values[0]?.value ?? 0;
}

const processorDone = (): Promise<number> => metric('seismo_features_sent_total');

async function main(): Promise<void> {
  await pipeline.start();
  send({ type: 'started' });
  const timer = setInterval(() => {
    void (async () => {
      if (role === 'processor') {
        const n = await processorDone();
        if (n > done) {
          if (!firstAt) firstAt = Date.now();
          lastAt = Date.now();
          done = n;
        }
      }
      if (process.env.SEISMO_BENCH_DEBUG) process.stderr.write(`${role} done=${done} heap=${Math.round(process.memoryUsage().heapUsed / 1e6)}MB\n`);
      send({ type: 'progress', role, done, firstAt, lastAt });
    })();
  }, 200);
  await new Promise<void>((resolve) => process.on('message', (m: FromParent) => m.type === 'stop' && resolve()));
  clearInterval(timer);
  await pipeline.stop();
  if (role === 'processor') done = await processorDone();
  const duplicates = await metric(role === 'processor' ? 'seismo_features_duplicates_total' : 'seismo_detect_duplicates_total');
  // Disconnect only once the (large) result message has been handed over.
  process.send?.({ type: 'result', role, done, firstAt, lastAt, latencies: latencies.toArray(), count: latencies.count, duplicates } satisfies FromWorker, undefined, {}, () => process.disconnect?.());
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker ${role}: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
