/**
 * Endpoints of the local stack (`scripts/stack up`, see docs/stack.md) and small helpers that
 * integration tests share. Each endpoint can be pointed elsewhere through the environment.
 */
import { randomBytes } from 'node:crypto';

const env = process.env;

/** Kafka bootstrap brokers. `SEISMO_KAFKA_BROKERS` (comma-separated) overrides. */
export const kafkaBrokers: string[] = (env.SEISMO_KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b.length > 0);
/** InfluxDB 1.8 (v1 API and the v2 write API). `SEISMO_INFLUXDB_URL` (or `SEISMO_INFLUX_URL`) overrides. */
export const influxUrl: string = env.SEISMO_INFLUXDB_URL ?? env.SEISMO_INFLUX_URL ?? 'http://127.0.0.1:8086';
/** Redis. `SEISMO_REDIS_URL` overrides. */
export const redisUrl: string = env.SEISMO_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Prometheus server. `SEISMO_PROMETHEUS_URL` overrides. */
export const prometheusUrl: string = env.SEISMO_PROMETHEUS_URL ?? 'http://127.0.0.1:9090';
/** The test exporter (scripts/test-exporter.mjs), scraped by Prometheus every second as job `seismo-test-exporter`. `SEISMO_TEST_EXPORTER_URL` overrides. */
export const testExporterUrl: string = env.SEISMO_TEST_EXPORTER_URL ?? 'http://127.0.0.1:9101';
/** Prometheus job name under which the test exporter is scraped. */
export const testExporterJob = 'seismo-test-exporter';
/** moto, serving the CloudWatch API. `SEISMO_MOTO_URL` overrides. */
export const motoUrl: string = env.SEISMO_MOTO_URL ?? 'http://127.0.0.1:5000';

/** A name no other test (or earlier run) uses: `<prefix>-<base36 time>-<random hex>`. Safe for Kafka topics, Influx databases, Redis keys. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

async function postExporter(path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${testExporterUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`test exporter ${path}: HTTP ${res.status}: ${await res.text()}`);
}

/**
 * Sets a gauge on the test exporter; Prometheus sees it at its next scrape (≤ 1 s). `value: null`
 * removes the series. Use a uniqueName() as metric name or label to keep tests apart.
 */
export async function setExporterGauge(
  name: string,
  labels: Record<string, string>,
  value: number | null,
): Promise<void> {
  await postExporter('/set', { name, labels, value });
}

/** Removes every gauge from the test exporter. Other tests' gauges go too: prefer removing your own with `value: null`. */
export async function resetExporter(): Promise<void> {
  await postExporter('/reset');
}

export interface WaitOptions {
  /** Give up after this many ms. Default 15000. */
  timeoutMs?: number;
  /** Pause between attempts, ms. Default 200. */
  intervalMs?: number;
  /** Shown in the timeout error. */
  description?: string;
}

/**
 * Polls `predicate` until it returns a value other than `undefined`, `null` or `false`, and returns
 * that value. A throwing predicate counts as "not yet"; its last error is reported on timeout.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, undefined | null | false>;
      }
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = opts.description ?? 'condition';
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs an InfluxQL statement against `/query` and returns the parsed JSON body (throws on HTTP or statement errors). */
export async function influxQuery(q: string, db?: string): Promise<InfluxQueryResult> {
  const params = new URLSearchParams({ q });
  if (db !== undefined) params.set('db', db);
  const res = await fetch(`${influxUrl}/query`, { method: 'POST', body: params });
  const body = (await res.json()) as InfluxQueryResult & { error?: string };
  if (!res.ok || body.error) throw new Error(`InfluxQL ${q}: HTTP ${res.status} ${body.error ?? ''}`);
  const failed = body.results?.find((r) => r.error);
  if (failed) throw new Error(`InfluxQL ${q}: ${failed.error}`);
  return body;
}

export interface InfluxQueryResult {
  results: Array<{
    statement_id: number;
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
}

/** Instant query against Prometheus; returns the result vector. */
export async function promQuery(query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${prometheusUrl}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query }) });
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (!res.ok || body.status !== 'success' || !body.data) throw new Error(`PromQL ${query}: HTTP ${res.status} ${body.error ?? ''}`);
  return body.data.result;
}
