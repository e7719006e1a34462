import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createNotifier } from '../../sinks/alerting/index.js';
import { alertsFailedCommand, alertsRetryCommand, alertsTestCommand, type FailedDelivery } from '../../sinks/alerting/command.js';
import { FakeServer, REDIS_URL, alert, cleanupPrefix, config, metricValue, pagerdutyReply, slackReply, testContext, uniquePrefix } from './alerting-fakes.js';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde'.slice(0, 32);

function capture(): { io: { out: Writable; err: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const w = (fn: (s: string) => void) => new Writable({ write: (c, _e, cb) => (fn(String(c)), cb()) });
  return { io: { out: w((s) => (out += s)), err: w((s) => (err += s)) }, out: () => out, err: () => err };
}

describe('receivers through BullMQ', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(server: FakeServer, receivers: unknown[], extra: Record<string, unknown> = {}) {
    const prefix = uniquePrefix('recv');
    const ctx = testContext();
    const alerting = { receivers, backoffMs: 20, attempts: 3, ...extra };
    const notifier = createNotifier(config(prefix, alerting), ctx);
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => notifier.stop());
    await notifier.start();
    return { notifier, ctx, prefix, alerting };
  }

  it('PagerDuty: trigger then resolve with the same dedup_key, evidence in custom_details', async () => {
    const server = await new FakeServer(pagerdutyReply()).start();
    const { notifier } = await start(server, [{ type: 'pagerduty', name: 'pd', routingKey: ROUTING_KEY, baseUrl: server.url }]);
    const a = alert({ severity: 'warning' });
    await notifier.handle([a]);
    await server.waitFor(() => server.acknowledged.length === 1);
    await notifier.handle([{ ...a, id: `${a.id}-r`, state: 'resolved', ts: Date.now() }]);
    await server.waitFor(() => server.acknowledged.length === 2);
    const [trigger, resolve] = server.received.map((r) => r.json as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(trigger.event_action).toBe('trigger');
    expect(resolve.event_action).toBe('resolve');
    expect(resolve.dedup_key).toBe(a.dedupKey);
    expect(trigger.dedup_key).toBe(a.dedupKey);
    expect(trigger.payload.severity).toBe('warning');
    expect(trigger.payload.custom_details).toMatchObject({ value: 2.5, expected: { lo: 0.1, hi: 0.4 }, score: 0.97, detectors: 'holt-winters+mad', labels: { host: 'web-1', env: 'prod', severity: 'warning' } });
    expect(trigger.payload.custom_details.explanation).toContain('robust deviations');
  });

  it('PagerDuty: 429 and 500 are retried; 400 ends in the failed set with its message; `alerts retry` re-drives it', async () => {
    let reject = true;
    const server = await new FakeServer(
      pagerdutyReply({
        status: (n) => (n === 1 ? { status: 429, body: '' } : n === 2 ? { status: 500, body: { status: 'error' } } : null),
        reject: () => (reject ? "'payload.custom_details' is too large" : null),
      }),
    ).start();
    const { notifier, prefix, ctx } = await start(server, [{ type: 'pagerduty', name: 'pd', routingKey: ROUTING_KEY, baseUrl: server.url }]);
    const a = alert();
    await notifier.handle([a]);
    await server.waitFor(() => server.received.length === 3);
    const dir = mkdtempSync(join(tmpdir(), 'seismo-alerts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'seismo.yaml');
    writeFileSync(file, stringify({ redis: { url: REDIS_URL, prefix }, alerting: { receivers: [{ type: 'pagerduty', name: 'pd', routingKey: ROUTING_KEY, baseUrl: server.url }] } }));
    let rows: FailedDelivery[] = [];
    const until = Date.now() + 10_000;
    while (rows.length === 0 && Date.now() < until) {
      const c = capture();
      expect(await alertsFailedCommand({ config: file, json: true }, c.io)).toBe(0);
      rows = JSON.parse(c.out()) as FailedDelivery[];
      if (!rows.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ receiver: 'pd', kind: 'alert', state: 'firing', dedupKey: a.dedupKey, attempts: 3 });
    expect(rows[0].error).toContain("'payload.custom_details' is too large");
    expect(rows[0].error).toContain('Event object is invalid');
    expect(await metricValue(ctx.registry, 'seismo_notifier_failed_total', { receiver: 'pd' })).toBe(1);
    const text = capture();
    await alertsFailedCommand({ config: file }, text.io);
    expect(text.out()).toContain('1 failed deliveries');

    reject = false;
    const c = capture();
    expect(await alertsRetryCommand({ config: file, receiver: 'pd' }, c.io)).toBe(0);
    expect(c.out()).toContain('re-queued 1');
    await server.waitFor(() => server.acknowledged.length === 1);
    expect((server.acknowledged[0].json as { dedup_key: string }).dedup_key).toBe(a.dedupKey);
    const after = capture();
    await alertsFailedCommand({ config: file, json: true }, after.io);
    expect(JSON.parse(after.out())).toEqual([]);
  });

  it('Slack bot mode: Block Kit message, 429 Retry-After honoured, resolution posted in the firing thread', async () => {
    const server = await new FakeServer(slackReply({ token: 'xoxb-good', channels: ['C0OPS'], rateLimitFirst: 1 })).start();
    const { notifier } = await start(server, [{ type: 'slack', name: 'slack', token: 'xoxb-good', channel: 'C0OPS', baseUrl: `${server.url}/api` }]);
    const a = alert();
    await notifier.handle([a]);
    await server.waitFor(() => server.acknowledged.length === 1, 15_000);
    expect(server.received).toHaveLength(2);
    expect(server.received[1].at - server.received[0].at).toBeGreaterThanOrEqual(950);
    const firing = server.acknowledged[0];
    const msg = firing.json as { channel: string; text: string; blocks: Array<{ type: string; fields?: Array<{ text: string }> }> };
    expect(msg.channel).toBe('C0OPS');
    expect(msg.blocks[0].type).toBe('header');
    const fields = msg.blocks.find((b) => b.fields)!.fields!.map((f) => f.text).join('\n');
    expect(fields).toContain('http_latency_seconds');
    expect(fields).toContain('0.1 … 0.4');
    expect(JSON.stringify(msg.blocks)).toContain('http://dash.example:8080/?series=');
    await notifier.handle([{ ...a, id: `${a.id}-r`, state: 'resolved' }]);
    await server.waitFor(() => server.acknowledged.length === 2);
    const resolution = server.acknowledged[1].json as { thread_ts?: string; text: string };
    // the fake answered the firing message with ts 1700000000.000200
    expect(resolution.thread_ts).toBe('1700000000.000200');
    expect(resolution.text).toContain('RESOLVED');
  });

  it('Slack: invalid_auth and channel_not_found fail at once with the error kept', async () => {
    const server = await new FakeServer(slackReply({ token: 'xoxb-good', channels: ['C0OPS'] })).start();
    const { notifier } = await start(server, [
      { type: 'slack', name: 'badtoken', token: 'xoxb-bad', channel: 'C0OPS', baseUrl: `${server.url}/api` },
      { type: 'slack', name: 'badchannel', token: 'xoxb-good', channel: 'C0NOPE', baseUrl: `${server.url}/api` },
    ]);
    await notifier.handle([alert()]);
    await server.waitFor(() => server.received.length === 2);
    const reasons: string[] = [];
    const until = Date.now() + 10_000;
    while (reasons.length < 2 && Date.now() < until) {
      reasons.length = 0;
      for (const name of ['badtoken', 'badchannel']) for (const j of await notifier.queues!.queue(name).getFailed()) reasons.push(`${name}:${j.failedReason}:${j.attemptsMade}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(reasons.sort()).toEqual(['badchannel:slack: channel_not_found:1', 'badtoken:slack: invalid_auth:1']);
    expect(server.received).toHaveLength(2); // not retried
  });

  it('Slack incoming-webhook mode and `alerts test` (exit 0 on success, 1 on failure)', async () => {
    const server = await new FakeServer(slackReply({ token: 'x', channels: [] })).start();
    const dir = mkdtempSync(join(tmpdir(), 'seismo-alerts-'));
    cleanups.push(() => server.stop(), () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'seismo.yaml');
    writeFileSync(
      file,
      stringify({
        alerting: {
          receivers: [
            { type: 'slack', name: 'hook', webhookUrl: `${server.url}/services/T0/B0/XYZ` },
            { type: 'webhook', name: 'down', url: `${server.url}/missing`, timeoutMs: 1000 },
          ],
        },
      }),
    );
    const ok = capture();
    expect(await alertsTestCommand({ config: file, receiver: 'hook' }, ok.io)).toBe(0);
    expect(ok.out()).toMatch(/^ok: hook \(slack\)/);
    const msg = server.received[0].json as { text: string; blocks: unknown[] };
    expect(msg.text).toContain('[test]');
    const bad = capture();
    server.reply = () => ({ status: 404, body: 'no_service' });
    expect(await alertsTestCommand({ config: file, receiver: 'down' }, bad.io)).toBe(1);
    expect(bad.err()).toContain('HTTP 404');
  });
});
