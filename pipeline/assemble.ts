import type { Admin, Kafka } from 'kafkajs';
import type { SeismoConfig, Role } from '../config/schema.js';
import type { Component, Context } from './component.js';
import type { Alert, DeadLetterSink, Emitter, FeatureRecord, Sample } from './ports.js';
import type { PointSink } from './point-sink.js';
import type { AlertHandler } from './notify-stage.js';
import type { StateStore } from './state-store.js';
import type { ReadinessCheck } from '../api/server.js';
import type { Collector } from '../ingest/collector.js';
import { BoundedChannel } from './channel.js';
import { ChannelStageInput, MemoryDeadLetterSink, channelEmitter } from './embedded.js';
import { MemoryStateStore } from './state-store.js';
import { NotifyStage } from './notify-stage.js';
import { ConfigError } from './errors.js';
import { createKafka, ensureTopics } from './kafka/client.js';
import { KafkaProducer, kafkaDeadLetterSink, kafkaEmitter } from './kafka/producer.js';
import { KafkaStageInput } from './kafka/consumer.js';
import { KafkaStateStore } from './kafka/state-store.js';
import { alertCodec, featureCodec, sampleCodec } from './kafka/codec.js';
import { FeatureStage } from '../features/processor.js';
import { DetectorStage, type ScoredPoint } from '../detect/worker/stage.js';
import { detectorModelOptions } from '../detect/worker/model-options.js';
import { createCollector, createCheckpointStore, type CheckpointStore } from '../ingest/index.js';
import { componentMetrics } from './telemetry.js';
import { DashboardState } from '../api/state.js';

/** InfluxDB writer as the stages use it. */
export type InfluxSink = Component & PointSink<unknown> & { readonly healthy?: boolean; scope?(): PointSink<unknown> };

/**
 * A stage's own handle on the shared writer: its flush(partition) waits for and reports the
 * failure of any batch that carried this stage's points of that partition, so no stage commits a
 * partition's offsets for points InfluxDB never stored, even with several partitions in flight.
 */
function stageSink(influx: InfluxSink): PointSink<unknown> {
  return influx.scope ? influx.scope() : influx;
}

/** The notifier as the pipeline uses it; `ready` backs `/readyz` (Redis reachable). */
export type NotifierLike = Component & AlertHandler & { ready?(): Promise<boolean | string> };

/** The sinks owned by other parts of seismo, injected so the assembly stays transport-only. */
export interface SinkFactories {
  influx?: (cfg: NonNullable<SeismoConfig['influxdb']>, ctx: Context) => InfluxSink;
  featurePoints?: (f: FeatureRecord) => unknown[];
  scorePoints?: (s: ScoredPoint) => unknown[];
  alertPoints?: (a: Alert) => unknown[];
  notifier?: (cfg: SeismoConfig, ctx: Context, deps: { deadLetter: DeadLetterSink }) => NotifierLike;
}

export interface PipelineOptions {
  role: Role;
  sinks?: SinkFactories;
  /** Replaces the configured notifier (tests, replay). */
  notifier?: AlertHandler;
  /** Observers of what the detector scored and alerted (once durable). */
  onScored?: (points: ScoredPoint[]) => void;
  onAlerts?: (alerts: Alert[]) => void;
  /** Feed the dashboard state (only worth it when this process serves the API). Default true. */
  feedDashboard?: boolean;
}

const has = (role: Role, r: Role): boolean => role === 'all' || role === r;

/**
 * Builds the roles of one process over the configured transport: Kafka when `kafka` is
 * configured, bounded in-process channels otherwise (then only `all` makes sense). Start order is
 * sinks, consumers, collectors; stop order is collectors first, then each stage drains and commits,
 * then sinks flush and close.
 */
