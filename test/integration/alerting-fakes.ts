import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Alert } from '../../pipeline/ports.js';
import type { Context } from '../../pipeline/component.js';
import { parseConfig } from '../../config/load.js';
import type { SeismoConfig } from '../../config/schema.js';
import { redisUrl } from './stack.js';

/** The stack's Redis (`SEISMO_REDIS_URL` overrides, see stack.ts). */
export const REDIS_URL = redisUrl;

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'hold';

/** A local HTTP server recording requests; `reply` decides each answer (or holds the request open). */
export class FakeServer {
  readonly received: Received[] = [];
  /** Requests answered with 2xx. */
  readonly acknowledged: Received[] = [];
  private server: Server | null = null;
  private held: ServerResponse[] = [];
  url = '';

  constructor(public reply: (r: Received, n: number) => Reply = () => ({ status: 200, body: 'ok' })) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.on(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async on(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: unknown = undefined;
    try {
      json = JSON.parse(body);
    } catch {
      /* not JSON */
    }
    const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: Date.now() };
    this.received.push(r);
    const reply = this.reply(r, this.received.length);
    if (reply === 'hold') {
      Object.defineProperty(r, 'res', { value: res, enumerable: false });
      this.held.push(res);
      return;
    }
    const payload = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...reply.headers });
    res.end(payload, () => {
      if (reply.status >= 200 && reply.status < 300 && !res.destroyed) this.acknowledged.push(r);
    });
  }

  /** Answers every held request with `status` (and records it as acknowledged when 2xx). */
  release(status = 200): void {
    for (const res of this.held.splice(0)) {
      const r = this.received.find((x) => (x as Received & { res?: ServerResponse }).res === res);
      res.writeHead(status).end('ok', () => {
        if (r && status >= 200 && status < 300) this.acknowledged.push(r);
      });
    }
  }

  async waitFor(pred: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what} (received ${this.received.length}, acknowledged ${this.acknowledged.length})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export function uniquePrefix(tag: string): string {
  return `seismo-test-${tag}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix. */
export async function cleanupPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
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

export function testContext(): Context & { abort: AbortController } {
  const abort = new AbortController();
  return { logger: pino({ level: process.env.SEISMO_TEST_LOG ?? 'silent' }), registry: new Registry(), signal: abort.signal, abort };
}

export function config(prefix: string | null, alerting: Record<string, unknown>): SeismoConfig {
  return parseConfig({ ...(prefix ? { redis: { url: REDIS_URL, prefix } } : {}), alerting, api: { publicUrl: 'http://dash.example:8080' } }, { checkSecrets: false });
}

let counter = 0;
export function alert(over: Partial<Alert> & { labels?: Record<string, string> } = {}): Alert {
  counter++;
  const { labels, ...rest } = over;
  const series = { source: 'prometheus', name: 'http_latency_seconds', labels: labels ?? { host: 'web-1', env: 'prod' }, id: `s${counter}` };
  const dedupKey = over.dedupKey ?? `dk-${counter}-${randomBytes(3).toString('hex')}`;
  return {
    id: `${dedupKey}-${over.state ?? 'firing'}`,
    dedupKey,
    series,
    ts: Date.now(),
    value: 2.5,
    expected: { lo: 0.1, hi: 0.4 },
    score: 0.97,
    detector: 'holt-winters+mad',
    severity: 'critical',
    state: 'firing',
    explanation: 'value 2.5 is 6.1 robust deviations above the forecast 0.25',
    ...rest,
  };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const data = await m.get();
  return data.values
    .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val) && !('metricName' in v && String(v.metricName).endsWith('_bucket')))
    .reduce((s, v) => s + v.value, 0);
}

/** PagerDuty Events API v2 as documented: 202 on a valid event, 400 with `errors` on an invalid one. */
export function pagerdutyReply(opts: { reject?: () => string | null; status?: (n: number) => Reply | null } = {}) {
  return (r: Received, n: number): Reply => {
    const forced = opts.status?.(n);
    if (forced) return forced;
    if (r.method !== 'POST' || r.path !== '/v2/enqueue') return { status: 404, body: { status: 'not found' } };
    const e = r.json as { routing_key?: string; event_action?: string; dedup_key?: string; payload?: { summary?: string; source?: string; severity?: string } } | undefined;
    const errors: string[] = [];
    if (!e) errors.push('Malformed JSON');
    else {
      if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
      if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action ?? '')) errors.push("'event_action' is invalid");
      if (e.event_action === 'trigger') {
        if (!e.payload?.summary) errors.push("'payload.summary' is missing or blank");
        if (!e.payload?.source) errors.push("'payload.source' is missing or blank");
        if (!['critical', 'error', 'warning', 'info'].includes(e.payload?.severity ?? '')) errors.push("'payload.severity' is invalid");
      }
      if (e.event_action === 'resolve' && !e.dedup_key) errors.push("'dedup_key' is required for resolve");
      const extra = opts.reject?.();
      if (extra) errors.push(extra);
    }
    if (errors.length) return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: e!.dedup_key } };
  };
}

/** Slack Web API chat.postMessage (bot token) and incoming webhooks, with their documented errors. */
export function slackReply(opts: { token: string; channels: string[]; rateLimitFirst?: number }) {
  let ts = 1_700_000_000_000_100;
  let limited = 0;
  return (r: Received): Reply => {
    if (r.path.startsWith('/services/')) return r.json ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid_payload' };
    if (r.path !== '/api/chat.postMessage') return { status: 404, body: { ok: false, error: 'unknown_method' } };
    if (limited < (opts.rateLimitFirst ?? 0)) {
      limited++;
      return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    }
    if (r.headers.authorization !== `Bearer ${opts.token}`) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const m = r.json as { channel?: string; text?: string; blocks?: unknown[]; thread_ts?: string };
    if (!m.channel || !opts.channels.includes(m.channel)) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
    if (!m.text && !m.blocks) return { status: 200, body: { ok: false, error: 'no_text' } };
    ts += 100;
    const id = `${String(ts).slice(0, 10)}.${String(ts).slice(10)}`;
    return { status: 200, body: { ok: true, channel: m.channel, ts: id, message: { text: m.text, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}) } } };
  };
}

/**
 * Transpiles the project's TypeScript (no type checking) into a scratch directory under
 * node_modules/.cache so a child `node` process can run seismo's real code, e.g. to be SIGKILLed.
 * Returns the directory; the caller removes it.
 */
export async function transpileForChild(): Promise<string> {
  const ts = (await import('typescript')).default;
  const { mkdirSync, readdirSync, readFileSync, writeFileSync } = await import('node:fs');
  const { dirname, join, relative } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const out = join(root, 'node_modules', '.cache', `seismo-child-${randomBytes(4).toString('hex')}`);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
  for (const top of ['api', 'config', 'detect', 'features', 'ingest', 'pipeline', 'sinks']) {
    for (const file of walk(join(root, top))) {
      const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText;
      const dest = join(out, relative(root, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, js);
    }
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  return out;
}
