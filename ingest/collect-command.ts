import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { destination, pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfigFile } from '../config/load.js';
import { ConfigError, errorMessage } from '../pipeline/errors.js';
import type { DeadLetter, DeadLetterSink, Emitter } from '../pipeline/ports.js';
import type { Sample } from './sample.js';
import { parseDuration } from './duration.js';
import { createCollector, sourceName } from './index.js';
import { createCheckpointStore, MemoryCheckpointStore, type CheckpointStore } from './checkpoint/index.js';

export interface CollectOptions {
  config?: unknown;
  once?: unknown;
  since?: unknown;
  out?: unknown;
}

/** Writes samples as NDJSON, waiting for the stream to drain (backpressure). */
class NdjsonEmitter implements Emitter<Sample> {
  count = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  async emit(items: Sample[]): Promise<void> {
    if (items.length === 0) return;
    const text = items.map((s) => JSON.stringify(s)).join('\n') + '\n';
    this.count += items.length;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }
}

class StderrDeadLetters implements DeadLetterSink {
  count = 0;
  async deadLetter(entries: DeadLetter[]): Promise<void> {
    for (const e of entries) process.stderr.write(`dead-letter ${JSON.stringify(e)}\n`);
    this.count += entries.length;
  }
}

/**
 * `seismo collect --config FILE --once [--since DURATION] [--out FILE|-]`: runs every configured
 * collector once and writes the samples as NDJSON. Without `--once` the collectors keep polling
 * until SIGINT/SIGTERM. Checkpoints live in memory unless `checkpoint.store` is `file` or `redis`.
 * Exit codes: 0 ok, 1 a collector failed, 2 bad configuration or arguments.
 */
export async function collectCommand(opts: CollectOptions): Promise<number> {
  let cfg;
  let backfillMs: number | undefined;
  try {
    cfg = loadConfigFile(String(opts.config));
    if (opts.since !== undefined) backfillMs = parseDuration(String(opts.since));
  } catch (err) {
    const lines = err instanceof ConfigError ? err.problems : [`--since: ${errorMessage(err)}`];
    for (const l of lines) process.stderr.write(`${l}\n`);
    return 2;
  }
  const outPath = opts.out === undefined ? '-' : String(opts.out);
  const stream: NodeJS.WritableStream = outPath === '-' ? process.stdout : createWriteStream(outPath);
  const logger = pino({ level: cfg.log.level, base: undefined }, destination(2));
  const abort = new AbortController();
  const ctx = { logger, registry: new Registry(), signal: abort.signal };
  let checkpoints: CheckpointStore;
  try {
    checkpoints = cfg.checkpoint.store === 'auto' ? new MemoryCheckpointStore() : createCheckpointStore(cfg.checkpoint, cfg.redis);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return 2;
  }
  const out = new NdjsonEmitter(stream);
  const dlq = new StderrDeadLetters();
  const failures: string[] = [];
  const perSource: Array<{ source: string; samples: number; error?: string }> = [];
  try {
    const collectors = cfg.sources.map((s) => ({ name: sourceName(s), c: createCollector(s, ctx, out, dlq, backfillMs === undefined ? { checkpoints } : { checkpoints, backfillMs }) }));
    if (opts.once) {
      for (const { name, c } of collectors) {
        const before = out.count;
        try {
          await c.runOnce();
          perSource.push({ source: name, samples: out.count - before });
        } catch (err) {
          failures.push(`${name}: ${errorMessage(err)}`);
          perSource.push({ source: name, samples: out.count - before, error: errorMessage(err) });
        } finally {
          await c.stop();
        }
      }
    } else {
      await Promise.all(collectors.map(({ c }) => c.start()));
      // Collector timers are unref()ed; this handle keeps the process up until a signal arrives.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(keepAlive);
      await Promise.all(collectors.map(({ c }) => c.stop()));
    }
  } catch (err) {
    failures.push(errorMessage(err));
  } finally {
    abort.abort();
    await checkpoints.close();
    if (stream !== process.stdout) {
      (stream as WriteStream).end();
      await once(stream, 'finish');
    }
  }
  process.stderr.write(`${JSON.stringify({ summary: { samples: out.count, deadLetters: dlq.count, errors: failures.length, sources: perSource } })}\n`);
  for (const f of failures) process.stderr.write(`error: ${f}\n`);
  return failures.length ? 1 : 0;
}
