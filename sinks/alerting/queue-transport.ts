import { Queue, Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Alert } from '../../pipeline/ports.js';
import { SeismoError, errorMessage } from '../../pipeline/errors.js';
import { sleep } from '../../pipeline/retry.js';
import { deliveryBackoffMs } from './backoff.js';
import type { AlertingConfig } from './config.js';
import type { Receiver } from './receiver.js';
import { recordDelivered, type NotifierMetrics } from './telemetry.js';
import { alertJobId, groupJobId, singleNotification, type Notification } from './notification.js';
import type { AddResult, DeliveryTransport, GroupTarget, Recheck } from './transport.js';

/** Job payloads. `alert`: one alert; `group`: the members live in a Redis hash named by the window. */
export type SingleJobData = { alert: Alert; test?: boolean };
export type GroupJobData = { windowId: string; openKey: string; membersKey: string; groupKey: string; groupLabels: Record<string, string>; state: Alert['state'] };
export type JobData = SingleJobData | GroupJobData;

function longestWaitMs(items: Array<{ group: GroupTarget }>): number {
  return items.reduce((m, i) => Math.max(m, i.group.waitMs), 0);
}

/** BullMQ queue name of a receiver (keys live under the configured Redis prefix). */
export function queueName(receiver: string): string {
  return `alerts-${receiver}`;
}

/**
 * Adds one member to its group's open window, opening a window when none is open. A member seen
 * before (same receiver, dedup key and state, within the dedup retention) is skipped, and the
 * window it joined then is returned so its flush can be (re)scheduled.
 * KEYS: open-window key, seen key. ARGV: candidate window id, field, member JSON, dedup retention
 * ms, members-key prefix, group wait ms, members retention ms. Returns {accepted 0|1, window id}.
 */
const GROUP_ADD = `
local seen = redis.call('GET', KEYS[2])
if seen then return {0, seen} end
local win = redis.call('GET', KEYS[1])
if not win then
  win = ARGV[1]
  redis.call('SET', KEYS[1], win, 'PX', ARGV[6])
end
local mkey = ARGV[5] .. win
redis.call('HSET', mkey, ARGV[2], ARGV[3])
redis.call('PEXPIRE', mkey, ARGV[7])
redis.call('SET', KEYS[2], win, 'PX', ARGV[4])
return {1, win}
`;

/** Closes a window (if still the open one) so later members open a new one. KEYS: open key. ARGV: window id. */
const GROUP_CLOSE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

type GroupRedis = Redis & {
  seismoGroupAdd(open: string, seen: string, win: string, field: string, json: string, seenTtl: number, mprefix: string, wait: number, membersTtl: number): Promise<[number, string]>;
  seismoGroupClose(open: string, win: string): Promise<number>;
};

export interface QueueTransportOptions {
  redisUrl: string;
  redisPassword?: string;
  prefix: string;
  cfg: AlertingConfig;
  receivers: Map<string, Receiver>;
  dashboardUrl: string;
  metrics: NotifierMetrics;
  logger: Logger;
  /** Run BullMQ workers (delivery) in this process. */
  workers: boolean;
  /** Aborts waiting for queue room at shutdown. */
  signal: AbortSignal;
  recheck: Recheck;
}

