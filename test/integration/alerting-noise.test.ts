import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { apiSchema } from '../../api/config.js';
import { createApiServer } from '../../api/server.js';
import { DashboardState } from '../../api/state.js';
import { createNotifier, registerAlertingRoutes } from '../../sinks/alerting/index.js';
import { FakeServer, alert, cleanupPrefix, config, metricValue, testContext, uniquePrefix } from './alerting-fakes.js';

interface Body {
  state: string;
  count: number;
  truncated: number;
  groupLabels: Record<string, string>;
  alerts: Array<{ dedupKey: string; series: { labels: Record<string, string> } }>;
}

describe('noise control on the delivery side: grouping, rate limit, silences, dedup', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a burst of 10,000 alerts is grouped and rate-limited, and every alert is accounted for', async () => {
    const server = await new FakeServer().start();
    const prefix = uniquePrefix('burst');
    const ctx = testContext();
    const RATE = { max: 4, durationMs: 500 };
    const notifier = createNotifier(
      config(prefix, {
        receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook`, rateLimit: RATE }],
        route: { receiver: 'ops', groupBy: ['host'], groupWaitMs: 1000 },
        silences: [{ matchers: ['host="web-0"'], endsAt: new Date(Date.now() + 3600_000).toISOString(), comment: 'web-0 in maintenance' }],
        backoffMs: 20,
      }),
      ctx,
    );
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => notifier.stop());
    await notifier.start();

    const alerts = Array.from({ length: 10_000 }, (_, i) => alert({ labels: { host: `web-${i % 20}`, env: 'prod' } }));
    const handedAt = Date.now();
    for (let i = 0; i < alerts.length; i += 1000) await notifier.handle(alerts.slice(i, i + 1000));
    // At-least-once upstream: the first 1000 come again.
    await notifier.handle(alerts.slice(0, 1000));
    const handleMs = Date.now() - handedAt;

    const silenced = alerts.filter((a) => a.series.labels.host === 'web-0').length;
    const expected = alerts.length - silenced;
    const delivered = (): number => server.acknowledged.reduce((s, r) => s + (r.json as Body).count, 0);
    await server.waitFor(() => delivered() >= expected, 60_000, 'all groups');
    await new Promise((r) => setTimeout(r, 1500));

    const bodies = server.acknowledged.map((r) => r.json as Body);
    expect(delivered()).toBe(expected);
    expect(silenced).toBe(500);
    // One group per host and window (a burst that outlives groupWaitMs spans several windows), never web-0.
    const hosts = new Set(bodies.map((b) => b.groupLabels.host));
    expect(hosts.size).toBe(19);
    expect(hosts.has('web-0')).toBe(false);
    expect(bodies.length).toBeLessThanOrEqual(19 * (Math.ceil(handleMs / 1000) + 1));
    for (const b of bodies) {
      expect(b.alerts.length).toBe(Math.min(50, b.count));
      expect(b.truncated).toBe(b.count - b.alerts.length);
      expect(b.alerts.every((a) => a.series.labels.host === b.groupLabels.host)).toBe(true);
    }
    // Every member dedup key appears once across notifications (the carried ones).
    const carried = bodies.flatMap((b) => b.alerts.map((a) => a.dedupKey));
    expect(new Set(carried).size).toBe(carried.length);
    // Rate limit (BullMQ's limiter counts fixed windows): any span of durationMs holds at most two
    // windows' worth, and the whole run at most one window's worth per elapsed window plus one.
    const times = server.received.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      const inSpan = times.filter((t) => t >= times[i] && t < times[i] + RATE.durationMs).length;
      expect(inSpan).toBeLessThanOrEqual(2 * RATE.max);
    }
    const span = times[times.length - 1] - times[0];
    expect(times.length).toBeLessThanOrEqual(RATE.max * (Math.floor(span / RATE.durationMs) + 2));
    // The books balance: received = silenced + duplicates + grouped; grouped = delivered.
    const m = (name: string, labels: Record<string, string> = {}) => metricValue(ctx.registry, name, labels);
    expect(await m('seismo_notifier_received_total')).toBe(11_000);
    expect(await m('seismo_notifier_suppressed_total', { reason: 'silenced' })).toBe(500 + 50);
    expect(await m('seismo_notifier_suppressed_total', { reason: 'duplicate' })).toBe(950);
    expect(await m('seismo_notifier_grouped_total', { receiver: 'ops' })).toBe(expected);
    expect(await m('seismo_notifier_alerts_delivered_total', { receiver: 'ops' })).toBe(expected);
    expect(await m('seismo_notifier_sent_total')).toBe(bodies.length);
  });

  it('a silence created through the API suppresses; after it expires later alerts deliver; DELETE removes it', async () => {
    const server = await new FakeServer().start();
    const prefix = uniquePrefix('silence');
    const ctx = testContext();
    const notifier = createNotifier(config(prefix, { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook` }] }), ctx);
    const api = createApiServer(apiSchema.parse({ port: 0 }), { logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal }, { readiness: [], state: new DashboardState({ maxSeries: 10, recentPoints: 10, maxAlerts: 10 }) });
    registerAlertingRoutes(api, notifier);
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => notifier.stop(), () => api.stop());
    await notifier.start();
    await api.start();
    const { host, port } = api.address();
    const base = `http://${host}:${port}`;

    const bad = await fetch(`${base}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: ['team=~"(db"'], endsAt: new Date(Date.now() + 1000).toISOString() }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('silence.matchers[0]');

    const res = await fetch(`${base}/api/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: ['team="db"', 'severity=~"critical|warning"'], endsAt: new Date(Date.now() + 1500).toISOString(), comment: 'db failover drill' }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; status: string };
    expect(created.status).toBe('active');

    const db1 = alert({ labels: { team: 'db', host: 'db-1' } });
    const web1 = alert({ labels: { team: 'web', host: 'web-1' } });
    await notifier.handle([db1, web1]);
    await server.waitFor(() => server.acknowledged.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.received.map((r) => (r.json as Body).alerts[0].dedupKey)).toEqual([web1.dedupKey]);
    expect(await metricValue(ctx.registry, 'seismo_notifier_suppressed_total', { reason: 'silenced' })).toBe(1);

    const listed = (await (await fetch(`${base}/api/silences`)).json()) as { silences: Array<{ id: string; matchers: string[] }> };
    expect(listed.silences.map((s) => s.id)).toEqual([created.id]);
    expect(listed.silences[0].matchers).toEqual(['team="db"', 'severity=~"critical|warning"']);

    await new Promise((r) => setTimeout(r, 1600));
    const expiredList = (await (await fetch(`${base}/api/silences`)).json()) as { silences: Array<{ status: string }> };
    expect(expiredList.silences[0].status).toBe('expired');
    const db2 = alert({ labels: { team: 'db', host: 'db-1' } });
    await notifier.handle([db2]);
    await server.waitFor(() => server.acknowledged.length === 2);
    expect((server.acknowledged[1].json as Body).alerts[0].dedupKey).toBe(db2.dedupKey);

    expect((await fetch(`${base}/api/silences/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${base}/api/silences/${created.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(((await (await fetch(`${base}/api/silences`)).json()) as { silences: unknown[] }).silences).toEqual([]);
  });

  it('routes by labels and severity: continue fans out, the default receiver takes the rest', async () => {
    const server = await new FakeServer().start();
    const prefix = uniquePrefix('route');
    const ctx = testContext();
    const notifier = createNotifier(
      config(prefix, {
        receivers: ['default', 'pager', 'dbteam'].map((name) => ({ type: 'webhook', name, url: `${server.url}/${name}` })),
        route: {
          receiver: 'default',
          routes: [
            { matchers: ['severity="critical"'], receiver: 'pager', continue: true },
            { matchers: ['team=~"db|storage"'], receiver: 'dbteam' },
          ],
        },
      }),
      ctx,
    );
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => notifier.stop());
    await notifier.start();
    const critDb = alert({ severity: 'critical', labels: { team: 'db' } });
    const warnStorage = alert({ severity: 'warning', labels: { team: 'storage' } });
    const warnWeb = alert({ severity: 'warning', labels: { team: 'web' } });
    await notifier.handle([critDb, warnStorage, warnWeb]);
    await server.waitFor(() => server.acknowledged.length === 4);
    await new Promise((r) => setTimeout(r, 300));
    const got = server.acknowledged.map((r) => `${r.path} ${(r.json as Body).alerts[0].dedupKey}`).sort();
    expect(got).toEqual([`/dbteam ${critDb.dedupKey}`, `/dbteam ${warnStorage.dedupKey}`, `/default ${warnWeb.dedupKey}`, `/pager ${critDb.dedupKey}`].sort());
  });

  it('a silence that begins while alerts wait in a group window holds them back; sendResolved: false skips resolutions', async () => {
    const server = await new FakeServer().start();
    const prefix = uniquePrefix('late');
    const ctx = testContext();
    const notifier = createNotifier(
      config(prefix, {
        receivers: [
          { type: 'webhook', name: 'ops', url: `${server.url}/ops` },
          { type: 'webhook', name: 'quiet', url: `${server.url}/quiet`, sendResolved: false },
        ],
        route: { receiver: 'ops', groupBy: ['host'], groupWaitMs: 800, routes: [{ matchers: ['team="quiet"'], receiver: 'quiet', groupWaitMs: 0 }] },
      }),
      ctx,
    );
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => notifier.stop());
    await notifier.start();
    const db = [alert({ labels: { host: 'db-1' } }), alert({ labels: { host: 'db-1' } })];
    const web = [alert({ labels: { host: 'web-1' } })];
    await notifier.handle([...db, ...web]);
    await notifier.silences.add({ matchers: ['host="db-1"'], endsAt: Date.now() + 60_000 });
    await server.waitFor(() => server.acknowledged.length === 1, 5000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(server.acknowledged.map((r) => (r.json as Body).groupLabels.host)).toEqual(['web-1']);
    expect(await metricValue(ctx.registry, 'seismo_notifier_suppressed_total', { reason: 'silenced_in_queue' })).toBe(2);

    const q = alert({ labels: { team: 'quiet' } });
    await notifier.handle([q, { ...q, id: `${q.id}-r`, state: 'resolved' }]);
    await server.waitFor(() => server.acknowledged.length === 2, 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.acknowledged.map((r) => `${r.path} ${(r.json as Body).state}`)).toEqual(['/ops firing', '/quiet firing']);
    expect(await metricValue(ctx.registry, 'seismo_notifier_suppressed_total', { reason: 'resolved_not_sent' })).toBe(1);
  });

  it.each(['block', 'drop'] as const)('a full receiver queue: whenFull %s', async (whenFull) => {
    let hold = true;
    const server = await new FakeServer(() => (hold ? 'hold' : { status: 200, body: 'ok' })).start();
    const prefix = uniquePrefix('full');
    const ctx = testContext();
    const notifier = createNotifier(config(prefix, { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook`, concurrency: 1, timeoutMs: 60_000 }], queueCapacity: 3, whenFull }), ctx);
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => notifier.stop());
    await notifier.start();
    await notifier.handle([alert()]);
    await server.waitFor(() => server.received.length === 1, 5000, 'first delivery in flight');
    await notifier.handle([alert(), alert(), alert()]); // fills the queue: 3 waiting behind the active one
    let settled = false;
    const extra = alert();
    const pending = notifier.handle([extra]).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 600));
    if (whenFull === 'block') {
      expect(settled).toBe(false);
      hold = false;
      server.release();
      await pending;
      await server.waitFor(() => server.acknowledged.length === 5, 10_000);
      expect(server.acknowledged.some((r) => (r.json as Body).alerts[0].dedupKey === extra.dedupKey)).toBe(true);
    } else {
      expect(settled).toBe(true);
      expect(await metricValue(ctx.registry, 'seismo_notifier_suppressed_total', { reason: 'queue_full' })).toBe(1);
      hold = false;
      server.release();
      await server.waitFor(() => server.acknowledged.length === 4, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(server.acknowledged.some((r) => (r.json as Body).alerts[0].dedupKey === extra.dedupKey)).toBe(false);
    }
  });
});