export class Pipeline {
  readonly dashboard: DashboardState;
  readonly readiness: ReadinessCheck[] = [];
  readonly collectors: Collector[] = [];
  /** Stopped in this order; started in reverse. */
  private readonly stopOrder: Component[] = [];
  private kafka: Kafka | null = null;
  private admin: Admin | null = null;
  private checkpoints: CheckpointStore | null = null;
  private embeddedDlq: MemoryDeadLetterSink | null = null;
  /** Embedded mode: the channels and stage inputs a forced shutdown aborts. */
  private readonly channels: BoundedChannel<unknown>[] = [];
  private readonly channelInputs: ChannelStageInput<never>[] = [];
  /** The notifier running in this process, if any (the API adds its silence routes). */
  notifierComponent: NotifierLike | null = null;
  readonly watching: string[] = [];

  constructor(
    private readonly cfg: SeismoConfig,
    private readonly ctx: Context,
    private readonly opts: PipelineOptions,
  ) {
    this.dashboard = new DashboardState({ maxSeries: cfg.api.maxSeries, recentPoints: cfg.api.recentPoints, maxAlerts: cfg.api.maxAlerts });
    if (!cfg.kafka && opts.role !== 'all' && opts.role !== 'api') {
      throw new ConfigError([`--role: found "${opts.role}"; without a kafka section only "all" (embedded) or "api" can run — add kafka.brokers to run roles in separate processes`]);
    }
    if (cfg.kafka) this.buildKafka(cfg.kafka);
    else if (opts.role === 'all') this.buildEmbedded();
  }

  get deadLetters(): MemoryDeadLetterSink | null {
    return this.embeddedDlq;
  }

  private influx(): InfluxSink | undefined {
    const f = this.opts.sinks?.influx;
    if (!this.cfg.influxdb || !f) return undefined;
    const w = f(this.cfg.influxdb, this.ctx);
    this.readiness.push({ name: 'influxdb', check: () => Promise.resolve(w.healthy ?? true) });
    return w;
  }

  private notifier(dlq: DeadLetterSink): { handler: AlertHandler; component?: Component } {
    if (this.opts.notifier) return { handler: this.opts.notifier };
    const f = this.opts.sinks?.notifier;
    if (!f) {
      const log = this.ctx.logger.child({ component: 'notifier' });
      return { handler: { handle: async (alerts) => void alerts.forEach((a) => log.warn({ alert: a }, 'alert (no notifier available)')) } };
    }
    const n = (this.notifierComponent = f(this.cfg, this.ctx, { deadLetter: dlq }));
    const ready = n.ready?.bind(n);
    if (this.cfg.redis && ready) this.readiness.push({ name: 'redis', check: ready });
    return { handler: n, component: n };
  }

  private observeAlerts = (alerts: Alert[]): void => {
    for (const a of alerts) this.dashboard.recordAlert(a);
    this.opts.onAlerts?.(alerts);
  };

  private observeScores = (points: ScoredPoint[]): void => {
    if (this.opts.feedDashboard !== false) {
      for (const { feature: f, result: r } of points) {
        this.dashboard.observe({ id: f.id, series: f.series, ts: f.ts, value: f.value, score: r.score, warm: r.warm, forecast: r.forecast, lo: r.lo, hi: r.hi });
      }
    }
    this.opts.onScored?.(points);
  };

  private featureStage(out: Emitter<FeatureRecord>, dlq: DeadLetterSink, store: StateStore, influx: InfluxSink | undefined): FeatureStage {
    const fp = this.opts.sinks?.featurePoints;
    return new FeatureStage({ features: this.cfg.features, workers: this.cfg.workers }, this.ctx, {
      out,
      dlq,
      store,
      ...(influx && fp && this.cfg.features.writeInflux ? { influx: { sink: stageSink(influx), toPoints: fp } } : {}),
    });
  }

  private detectorStage(alerts: Emitter<Alert>, store: StateStore, influx: InfluxSink | undefined): DetectorStage {
    const sp = this.opts.sinks?.scorePoints;
    const ap = this.opts.sinks?.alertPoints;
    const sink = influx && stageSink(influx);
    return new DetectorStage({ detect: this.cfg.detect, workers: this.cfg.workers }, this.ctx, {
      alerts,
      store,
      ...(sink && sp ? { scores: { sink, toPoints: sp } } : {}),
      ...(sink && ap ? { alertPoints: { sink, toPoints: ap } } : {}),
      onScored: this.observeScores,
      onAlerts: this.observeAlerts,
      model: detectorModelOptions(this.cfg.detect, this.ctx.logger),
    });
  }

