import type { SeismoConfig } from '../../config/schema.js';
import { resolveSecret } from '../../config/load.js';
import type { Alert, DeadLetterSink } from '../../pipeline/ports.js';
import { checkAlert } from './validate.js';
import { Lifecycle, type Component, type Context } from '../../pipeline/component.js';
import { SeismoError } from '../../pipeline/errors.js';
import { alertLabels } from './matchers.js';
import { Router } from './routing.js';
import { groupKeyOf } from './notification.js';
import { createReceiver, type Receiver } from './receiver.js';
import { MemoryKeyValueStore, RedisKeyValueStore, type KeyValueStore } from './kv.js';
import { MemorySilenceStore, RedisSilenceStore, Silences, silenceFromConfig, silencedBy } from './silences.js';
import { notifierMetrics, type NotifierMetrics } from './telemetry.js';
import { QueueTransport } from './queue-transport.js';
import { InlineTransport, type InlineFailure } from './inline-transport.js';
import type { AddResult, DeliveryTransport, GroupTarget, Recheck } from './transport.js';
import type { SuppressReason } from './telemetry.js';

export { registerAlertingRoutes } from './api-routes.js';
export type { Notification } from './notification.js';

/**
 * The notifier role: routes alerts to receivers, applies silences, groups, deduplicates, and
 * delivers through BullMQ (Redis configured) or in-process (embedded).
 *
 * `handle(alerts)` resolves once every alert is accepted: written to Redis (BullMQ job or group
 * member) or, embedded, placed in a bounded in-process queue (waiting while it is full). A caller
 * committing Kafka offsets after it resolves gets at-least-once input, and the job ids derived
 * from dedup key + state turn repeats into no-ops.
 */
export interface Notifier extends Component {
  handle(alerts: Alert[]): Promise<void>;
  /** Silences from configuration and the API. */
  readonly silences: Silences;
  /** Receivers by name (for `seismo alerts test`). */
  readonly receivers: ReadonlyMap<string, Receiver>;
  /** The BullMQ transport when Redis is configured (for `seismo alerts failed|retry`). */
  readonly queues: QueueTransport | null;
  /** Without Redis: deliveries that failed for good, in memory (newest 1000; `GET /api/alerts/failed`). */
  readonly embeddedFailures: readonly InlineFailure[] | null;
  /** Abrupt stop, as a crash: in-flight deliveries are abandoned and taken over by another notifier after lockDurationMs. */
  kill(): Promise<void>;
}

export interface NotifierOptions {
  /** Run delivery workers in this process. Default true; false for processes that only enqueue or manage silences. */
  workers?: boolean;
  /** Where malformed alerts go (stage `notifier`); without it they are logged and counted only. */
  deadLetter?: DeadLetterSink;
}

export function dashboardUrl(cfg: SeismoConfig): string {
  return (cfg.api.publicUrl ?? `http://${cfg.api.host.includes(':') ? `[${cfg.api.host}]` : cfg.api.host}:${cfg.api.port}`).replace(/\/+$/, '');
}

class AlertNotifier extends Lifecycle implements Notifier {
  readonly name = 'notifier';
  readonly silences: Silences;
  readonly receivers: Map<string, Receiver>;
  readonly queues: QueueTransport | null;
  readonly embeddedFailures: readonly InlineFailure[] | null;
  private readonly transport: DeliveryTransport;
  private readonly router: Router;
  private readonly metrics: NotifierMetrics;
  private readonly skipResolved: Set<string>;

  constructor(
    private readonly cfg: SeismoConfig,
    private readonly ctx: Context,
    private readonly opts: NotifierOptions,
  ) {
    super();
    const a = cfg.alerting;
    this.metrics = notifierMetrics(ctx.registry);
    this.router = new Router(a);
    this.skipResolved = new Set(a.receivers.filter((r) => !r.sendResolved).map((r) => r.name));
    const logger = ctx.logger.child({ component: 'notifier' });
    const url = dashboardUrl(cfg);
    // The transport keeps a reference to this map; receivers are added before start().
    this.receivers = new Map();
    const build = (kv: KeyValueStore): void => {
      a.receivers.forEach((rc, i) => this.receivers.set(rc.name, createReceiver(rc, i, { kv, secret: (s, path) => resolveSecret(s, path) })));
    };
    const configured = a.silences.map(silenceFromConfig);
    const recheck: Recheck = async (alerts) => {
      const now = Date.now();
      const silences = await this.silences.current(now);
      const keep = alerts.filter((x) => !silencedBy(silences, alertLabels(x), now));
      if (keep.length < alerts.length) this.suppress('silenced_in_queue', alerts.length - keep.length);
      return keep;
    };
    if (cfg.redis) {
      const password = cfg.redis.password === undefined ? undefined : resolveSecret(cfg.redis.password, 'redis.password');
      const q = new QueueTransport({ redisUrl: cfg.redis.url, ...(password !== undefined ? { redisPassword: password } : {}), prefix: cfg.redis.prefix, cfg: a, receivers: this.receivers, dashboardUrl: url, metrics: this.metrics, logger, workers: opts.workers ?? true, recheck, signal: ctx.signal });
      build(new RedisKeyValueStore(q.redis, `${cfg.redis.prefix}:alerting`));
      this.queues = q;
      this.embeddedFailures = null;
      this.transport = q;
      this.silences = new Silences(configured, new RedisSilenceStore(q.redis, cfg.redis.prefix));
    } else {
      build(new MemoryKeyValueStore());
      this.queues = null;
      const inline = new InlineTransport({ cfg: a, receivers: this.receivers, dashboardUrl: url, metrics: this.metrics, logger, recheck });
      this.embeddedFailures = inline.failures;
      this.transport = inline;
      this.silences = new Silences(configured, new MemorySilenceStore());
    }
  }

