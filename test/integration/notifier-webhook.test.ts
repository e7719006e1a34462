import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../sinks/alerting/index.js';
import type { Alert, DeadLetter } from '../../pipeline/ports.js';
import { verifySignature } from '../../sinks/webhook/signature.js';
import { alertJobId } from '../../sinks/alerting/notification.js';
import { FakeServer, alert, cleanupPrefix, config, metricValue, testContext, uniquePrefix } from './alerting-fakes.js';

const SECRET = 'whsec-test-1234';

describe('notifier: webhook through BullMQ', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(reply?: ConstructorParameters<typeof FakeServer>[0], extra: Record<string, unknown> = {}, receiver: Record<string, unknown> = {}) {
    const server = await new FakeServer(reply).start();
    const prefix = uniquePrefix('webhook');
    const ctx = testContext();
    const cfg = config(prefix, {
      receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook`, secret: SECRET, headers: { 'x-team': 'sre' }, timeoutMs: 2000, ...receiver }],
      backoffMs: 20,
      attempts: 4,
      ...extra,
    });
    const notifier = createNotifier(cfg, ctx);
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix));
    cleanups.push(() => notifier.stop());
    await notifier.start();
    return { server, notifier, ctx, prefix };
  }

  it('delivers a signed JSON notification with the configured headers', async () => {
    const { server, notifier, ctx } = await setup();
    const a = alert();
    await notifier.handle([a]);
    await server.waitFor(() => server.acknowledged.length === 1, 10_000, 'delivery');
    const r = server.received[0];
    expect(r.path).toBe('/hook');
    expect(r.headers['x-team']).toBe('sre');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-seismo-delivery']).toBe(alertJobId(a));
    expect(verifySignature(SECRET, r.headers['x-seismo-signature'] as string, r.body)).toEqual({ ok: true });
    expect(verifySignature('other-secret', r.headers['x-seismo-signature'] as string, r.body).ok).toBe(false);
    expect(verifySignature(SECRET, r.headers['x-seismo-signature'] as string, r.body.replace('2.5', '9.9')).ok).toBe(false);
    const body = r.json as { state: string; count: number; alerts: Array<{ dedupKey: string; value: number }>; dashboardUrl: string };
    expect(body.state).toBe('firing');
    expect(body.count).toBe(1);
    expect(body.alerts[0].dedupKey).toBe(a.dedupKey);
    expect(body.dashboardUrl).toBe('http://dash.example:8080');
    await new Promise((r) => setTimeout(r, 50));
    expect(await metricValue(ctx.registry, 'seismo_notifier_sent_total')).toBe(1);
    expect(await metricValue(ctx.registry, 'seismo_notifier_received_total')).toBe(1);
  });

  it('does not deliver the same alert twice when it is handed over again (at-least-once upstream)', async () => {
    const { server, notifier, ctx } = await setup();
    const a = alert();
    const resolved = { ...a, id: `${a.dedupKey}-resolved`, state: 'resolved' as const };
    await notifier.handle([a, a]);
    await notifier.handle([a]);
    await server.waitFor(() => server.acknowledged.length === 1);
    await notifier.handle([a, resolved]);
    await server.waitFor(() => server.acknowledged.length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.received.map((r) => (r.json as { state: string }).state)).toEqual(['firing', 'resolved']);
    expect(await metricValue(ctx.registry, 'seismo_notifier_suppressed_total', { reason: 'duplicate' })).toBeGreaterThanOrEqual(2);
  });

  it('retries 503 and 429 (honouring Retry-After) until the receiver accepts', async () => {
    const { server, notifier, ctx } = await setup((_r, n) => (n === 1 ? { status: 503, body: 'busy' } : n === 2 ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : { status: 200, body: 'ok' }));
    await notifier.handle([alert()]);
    await server.waitFor(() => server.acknowledged.length === 1, 15_000);
    expect(server.received).toHaveLength(3);
    // The third attempt waited for the 1 s Retry-After of the 429.
    expect(server.received[2].at - server.received[1].at).toBeGreaterThanOrEqual(950);
    expect(await metricValue(ctx.registry, 'seismo_notifier_errors_total', { type: 'webhook_retryable' })).toBe(2);
  });

  it('a receiver that does not answer within timeoutMs is retried', async () => {
    const { server, notifier, ctx } = await setup((_r, n) => (n === 1 ? 'hold' : { status: 204 }), {}, { timeoutMs: 300 });
    await notifier.handle([alert()]);
    await server.waitFor(() => server.acknowledged.length === 1, 10_000);
    expect(server.received).toHaveLength(2);
    expect(server.received[1].at - server.received[0].at).toBeGreaterThanOrEqual(290);
    expect(await metricValue(ctx.registry, 'seismo_notifier_errors_total', { type: 'webhook_retryable' })).toBe(1);
  });

  it('malformed alerts are dead-lettered and counted; the rest of the batch is delivered', async () => {
    const server = await new FakeServer().start();
    const prefix = uniquePrefix('invalid');
    const ctx = testContext();
    const dead: DeadLetter[] = [];
    const notifier = createNotifier(config(prefix, { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook` }] }), ctx, { deadLetter: { deadLetter: async (d) => void dead.push(...d) } });
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => notifier.stop());
    await notifier.start();
    const good = alert();
    await notifier.handle([{ ...alert(), severity: 'page' } as unknown as Alert, good]);
    await server.waitFor(() => server.acknowledged.length === 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ stage: 'notifier', reason: 'severity: expected critical, warning or info, found "page"' });
    expect(await metricValue(ctx.registry, 'seismo_notifier_suppressed_total', { reason: 'invalid' })).toBe(1);
  });
});
