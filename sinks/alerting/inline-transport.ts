import type { Logger } from 'pino';
import type { Alert } from '../../pipeline/ports.js';
import { BoundedChannel } from '../../pipeline/channel.js';
import { SeismoError, errorMessage } from '../../pipeline/errors.js';
import { sleep, withRetry } from '../../pipeline/retry.js';
import type { AlertingConfig } from './config.js';
import type { Receiver } from './receiver.js';
import { recordDelivered, type NotifierMetrics } from './telemetry.js';
import { MemoryKeyValueStore } from './kv.js';
import { alertJobId, groupJobId, singleNotification, type Notification } from './notification.js';
import type { AddResult, DeliveryTransport, GroupTarget, Recheck } from './transport.js';

/** A notification that ran out of attempts in embedded mode (kept in memory, newest 1000). */
export interface InlineFailure {
  notification: Notification;
  attempts: number;
  error: string;
  failedAt: number;
}

interface OpenGroup {
  id: string;
  alerts: Alert[];
  count: number;
  labels: Record<string, string>;
  key: string;
  state: Alert['state'];
  timer: NodeJS.Timeout;
}

/** Sliding-window limiter: at most `max` starts per `durationMs`. */
class WindowLimiter {
  private readonly starts: number[] = [];
  constructor(private readonly max: number, private readonly durationMs: number) {}
  async take(signal: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.starts.length && this.starts[0] <= now - this.durationMs) this.starts.shift();
      if (this.starts.length < this.max) {
        this.starts.push(now);
        return;
      }
      await sleep(this.starts[0] + this.durationMs - now, signal);
    }
  }
}

/**
 * Embedded delivery (no Redis): a bounded channel per receiver (handle() waits while it is full),
 * the one retry helper, an in-memory dedup window and in-memory groups. Nothing survives a restart;
 * configure Redis for durable delivery.
 */
export class InlineTransport implements DeliveryTransport {
  private readonly channels = new Map<string, BoundedChannel<Notification>>();
  private readonly seen: MemoryKeyValueStore;
  private readonly groups = new Map<string, OpenGroup>();
  private readonly loops: Promise<void>[] = [];
  /** Fired by kill(). */
  private readonly abort = new AbortController();
  /** Fired when stop()'s grace period (`shutdownGraceMs`) ends: retries and queued deliveries are cut short. */
  private readonly drain = new AbortController();
  private readonly signal = AbortSignal.any([this.abort.signal, this.drain.signal]);
  private readonly cutShort = new Map<string, number>();
  readonly failures: InlineFailure[] = [];

  constructor(private readonly o: { cfg: AlertingConfig; receivers: Map<string, Receiver>; dashboardUrl: string; metrics: NotifierMetrics; logger: Logger; recheck: Recheck }) {
    this.seen = new MemoryKeyValueStore(Math.max(10_000, o.cfg.queueCapacity * 10));
  }

  async start(): Promise<void> {
    for (const r of this.o.receivers.values()) {
      const ch = new BoundedChannel<Notification>(this.o.cfg.queueCapacity);
      this.channels.set(r.name, ch);
      const rc = this.o.cfg.receivers.find((c) => c.name === r.name);
      const limiter = rc?.rateLimit ? new WindowLimiter(rc.rateLimit.max, rc.rateLimit.durationMs) : null;
      this.loops.push(this.loop(r, ch, limiter, rc?.concurrency ?? 4));
    }
  }

  /** One receiving loop per channel (the channel has a single receiver) feeding up to `concurrency` deliveries. */
  private async loop(r: Receiver, ch: BoundedChannel<Notification>, limiter: WindowLimiter | null, concurrency: number): Promise<void> {
    const active = new Set<Promise<void>>();
    for (;;) {
      while (active.size >= concurrency) await Promise.race(active);
      const [n] = await ch.receive(1);
      if (!n) break;
      this.o.metrics.bufferDepth.set(this.depth());
      const p: Promise<void> = this.deliverOne(r, n, limiter).finally(() => active.delete(p));
      active.add(p);
    }
    await Promise.all(active);
  }

