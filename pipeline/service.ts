import { pino, type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Role, SeismoConfig } from '../config/schema.js';
import { defaultConfig, loadConfigFile } from '../config/load.js';
import type { Context } from './component.js';
import { Pipeline } from './assemble.js';
import { defaultSinks } from './sinks.js';
import { createApiServer, type ApiServer } from '../api/server.js';
import { influxAlertHistory, influxSeriesHistory } from '../sinks/influxdb/index.js';
import { registerAlertingRoutes } from '../sinks/alerting/index.js';
import type { Silences } from '../sinks/alerting/silences.js';
import type { InlineFailure } from '../sinks/alerting/inline-transport.js';
import { errorMessage } from './errors.js';

export interface ServiceOptions {
  configFile?: string | undefined;
  role: Role;
  /** Overrides `api.port` (one role per process on one host needs one port each). */
  httpPort?: number | undefined;
}

/** The context of one service process: its logger, a fresh registry with default metrics, an abort signal. */
export function createContext(cfg: SeismoConfig, controller: AbortController, logger?: Logger): Context {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'seismo_process_' });
  return { logger: logger ?? pino({ level: cfg.log.level, base: { service: 'seismo' } }), registry, signal: controller.signal };
}

/** A running service: the pipeline of its roles plus the HTTP API. */
export interface RunningService {
  pipeline: Pipeline;
  api: ApiServer | null;
  ctx: Context;
  stop(): Promise<void>;
}

/** Builds and starts the service (used by `seismo start` and by tests). */
export async function startService(cfg: SeismoConfig, role: Role, opts: { logger?: Logger } = {}): Promise<RunningService> {
  const controller = new AbortController();
  const ctx = createContext(cfg, controller, opts.logger);
  // The api role (and `all`) serves the dashboard and the API; the worker roles serve only health,
  // readiness and metrics on the same port, for probes and scraping.
  const serveApi = cfg.api.enabled && (role === 'all' || role === 'api');
  const pipeline = new Pipeline(cfg, ctx, { role, sinks: defaultSinks(), feedDashboard: serveApi });
  const api = !cfg.api.enabled
    ? null
    : serveApi
      ? createApiServer(cfg.api, ctx, {
          readiness: pipeline.readiness,
          state: pipeline.dashboard,
          ...(cfg.influxdb
            ? { alertHistory: influxAlertHistory(cfg.influxdb), seriesHistory: influxSeriesHistory(cfg.influxdb, { recentPoints: cfg.api.recentPoints }) }
            : {}),
        })
      : createApiServer(cfg.api, ctx, { readiness: pipeline.readiness, state: pipeline.dashboard, routes: 'ops' });
  const notifier = pipeline.notifierComponent as (object & { silences?: Silences; embeddedFailures?: readonly InlineFailure[] | null }) | null;
  if (api && serveApi && notifier?.silences) registerAlertingRoutes(api, { silences: notifier.silences, embeddedFailures: notifier.embeddedFailures ?? null });
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      controller.abort(new Error('shutting down'));
      try {
        await pipeline.stop();
      } finally {
        await api?.stop();
      }
    })());
  try {
    await api?.start();
    await pipeline.start();
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { pipeline, api, ctx, stop };
}

function banner(cfg: SeismoConfig, role: Role, svc: RunningService): string {
  const lines = [`seismo is running (role ${role}, transport ${cfg.kafka ? `Kafka ${cfg.kafka.brokers.join(',')}` : 'embedded in-process channels'})`];
  if (svc.api) {
    const { host, port } = svc.api.address();
    const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (role === 'all' || role === 'api') lines.push(`  dashboard: ${base}/`);
    lines.push(`  metrics:   ${base}/metrics`, `  health:    ${base}/healthz  ${base}/readyz`);
  }
  if (svc.pipeline.watching.length) lines.push(`  watching:  ${svc.pipeline.watching.join('; ')}`);
  if (cfg.influxdb) lines.push(`  writing:   InfluxDB ${cfg.influxdb.url} (${cfg.influxdb.database})`);
  lines.push(`  alerts to: ${cfg.alerting.receivers.length ? cfg.alerting.receivers.map((r) => r.name).join(', ') : 'the dashboard and log only (no receivers configured)'}`);
  lines.push('  Ctrl-C stops (collectors first, then the stages drain); a second Ctrl-C forces exit.');
  return lines.join('\n') + '\n';
}

/** `seismo start`: runs until SIGINT/SIGTERM, then stops in order and returns 0. */
export async function runService(opts: ServiceOptions): Promise<number> {
  const loaded = opts.configFile ? loadConfigFile(opts.configFile) : defaultConfig();
  const cfg = opts.httpPort === undefined ? loaded : { ...loaded, api: { ...loaded.api, port: opts.httpPort } };
  const svc = await startService(cfg, opts.role);
  process.stdout.write(banner(cfg, opts.role, svc));
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        svc.ctx.logger.warn({ signal: sig }, 'second signal: exiting without draining');
        process.exit(130);
      }
      svc.ctx.logger.info({ signal: sig }, 'stopping');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  try {
    await svc.stop();
  } catch (err) {
    svc.ctx.logger.error({ err: errorMessage(err) }, 'stopped with errors');
    process.exitCode = 1;
    return 1;
  }
  svc.ctx.logger.info('stopped');
  process.exitCode = 0;
  return 0;
}
