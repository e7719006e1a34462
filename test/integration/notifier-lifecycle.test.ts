import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../sinks/alerting/index.js';
import { FakeServer, alert, cleanupPrefix, config, metricValue, testContext, uniquePrefix } from './alerting-fakes.js';

describe.each([
  ['BullMQ (Redis)', true],
  ['embedded (in-process)', false],
])('notifier lifecycle: %s', (_label, withRedis) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('create, start, send, stop; stop twice; standard metrics appear', async () => {
    const server = await new FakeServer().start();
    const prefix = withRedis ? uniquePrefix('life') : null;
    cleanups.push(() => server.stop());
    if (prefix) cleanups.push(() => cleanupPrefix(prefix));
    const ctx = testContext();
    const n = createNotifier(config(prefix, { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook` }] }), ctx);
    await n.start();
    await n.handle([alert(), alert()]);
    await server.waitFor(() => server.acknowledged.length === 2);
    await n.stop();
    await n.stop();
    await expect(n.handle([alert()])).rejects.toThrow(/after stop/);
    const text = await ctx.registry.metrics();
    for (const name of ['seismo_notifier_received_total', 'seismo_notifier_sent_total', 'seismo_notifier_dropped_total', 'seismo_notifier_errors_total', 'seismo_notifier_buffer_depth', 'seismo_notifier_delivery_latency_seconds_bucket', 'seismo_notifier_suppressed_total', 'seismo_notifier_queue_depth']) {
      expect(text).toContain(name);
    }
    expect(await metricValue(ctx.registry, 'seismo_notifier_received_total')).toBe(2);
    expect(await metricValue(ctx.registry, 'seismo_notifier_sent_total')).toBe(2);
  });

  it('stop without start is safe', async () => {
    const prefix = withRedis ? uniquePrefix('life') : null;
    const n = createNotifier(config(prefix, { receivers: [{ type: 'webhook', name: 'ops', url: 'http://127.0.0.1:9/' }] }), testContext());
    await n.stop();
    await n.stop();
    await expect(n.start()).rejects.toThrow(/after stop/);
  });
});

describe('embedded delivery (no Redis)', () => {
  it('groups, deduplicates, retries and records failures in memory', async () => {
    let fail = true;
    const server = await new FakeServer((r) => (r.path === '/bad' ? { status: 400, body: 'nope' } : fail ? ((fail = false), { status: 502, body: 'gateway' }) : { status: 200, body: 'ok' })).start();
    const ctx = testContext();
    const n = createNotifier(
      config(null, {
        receivers: [
          { type: 'webhook', name: 'ops', url: `${server.url}/hook` },
          { type: 'webhook', name: 'bad', url: `${server.url}/bad` },
        ],
        route: { receiver: 'ops', groupBy: ['host'], groupWaitMs: 200, routes: [{ matchers: ['host="bad"'], receiver: 'bad', groupWaitMs: 0 }] },
        backoffMs: 10,
      }),
      ctx,
    );
    await n.start();
    const batch = Array.from({ length: 30 }, (_, i) => alert({ labels: { host: `h${i % 3}` } }));
    await n.handle(batch);
    await n.handle(batch);
    await n.handle([alert({ labels: { host: 'bad' } })]);
    await server.waitFor(() => server.acknowledged.length === 3, 5000);
    await server.waitFor(() => server.received.filter((r) => r.path === '/bad').length === 1, 5000);
    await n.stop();
    server.stop();
    const counts = server.acknowledged.map((r) => (r.json as { count: number }).count);
    expect(counts).toEqual([10, 10, 10]);
    expect(await metricValue(ctx.registry, 'seismo_notifier_suppressed_total', { reason: 'duplicate' })).toBe(30);
    expect(await metricValue(ctx.registry, 'seismo_notifier_failed_total', { receiver: 'bad' })).toBe(1);
    expect(await metricValue(ctx.registry, 'seismo_notifier_errors_total', { type: 'webhook_retryable' })).toBe(1);
  });

  it('applies the receiver rate limit in process', async () => {
    const server = await new FakeServer().start();
    const n = createNotifier(config(null, { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook`, rateLimit: { max: 2, durationMs: 400 } }] }), testContext());
    await n.start();
    await n.handle(Array.from({ length: 6 }, () => alert()));
    await server.waitFor(() => server.acknowledged.length === 6, 10_000);
    await n.stop();
    await server.stop();
    const times = server.received.map((r) => r.at).sort((a, b) => a - b);
    const span = times[times.length - 1] - times[0];
    // 6 notifications at 2 per 400 ms need at least two further windows.
    expect(span).toBeGreaterThanOrEqual(2 * 400 - 50);
  });

  it('stop() delivers the groups still waiting for their window', async () => {
    const server = await new FakeServer().start();
    const n = createNotifier(config(null, { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook` }], route: { receiver: 'ops', groupBy: ['host'], groupWaitMs: 60_000 } }), testContext());
    await n.start();
    await n.handle([alert({ labels: { host: 'a' } }), alert({ labels: { host: 'a' } }), alert({ labels: { host: 'b' } })]);
    expect(server.received).toHaveLength(0);
    await n.stop();
    await server.stop();
    expect(server.acknowledged.map((r) => (r.json as { count: number }).count).sort()).toEqual([1, 2]);
  });
});