  private buildCollectors(out: Emitter<Sample>, dlq: DeadLetterSink): void {
    this.checkpoints = createCheckpointStore(this.cfg.checkpoint, this.cfg.redis);
    for (const source of this.cfg.sources) {
      this.collectors.push(createCollector(source, this.ctx, out, dlq, { checkpoints: this.checkpoints }));
      this.watching.push(describeSource(source));
    }
  }

  private buildEmbedded(): void {
    const cap = this.cfg.embedded.channelCapacity;
    const batch = this.cfg.workers.batchSize;
    const samples = new BoundedChannel<Sample>(cap);
    const features = new BoundedChannel<FeatureRecord>(cap);
    const alerts = new BoundedChannel<Alert>(cap);
    const dlq = (this.embeddedDlq = new MemoryDeadLetterSink(this.ctx));
    const store = new MemoryStateStore();
    const influx = this.influx();
    const notifier = this.notifier(dlq);
    const inputs = [
      new ChannelStageInput(samples, this.featureStage(channelEmitter(features), dlq, store, influx), this.ctx, batch),
      new ChannelStageInput(features, this.detectorStage(channelEmitter(alerts), store, influx), this.ctx, batch),
      new ChannelStageInput(alerts, new NotifyStage(notifier.handler), this.ctx, batch),
    ];
    this.channels.push(samples as BoundedChannel<unknown>, features as BoundedChannel<unknown>, alerts as BoundedChannel<unknown>);
    this.channelInputs.push(...(inputs as ChannelStageInput<never>[]));
    for (const i of inputs) this.readiness.push({ name: i.name, check: () => Promise.resolve(i.problem ?? true) });
    this.buildCollectors(channelEmitter(samples), dlq);
    this.stopOrder.push(...this.collectors, ...inputs);
    if (notifier.component) this.stopOrder.push(notifier.component);
    if (influx) this.stopOrder.push(influx);
  }

  private buildKafka(k: NonNullable<SeismoConfig['kafka']>): void {
    const role = this.opts.role;
    const kafka = (this.kafka = createKafka(k, this.ctx.logger));
    this.admin = kafka.admin();
    const producer = new KafkaProducer(kafka, k, this.ctx);
    const dlq = kafkaDeadLetterSink(producer, k.topics.dlq, this.ctx);
    const enc = k.producer.encoding;
    const maxPts = k.producer.maxPointsPerMessage;
    const influx = has(role, 'processor') || has(role, 'detector') ? this.influx() : undefined;
    const inputs: KafkaStageInput<never>[] = [];
    const stores: KafkaStateStore[] = [];
    const group = (r: string): string => `${k.groupPrefix}-${r}`;
    const tail: Component[] = [];

    if (has(role, 'processor')) {
      const store = new KafkaStateStore(kafka, producer, k.topics.state, 'features', k.groupPrefix, this.ctx);
      stores.push(store);
      const stage = this.featureStage(kafkaEmitter(producer, k.topics.features, featureCodec(enc, maxPts)), dlq, store, influx);
      inputs.push(new KafkaStageInput({ kafka, cfg: k, topic: k.topics.samples, groupId: group('processor'), stage: 'features', codec: sampleCodec(enc, maxPts), dlq, worker: stage }, this.ctx) as KafkaStageInput<never>);
    }
    if (has(role, 'detector')) {
      const store = new KafkaStateStore(kafka, producer, k.topics.state, 'detect', k.groupPrefix, this.ctx);
      stores.push(store);
      const stage = this.detectorStage(kafkaEmitter(producer, k.topics.alerts, alertCodec()), store, influx);
      inputs.push(new KafkaStageInput({ kafka, cfg: k, topic: k.topics.features, groupId: group('detector'), stage: 'detect', codec: featureCodec(enc, maxPts), dlq, worker: stage }, this.ctx) as KafkaStageInput<never>);
    }
    if (has(role, 'notifier')) {
      const notifier = this.notifier(dlq);
      const stage = new NotifyStage(notifier.handler, has(role, 'detector') ? undefined : this.observeAlerts);
      inputs.push(new KafkaStageInput({ kafka, cfg: k, topic: k.topics.alerts, groupId: group('notifier'), stage: 'notify', codec: alertCodec(), dlq, worker: stage }, this.ctx) as KafkaStageInput<never>);
      if (notifier.component) tail.push(notifier.component);
    }
    if (has(role, 'collector')) this.buildCollectors(kafkaEmitter(producer, k.topics.samples, sampleCodec(enc, maxPts)), dlq);

    this.readiness.push({ name: 'kafka', check: () => Promise.resolve(producer.isConnected && inputs.every((i) => i.healthy) ? true : 'kafka disconnected or a consumer crashed') });
    // Stop: collectors, then each stage (drains its batch, commits), then state stores, sinks, producer.
    this.stopOrder.push(...this.collectors, ...inputs.slice().reverse(), ...stores, ...tail);
    if (influx) this.stopOrder.push(influx);
    this.stopOrder.push(producer);
  }