  private async deliverOne(r: Receiver, queued: Notification, limiter: WindowLimiter | null): Promise<void> {
    const alerts = await this.o.recheck(queued.alerts);
    if (alerts.length === 0) return;
    const count = queued.count - (queued.alerts.length - alerts.length);
    const n: Notification = { ...queued, alerts, count };
    if (this.drain.signal.aborted) {
      this.recordCutShort(r, n, 0, false, undefined);
      return;
    }
    const policy = { attempts: this.o.cfg.attempts, baseMs: this.o.cfg.backoffMs, maxMs: this.o.cfg.maxBackoffMs };
    const signal = this.signal;
    let attempts = 0;
    let lastError: unknown;
    let cutMidAttempt = false;
    try {
      const detail = await withRetry(
        async (attempt) => {
          attempts = attempt;
          try {
            if (limiter) await limiter.take(signal);
            return await r.deliver(n, signal);
          } catch (err) {
            // An attempt that failed because we aborted it says nothing about the receiver.
            if (!signal.aborted) throw err;
            cutMidAttempt = true;
            throw signal.reason;
          }
        },
        policy,
        {
          signal,
          onRetry: (err) => {
            lastError = err;
            this.o.metrics.errors.inc({ type: `${r.type}_retryable` });
          },
        },
      );
      recordDelivered(this.o.metrics, this.o.logger, n, detail);
    } catch (err) {
      if (this.drain.signal.aborted && err === this.drain.signal.reason) {
        this.recordCutShort(r, n, attempts, cutMidAttempt, lastError);
        return;
      }
      const retriable = err instanceof SeismoError ? err.retriable : true;
      this.o.metrics.errors.inc({ type: `${r.type}_${retriable ? 'retryable' : 'failure'}` });
      this.recordFailure(r, n, attempts, errorMessage(err));
    }
  }

  /**
   * A delivery stop() gave up on when its grace period ended (waiting for a retry, mid-request, or
   * still queued): recorded like one that ran out of attempts. Its failed attempts were counted in
   * errors_total as they happened.
   */
  private recordCutShort(r: Receiver, n: Notification, attempts: number, midAttempt: boolean, lastError: unknown): void {
    this.cutShort.set(r.name, (this.cutShort.get(r.name) ?? 0) + 1);
    const last = lastError === undefined ? '' : `${midAttempt ? '; last error' : ''}: ${errorMessage(lastError)}`;
    const why = attempts === 0 ? 'not attempted' : `cut short ${midAttempt ? 'during' : 'after'} attempt ${attempts}${last}`;
    this.recordFailure(r, n, attempts, `shutdown grace period ended: ${why}`);
  }

  private recordFailure(r: Receiver, n: Notification, attempts: number, error: string): void {
    this.o.metrics.failed.inc({ receiver: r.name });
    this.o.logger.error({ receiver: r.name, notification: n.id, state: n.state, count: n.count, dedupKeys: n.alerts.map((a) => a.dedupKey), attempts, err: error }, 'notification failed (embedded mode: kept in memory only)');
    this.failures.push({ notification: n, attempts, error, failedAt: Date.now() });
    if (this.failures.length > 1000) this.failures.shift();
  }

  private depth(): number {
    let d = 0;
    for (const ch of this.channels.values()) d += ch.depth;
    return d;
  }

  private channel(receiver: string): BoundedChannel<Notification> {
    const ch = this.channels.get(receiver);
    if (!ch) throw new SeismoError(`no receiver named ${JSON.stringify(receiver)}`);
    return ch;
  }

  private async firstTime(receiver: string, id: string): Promise<boolean> {
    const key = `${receiver}\u0000${id}`;
    if (await this.seen.get(key)) return false;
    await this.seen.set(key, '1', this.o.cfg.dedupRetentionHours * 3600_000);
    return true;
  }