/** Durable delivery through BullMQ: one queue per receiver, workers with limiter and custom backoff. */
export class QueueTransport implements DeliveryTransport {
  readonly redis: GroupRedis;
  private readonly queues = new Map<string, Queue<JobData>>();
  private readonly workers: Array<{ worker: Worker<JobData>; connection: Redis }> = [];
  private readonly inflight = new AbortController();
  private depthTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: QueueTransportOptions) {
    this.redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true, ...(o.redisPassword ? { password: o.redisPassword } : {}) }) as GroupRedis;
    this.redis.defineCommand('seismoGroupAdd', { numberOfKeys: 2, lua: GROUP_ADD });
    this.redis.defineCommand('seismoGroupClose', { numberOfKeys: 1, lua: GROUP_CLOSE });
    this.redis.on('error', (err) => o.logger.warn({ err: errorMessage(err) }, 'notifier redis error'));
  }

  private jobOptions(): { attempts: number; backoff: { type: string }; removeOnComplete: { age: number }; removeOnFail: { age: number } } {
    return {
      attempts: this.o.cfg.attempts,
      backoff: { type: 'seismo' },
      // Completed job ids are what makes a repeated alert a no-op: keep them for the dedup retention.
      removeOnComplete: { age: Math.round(this.o.cfg.dedupRetentionHours * 3600) },
      removeOnFail: { age: Math.round(this.o.cfg.failedRetentionHours * 3600) },
    };
  }

  queue(receiver: string): Queue<JobData> {
    const q = this.queues.get(receiver);
    if (!q) throw new SeismoError(`no receiver named ${JSON.stringify(receiver)}`);
    return q;
  }

  async start(): Promise<void> {
    await this.redis.connect();
    for (const name of this.o.receivers.keys()) {
      const q = new Queue<JobData>(queueName(name), { connection: this.redis, prefix: this.o.prefix, defaultJobOptions: this.jobOptions() });
      q.on('error', (err) => this.o.logger.warn({ receiver: name, err: errorMessage(err) }, 'notifier queue error'));
      this.queues.set(name, q);
    }
    if (this.o.workers) for (const r of this.o.receivers.values()) this.startWorker(r);
    const tick = (): void => void this.updateDepth().catch(() => undefined);
    this.depthTimer = setInterval(tick, 5000);
    this.depthTimer.unref();
    tick();
  }

  private startWorker(receiver: Receiver): void {
    const rc = this.o.cfg.receivers.find((r) => r.name === receiver.name);
    const connection = new Redis(this.o.redisUrl, { maxRetriesPerRequest: null, ...(this.o.redisPassword ? { password: this.o.redisPassword } : {}) });
    connection.on('error', (err) => this.o.logger.warn({ receiver: receiver.name, err: errorMessage(err) }, 'notifier worker redis error'));
    const policy = { baseMs: this.o.cfg.backoffMs, maxMs: this.o.cfg.maxBackoffMs };
    const worker = new Worker<JobData>(queueName(receiver.name), (job) => this.process(receiver, job), {
      connection,
      prefix: this.o.prefix,
      concurrency: rc?.concurrency ?? 4,
      ...(rc?.rateLimit ? { limiter: { max: rc.rateLimit.max, duration: rc.rateLimit.durationMs } } : {}),
      lockDuration: this.o.cfg.lockDurationMs,
      stalledInterval: Math.max(250, Math.min(30_000, Math.floor(this.o.cfg.lockDurationMs / 2))),
      maxStalledCount: 3,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => deliveryBackoffMs(attemptsMade, err, policy),
      },
    });
    worker.on('error', (err) => this.o.logger.warn({ receiver: receiver.name, err: errorMessage(err) }, 'notifier worker error'));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) {
        this.o.metrics.failed.inc({ receiver: receiver.name });
        this.o.logger.error({ receiver: receiver.name, job: job.id, attempts: job.attemptsMade, err: err.message }, 'notification failed; in the failed set (seismo alerts failed / retry)');
      } else {
        this.o.logger.warn({ receiver: receiver.name, job: job.id, attempt: job.attemptsMade, err: err.message }, 'notification attempt failed; will retry');
      }
    });
    this.workers.push({ worker, connection });
  }

  private async process(receiver: Receiver, job: Job<JobData>): Promise<string> {
    let n: Notification;
    if ('alert' in job.data) {
      const [alert] = await this.o.recheck([job.data.alert]);
      if (!alert) return 'silenced while queued';
      n = singleNotification(job.id ?? alertJobId(alert), receiver.name, alert, this.o.dashboardUrl, job.data.test === true);
    } else {
      n = await this.loadGroup(receiver.name, job.id ?? '', job.data);
      if (n.count === 0) {
        await this.redis.del(job.data.membersKey);
        return 'no members left (silenced while queued, or delivered before)';
      }
    }
    let detail: string;
    try {
      detail = await receiver.deliver(n, this.inflight.signal);
    } catch (err) {
      const retriable = err instanceof SeismoError ? err.retriable : true;
      this.o.metrics.errors.inc({ type: `${receiver.type}_${retriable ? 'retryable' : 'failure'}` });
      if (!retriable) throw new UnrecoverableError(errorMessage(err));
      throw err;
    }
    recordDelivered(this.o.metrics, this.o.logger, n, detail);
    if (!('alert' in job.data)) await this.redis.del(job.data.membersKey);
    return detail;
  }

  private async loadGroup(receiver: string, id: string, d: GroupJobData): Promise<Notification> {
    await this.redis.seismoGroupClose(d.openKey, d.windowId);
    const raw = await this.redis.hgetall(d.membersKey);
    const members = Object.values(raw).map((j) => JSON.parse(j) as Alert);
    const alerts = (await this.o.recheck(members)).sort((a, b) => a.ts - b.ts || a.dedupKey.localeCompare(b.dedupKey));
    if (alerts.length < members.length) {
      // Silenced members leave the window, so a retry of this job neither sends nor counts them again.
      const kept = new Set(alerts.map((a) => alertJobId(a)));
      const gone = members.map((a) => alertJobId(a)).filter((f) => !kept.has(f));
      await this.redis.hdel(d.membersKey, ...gone);
    }
    const carried = alerts.slice(0, this.o.cfg.grouping.maxAlertsPerNotification);
    return { id, receiver, state: d.state, groupKey: d.groupKey, groupLabels: d.groupLabels, count: alerts.length, alerts: carried, truncated: alerts.length - carried.length, dashboardUrl: this.o.dashboardUrl, test: false };
  }

  /**
   * Waits while the receiver's queue (waiting + delayed + prioritized jobs) is at capacity, or
   * says "no room" at once under `whenFull: drop`.
   */
  private async room(q: Queue<JobData>): Promise<boolean> {
    for (;;) {
      const c = await q.getJobCounts('waiting', 'delayed', 'prioritized');
      const depth = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
      if (depth < this.o.cfg.queueCapacity) return true;
      if (this.o.cfg.whenFull === 'drop') return false;
      await sleep(200, this.o.signal);
    }
  }

  async addSingles(receiver: string, alerts: Alert[]): Promise<AddResult> {
    const q = this.queue(receiver);
    if (!(await this.room(q))) return { duplicates: 0, dropped: alerts.length };
    const ids = alerts.map((a) => alertJobId(a));
    const unique = new Map<string, Alert>();
    alerts.forEach((a, i) => unique.set(ids[i], a));
    const exists = await Promise.all([...unique.keys()].map((id) => this.redis.exists(q.toKey(id))));
    const fresh = [...unique.entries()].filter((_, i) => exists[i] === 0);
    for (let i = 0; i < fresh.length; i += 1000) {
      await q.addBulk(fresh.slice(i, i + 1000).map(([jobId, alert]) => ({ name: 'alert', data: { alert }, opts: { ...this.jobOptions(), jobId } })));
    }
    return { duplicates: alerts.length - fresh.length, dropped: 0 };
  }

  async addGrouped(receiver: string, items: Array<{ alert: Alert; group: GroupTarget }>): Promise<AddResult> {
    const q = this.queue(receiver);
    if (!(await this.room(q))) return { duplicates: 0, dropped: items.length };
    const p = this.o.prefix;
    const seenMs = Math.round(this.o.cfg.dedupRetentionHours * 3600_000);
    // Members outlive the window's job in the failed set, so `seismo alerts retry` finds them.
    const membersMs = Math.round(Math.max(this.o.cfg.dedupRetentionHours, this.o.cfg.failedRetentionHours) * 3600_000) + longestWaitMs(items);
    const results = await Promise.all(
      items.map(({ alert, group }) => {
        const openKey = `${p}:alerting:group-open:${receiver}:${group.key}`;
        const seenKey = `${p}:alerting:seen:${receiver}:${alertJobId(alert)}`;
        const candidate = `${receiver}.${group.key}.${Date.now()}.${Math.random().toString(36).slice(2, 10)}`;
        return this.redis.seismoGroupAdd(openKey, seenKey, candidate, alertJobId(alert), JSON.stringify(alert), seenMs, `${p}:alerting:group:`, group.waitMs, membersMs);
      }),
    );
    const windows = new Map<string, GroupJobData & { waitMs: number }>();
    let duplicates = 0;
    results.forEach(([accepted, win], i) => {
      if (accepted !== 1) duplicates++;
      const { alert, group } = items[i];
      if (!windows.has(win)) {
        windows.set(win, { windowId: win, openKey: `${p}:alerting:group-open:${receiver}:${group.key}`, membersKey: `${p}:alerting:group:${win}`, groupKey: group.key, groupLabels: group.labels, state: alert.state, waitMs: group.waitMs });
      }
    });
    // Adding the flush job for every touched window, duplicates' windows included, is idempotent
    // (its id derives from the window), so a crash between accepting members and scheduling their
    // window's flush heals on the upstream's redelivery.
    for (const { waitMs, ...data } of windows.values()) {
      const opened = Number(data.windowId.split('.').at(-2));
      const delay = Math.max(0, opened + waitMs - Date.now());
      await q.add('group', data, { ...this.jobOptions(), jobId: groupJobId(data.windowId), delay });
    }
    return { duplicates, dropped: 0 };
  }

  private async updateDepth(): Promise<void> {
    let total = 0;
    for (const [name, q] of this.queues) {
      const c = await q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
      for (const [state, v] of Object.entries(c)) this.o.metrics.queueDepth.set({ receiver: name, state }, v);
      total += (c.waiting ?? 0) + (c.delayed ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
    }
    this.o.metrics.bufferDepth.set(total);
  }

  async stop(): Promise<void> {
    if (this.depthTimer) clearInterval(this.depthTimer);
    await Promise.all(this.workers.map(async ({ worker, connection }) => {
      await worker.close();
      connection.disconnect();
    }));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Abrupt stop, as a crash looks to Redis: in-flight deliveries are aborted, jobs stay active until their locks expire. */
  async kill(): Promise<void> {
    if (this.depthTimer) clearInterval(this.depthTimer);
    this.inflight.abort(new Error('notifier killed'));
    await Promise.all(this.workers.map(async ({ worker, connection }) => {
      await worker.close(true).catch(() => undefined);
      connection.disconnect();
    }));
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}
