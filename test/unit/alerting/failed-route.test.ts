import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { apiSchema } from '../../../api/config.js';
import { createApiServer } from '../../../api/server.js';
import { DashboardState } from '../../../api/state.js';
import { parseConfig } from '../../../config/load.js';
import { createNotifier, registerAlertingRoutes } from '../../../sinks/alerting/index.js';
import { sampleAlert } from './fixtures.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A webhook receiver that refuses every delivery with 400 (not retried: the delivery fails at once). */
async function refusingReceiver(): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls++;
    req.resume();
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad payload');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, calls: () => calls };
}

describe('GET /api/alerts/failed (embedded mode)', () => {
  it('lists deliveries that failed for good, newest first, filtered by receiver and limited', async () => {
    const receiver = await refusingReceiver();
    const cfg = parseConfig(
      { alerting: { receivers: [{ type: 'webhook', name: 'ops', url: receiver.url }, { type: 'webhook', name: 'db', url: receiver.url }] } },
      { checkSecrets: false },
    );
    const ctx = { logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal };
    const notifier = createNotifier(cfg, ctx);
    expect(notifier.embeddedFailures).toEqual([]);
    const api = createApiServer(apiSchema.parse({ port: 0 }), ctx, { readiness: [], state: new DashboardState() });
    registerAlertingRoutes(api, notifier);
    cleanups.push(() => notifier.stop(), () => api.stop());
    await notifier.start();
    await api.start();
    const { host, port } = api.address();
    const get = async (q: string) => fetch(`http://${host}:${port}/api/alerts/failed${q}`);

    await notifier.handle([sampleAlert({ id: 'a1', dedupKey: 'k1' })]);
    await notifier.handle([sampleAlert({ id: 'a2', dedupKey: 'k2', ts: 1_700_000_060_000 })]);
    const deadline = Date.now() + 10_000;
    while ((notifier.embeddedFailures?.length ?? 0) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    const all = (await (await get('')).json()) as { mode: string; total: number; failed: Array<Record<string, unknown>> };
    expect(all.mode).toBe('embedded');
    expect(all.total).toBe(4); // two alerts, two receivers
    expect(all.failed.map((f) => f.receiver).sort()).toEqual(['db', 'db', 'ops', 'ops']);
    expect(all.failed[0]).toMatchObject({ kind: 'alert', state: 'firing', count: 1, attempts: 1 });
    expect(String(all.failed[0].error)).toMatch(/400/);
    expect(new Set(all.failed.map((f) => (f.dedupKeys as string[])[0]))).toEqual(new Set(['k1', 'k2']));
    // newest first
    const times = all.failed.map((f) => Date.parse(String(f.failedAt)));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const ops = (await (await get('?receiver=ops&limit=1')).json()) as { failed: Array<Record<string, unknown>> };
    expect(ops.failed).toHaveLength(1);
    expect(ops.failed[0].receiver).toBe('ops');
    const bad = await get('?limit=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^limit: found "0"; allowed: an integer from 1 to 1000/);
    expect(receiver.calls()).toBe(4);
  });
});