  async addSingles(receiver: string, alerts: Alert[]): Promise<AddResult> {
    const ch = this.channel(receiver);
    let duplicates = 0;
    let dropped = 0;
    for (const a of alerts) {
      const id = alertJobId(a);
      if (this.o.cfg.whenFull === 'drop' && ch.depth >= ch.capacity) {
        dropped++;
        continue;
      }
      if (!(await this.firstTime(receiver, id))) {
        duplicates++;
        continue;
      }
      await ch.send(singleNotification(id, receiver, a, this.o.dashboardUrl));
    }
    this.o.metrics.bufferDepth.set(this.depth());
    return { duplicates, dropped };
  }

  async addGrouped(receiver: string, items: Array<{ alert: Alert; group: GroupTarget }>): Promise<AddResult> {
    const ch = this.channel(receiver);
    if (this.o.cfg.whenFull === 'drop' && ch.depth >= ch.capacity) return { duplicates: 0, dropped: items.length };
    let duplicates = 0;
    for (const { alert, group } of items) {
      if (!(await this.firstTime(receiver, alertJobId(alert)))) {
        duplicates++;
        continue;
      }
      const key = `${receiver}\u0000${group.key}`;
      let g = this.groups.get(key);
      if (!g) {
        const id = groupJobId(`${receiver}.${group.key}.${Date.now()}.${Math.random()}`);
        const timer = setTimeout(() => void this.flush(key, ch, receiver), group.waitMs);
        timer.unref();
        g = { id, alerts: [], count: 0, labels: group.labels, key: group.key, state: alert.state, timer };
        this.groups.set(key, g);
      }
      g.count++;
      if (g.alerts.length < this.o.cfg.grouping.maxAlertsPerNotification) g.alerts.push(alert);
    }
    return { duplicates, dropped: 0 };
  }

  private flush(key: string, ch: BoundedChannel<Notification>, receiver: string): Promise<void> {
    const g = this.groups.get(key);
    if (!g) return Promise.resolve();
    this.groups.delete(key);
    clearTimeout(g.timer);
    const n: Notification = { id: g.id, receiver, state: g.state, groupKey: g.key, groupLabels: g.labels, count: g.count, alerts: g.alerts, truncated: g.count - g.alerts.length, dashboardUrl: this.o.dashboardUrl, test: false };
    return ch.send(n).catch((err: unknown) => {
      this.o.metrics.errors.inc({ type: 'closed' });
      this.o.logger.warn({ receiver, notification: n.id, err: errorMessage(err) }, 'group flushed after shutdown; dropped');
    });
  }

  /**
   * Flushes open groups and lets queued and in-flight deliveries run for `shutdownGraceMs`; then
   * their retries are aborted and whatever has not been delivered is recorded as failed. The
   * grace period starts here rather than at the context's abort signal: the pipeline stops the
   * notifier after the stages upstream have drained into it.
   */
  async stop(): Promise<void> {
    const graceMs = this.o.cfg.shutdownGraceMs;
    const reason = new SeismoError(`notifier stopping: shutdown grace period of ${graceMs} ms ended`, { retriable: true });
    const timer = setTimeout(() => this.drain.abort(reason), graceMs);
    try {
      // Open groups go out now; the delivery loops are still draining, so these sends complete.
      await Promise.all([...this.groups.keys()].map((key) => this.flush(key, this.channel(this.receiverOf(key)), this.receiverOf(key))));
      for (const ch of this.channels.values()) ch.close();
      await Promise.all(this.loops);
    } finally {
      clearTimeout(timer);
    }
    const total = [...this.cutShort.values()].reduce((a, b) => a + b, 0);
    if (total > 0) {
      this.o.logger.warn({ cutShort: total, byReceiver: Object.fromEntries(this.cutShort), shutdownGraceMs: graceMs }, `${total} notification(s) not delivered within the shutdown grace period; retries aborted, recorded as failed`);
    }
  }

  private receiverOf(groupMapKey: string): string {
    return groupMapKey.split('\u0000')[0];
  }

  async kill(): Promise<void> {
    for (const g of this.groups.values()) clearTimeout(g.timer);
    this.groups.clear();
    this.abort.abort(new Error('notifier killed'));
    for (const ch of this.channels.values()) ch.close();
    await Promise.allSettled(this.loops);
  }
}
