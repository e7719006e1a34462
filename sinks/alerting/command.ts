import pino from 'pino';
import { Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { defaultConfig, loadConfigFile, resolveSecret } from '../../config/load.js';
import type { SeismoConfig } from '../../config/schema.js';
import { ConfigError, SeismoError, errorMessage } from '../../pipeline/errors.js';
import type { Context } from '../../pipeline/component.js';
import type { Alert } from '../../pipeline/ports.js';
import { createNotifier, dashboardUrl, type Notifier } from './index.js';
import { singleNotification, testAlert } from './notification.js';
import { queueName, type JobData } from './queue-transport.js';

export interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const stdio: CommandIo = { out: process.stdout, err: process.stderr };

interface CommonOpts {
  config?: string;
}

function load(opts: CommonOpts): SeismoConfig {
  return opts.config ? loadConfigFile(opts.config) : defaultConfig();
}

function quietContext(): Context {
  return { logger: pino({ level: 'error' }, pino.destination(2)), registry: new Registry(), signal: new AbortController().signal };
}

/** How long a command waits for Redis before saying it cannot reach it. */
const REDIS_PROBE_MS = 5000;

/**
 * Fails fast, naming `redis.url`, when Redis does not answer: the notifier's own connection
 * retries for ever (right for the service, which reports it on /readyz), so a command would hang.
 */
async function checkRedis(cfg: SeismoConfig): Promise<void> {
  if (!cfg.redis) return;
  const password = cfg.redis.password === undefined ? undefined : resolveSecret(cfg.redis.password, 'redis.password');
  const probe = new Redis(cfg.redis.url, { lazyConnect: true, connectTimeout: REDIS_PROBE_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(password !== undefined ? { password } : {}) });
  let cause: unknown;
  probe.on('error', (err) => (cause ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new SeismoError(`redis.url: cannot reach ${cfg.redis.url} (${errorMessage(cause ?? err)}); is Redis running, and is this the right URL?`);
  } finally {
    probe.disconnect();
  }
}

async function withNotifier<T>(cfg: SeismoConfig, fn: (n: Notifier) => Promise<T>): Promise<T> {
  await checkRedis(cfg);
  const notifier = createNotifier(cfg, quietContext(), { workers: false });
  await notifier.start();
  try {
    return await fn(notifier);
  } finally {
    await notifier.stop();
  }
}

function needRedis(cfg: SeismoConfig, what: string): void {
  if (!cfg.redis) {
    throw new ConfigError([
      `redis: found nothing; \`seismo alerts ${what}\` reads BullMQ's failed set, so the configuration (--config) needs a redis section ` +
        '(without Redis, failed deliveries live in the running process: GET /api/alerts/failed on its API)',
    ]);
  }
}

function receiverNames(cfg: SeismoConfig, only?: string): string[] {
  const names = cfg.alerting.receivers.map((r) => r.name);
  if (only !== undefined && !names.includes(only)) {
    throw new ConfigError([`--receiver: found ${JSON.stringify(only)}; configured receivers: ${names.join(', ') || 'none'}`]);
  }
  return only === undefined ? names : [only];
}

/** `seismo alerts test --receiver NAME`: sends a test notification now (no queue) and prints what the receiver said. */
export async function alertsTestCommand(opts: CommonOpts & { receiver?: string }, io: CommandIo = stdio): Promise<number> {
  const cfg = load(opts);
  const [name] = receiverNames(cfg, opts.receiver ?? '');
  return withNotifier(cfg, async (notifier) => {
    const receiver = notifier.receivers.get(name);
    if (!receiver) throw new ConfigError([`--receiver: ${name} is not configured`]);
    const a = testAlert();
    const started = Date.now();
    try {
      const detail = await receiver.deliver(singleNotification(`test-${started}`, name, a, dashboardUrl(cfg), true));
      io.out.write(`ok: ${name} (${receiver.type}) accepted the test notification in ${Date.now() - started} ms: ${detail}\n`);
      return 0;
    } catch (err) {
      io.err.write(`failed: ${name} (${receiver.type}): ${errorMessage(err)}\n`);
      return 1;
    }
  });
}

export interface FailedDelivery {
  receiver: string;
  jobId: string;
  kind: 'alert' | 'group';
  state: Alert['state'];
  dedupKey: string | null;
  series: string | null;
  count: number;
  attempts: number;
  failedAt: string | null;
  error: string;
}

async function failedDeliveries(notifier: Notifier, names: string[]): Promise<FailedDelivery[]> {
  const rows: FailedDelivery[] = [];
  for (const name of names) {
    const q = notifier.queues!.queue(name);
    for (const job of await q.getFailed(0, -1)) {
      const d = job.data as JobData;
      const single = 'alert' in d;
      rows.push({
        receiver: name,
        jobId: job.id ?? '',
        kind: single ? 'alert' : 'group',
        state: single ? d.alert.state : d.state,
        dedupKey: single ? d.alert.dedupKey : null,
        series: single ? `${d.alert.series.name}${JSON.stringify(d.alert.series.labels)}` : JSON.stringify(d.groupLabels),
        count: single ? 1 : await notifier.queues!.redis.hlen(d.membersKey),
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        error: job.failedReason ?? '',
      });
    }
  }
  return rows;
}

/** `seismo alerts failed [--json]`: deliveries in BullMQ's failed set, per receiver. */
export async function alertsFailedCommand(opts: CommonOpts & { json?: boolean; receiver?: string }, io: CommandIo = stdio): Promise<number> {
  const cfg = load(opts);
  needRedis(cfg, 'failed');
  const names = receiverNames(cfg, opts.receiver);
  const rows = await withNotifier(cfg, (n) => failedDeliveries(n, names));
  if (opts.json) {
    io.out.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.out.write('no failed deliveries\n');
    return 0;
  }
  for (const r of rows) {
    io.out.write(`${r.receiver}\t${r.jobId}\t${r.kind} ${r.state}\t${r.dedupKey ?? r.series}\tattempts=${r.attempts}\t${r.failedAt ?? ''}\t${r.error}\n`);
  }
  io.out.write(`${rows.length} failed deliveries (queue ${names.map(queueName).join(', ')} under prefix ${cfg.redis!.prefix}); re-drive with \`seismo alerts retry\`\n`);
  return 0;
}

/** `seismo alerts retry [--receiver NAME]`: moves failed deliveries back to the queue with fresh attempts. */
export async function alertsRetryCommand(opts: CommonOpts & { receiver?: string }, io: CommandIo = stdio): Promise<number> {
  const cfg = load(opts);
  needRedis(cfg, 'retry');
  const names = receiverNames(cfg, opts.receiver);
  const result = await withNotifier(cfg, async (notifier) => {
    let retried = 0;
    let errors = 0;
    for (const name of names) {
      for (const job of await notifier.queues!.queue(name).getFailed(0, -1)) {
        try {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          retried++;
        } catch (err) {
          errors++;
          io.err.write(`${name} ${job.id}: cannot retry: ${errorMessage(err)}\n`);
        }
      }
    }
    return { retried, errors };
  });
  io.out.write(`re-queued ${result.retried} failed deliveries${opts.receiver ? ` of ${opts.receiver}` : ''}; a running notifier delivers them\n`);
  return result.errors ? 1 : 0;
}