  protected doStart(): Promise<void> {
    return this.transport.start();
  }

  protected doStop(): Promise<void> {
    return this.transport.stop();
  }

  async kill(): Promise<void> {
    await this.transport.kill();
    await this.stop().catch(() => undefined);
  }

  async handle(alerts: Alert[]): Promise<void> {
    if (!this.running) throw new SeismoError('notifier: handle() before start() or after stop()', { retriable: true });
    if (alerts.length === 0) return;
    this.metrics.received.inc(alerts.length);
    alerts = await this.dropMalformed(alerts);
    const now = Date.now();
    const silences = await this.silences.current(now);
    const singles = new Map<string, Alert[]>();
    const grouped = new Map<string, Array<{ alert: Alert; group: GroupTarget }>>();
    for (const alert of alerts) {
      const labels = alertLabels(alert);
      const silence = silencedBy(silences, labels, now);
      if (silence) {
        this.suppress('silenced');
        this.ctx.logger.debug({ series: alert.series.id, dedupKey: alert.dedupKey, silence: silence.id }, 'alert silenced');
        continue;
      }
      const targets = this.router.route(labels);
      if (targets.length === 0) {
        this.suppress('no_route');
        continue;
      }
      for (const t of targets) {
        if (alert.state === 'resolved' && this.skipResolved.has(t.receiver)) {
          this.suppress('resolved_not_sent');
          continue;
        }
        if (t.groupWaitMs > 0) {
          const g = groupKeyOf(t.receiver, alert.state, t.groupBy, labels);
          push(grouped, t.receiver, { alert, group: { key: g.key, labels: g.labels, waitMs: t.groupWaitMs } });
        } else {
          push(singles, t.receiver, alert);
        }
      }
    }
    const work: Promise<AddResult>[] = [];
    for (const [receiver, list] of singles) work.push(this.transport.addSingles(receiver, list));
    for (const [receiver, list] of grouped) {
      work.push(
        this.transport.addGrouped(receiver, list).then((r) => {
          this.metrics.grouped.inc({ receiver }, list.length - r.duplicates - r.dropped);
          return r;
        }),
      );
    }
    const results = await Promise.all(work);
    const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
    const dropped = results.reduce((s, r) => s + r.dropped, 0);
    if (duplicates) this.suppress('duplicate', duplicates);
    if (dropped) this.suppress('queue_full', dropped);
  }

  private async dropMalformed(alerts: Alert[]): Promise<Alert[]> {
    const bad: Array<{ alert: unknown; reason: string }> = [];
    const good = alerts.filter((a) => {
      const reason = checkAlert(a);
      if (reason) bad.push({ alert: a, reason });
      return reason === null;
    });
    if (bad.length === 0) return alerts;
    this.suppress('invalid', bad.length);
    for (const b of bad) this.ctx.logger.warn({ reason: b.reason }, 'malformed alert dropped');
    await this.opts.deadLetter?.deadLetter(bad.map((b) => ({ stage: 'notifier', reason: b.reason, payload: b.alert, ts: Date.now() })));
    return good;
  }

  private suppress(reason: SuppressReason, n = 1): void {
    this.metrics.suppressed.inc({ reason }, n);
    this.metrics.dropped.inc(n);
  }
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

/** Builds the notifier from the whole configuration (alerting, redis, api.publicUrl). Nothing connects before start(). */
export function createNotifier(cfg: SeismoConfig, ctx: Context, opts: NotifierOptions = {}): Notifier {
  return new AlertNotifier(cfg, ctx, opts);
}