  async start(): Promise<void> {
    if (this.admin && this.cfg.kafka) {
      await this.admin.connect();
      if (this.cfg.kafka.createTopics) {
        const created = await ensureTopics(this.admin, this.cfg.kafka);
        if (created.length) this.ctx.logger.info({ topics: created }, 'created Kafka topics');
      }
    }
    // Sinks and producer first, then stores and consumers (downstream before upstream), collectors last.
    for (const c of this.stopOrder.slice().reverse()) await c.start();
  }

  /**
   * Embedded mode, when a component does not stop within `embedded.stopGraceMs`: a stage cannot
   * deliver, and everything upstream of it waits on full channels. Abort the channels (their items
   * are dropped and counted) and the flush retries, so the stop can finish.
   */
  private forceStop(slow: string): void {
    let dropped = 0;
    for (const ch of this.channels) dropped += ch.abort();
    for (const i of this.channelInputs) i.halt();
    if (dropped) componentMetrics(this.ctx.registry, 'embedded').dropped.inc(dropped);
    this.ctx.logger.error({ component: slow, graceMs: this.cfg.embedded.stopGraceMs, dropped }, 'stop is taking too long (a stage cannot deliver); aborted the in-process channels and flush retries; queued items were dropped');
  }

  /** Stops `c`; in embedded mode, forces the stop when it takes longer than the grace period. */
  private async stopOne(c: Component): Promise<void> {
    const stopping = c.stop();
    if (this.channels.length === 0) return stopping;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.cfg.embedded.stopGraceMs)));
    try {
      if ((await Promise.race([stopping, late])) === 'late') this.forceStop(c.name);
    } finally {
      clearTimeout(timer);
    }
    return stopping;
  }

  async stop(): Promise<void> {
    let first: unknown = null;
    for (const c of this.stopOrder) {
      try {
        await this.stopOne(c);
      } catch (err) {
        first ??= err;
        this.ctx.logger.error({ component: c.name, err: (err as Error).message }, 'stop failed');
      }
    }
    await this.checkpoints?.close();
    await this.admin?.disconnect().catch(() => undefined);
    if (first) throw first;
  }
}

function describeSource(s: SeismoConfig['sources'][number]): string {
  switch (s.type) {
    case 'host':
      return `host metrics from ${s.procPath} every ${s.intervalMs} ms`;
    case 'file':
      return `CSV ${s.path}`;
    case 'prometheus':
      return `Prometheus ${s.url}: ${s.queries.map((q) => q.name ?? q.query).join(', ')}`;
    default:
      return s.type;
  }
}
