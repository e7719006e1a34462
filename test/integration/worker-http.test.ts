import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseConfig } from '../../config/load.js';
import { startService, type RunningService } from '../../pipeline/service.js';
import { kafkaBrokers, uniqueName } from './stack.js';
import { waitFor } from './e2e-helpers.js';

const prefix = uniqueName('ops');
const topics = { samples: `${prefix}.samples`, features: `${prefix}.features`, alerts: `${prefix}.alerts`, dlq: `${prefix}.dlq`, state: `${prefix}.state` };

describe('worker roles serve health, readiness and metrics', () => {
  const services: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it.each(['processor', 'detector'] as const)('%s: /readyz follows Kafka, /metrics has the stage, no dashboard', async (role) => {
    const cfg = parseConfig({
      log: { level: 'warn' },
      api: { port: 0 },
      kafka: { brokers: kafkaBrokers, groupPrefix: `${prefix}-${role}`, topics, partitions: 1, consumer: { maxWaitTimeMs: 50, sessionTimeoutMs: 10_000 } },
      sources: [],
    });
    const svc = await startService(cfg, role, { logger: pino({ level: 'warn' }) });
    services.push(svc);
    expect(svc.api).not.toBeNull();
    const { host, port } = svc.api!.address();
    const base = `http://${host}:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), 30_000, 'worker ready');
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(ready.checks.map((c) => c.name)).toContain('kafka');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const stage = role === 'processor' ? 'features' : 'detect';
    expect(metrics).toMatch(new RegExp(`^seismo_e2e_latency_seconds_count\\{stage="${stage}"\\} 0$`, 'm'));
    expect(metrics).toContain('seismo_process_process_cpu_seconds_total');
    for (const path of ['/', '/api/series', '/api/alerts']) expect((await fetch(`${base}${path}`)).status).toBe(404);
  });
});
