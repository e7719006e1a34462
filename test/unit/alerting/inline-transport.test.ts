import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { alertingSchema, type AlertingConfig } from '../../../sinks/alerting/config.js';
import { InlineTransport } from '../../../sinks/alerting/inline-transport.js';
import type { Notification } from '../../../sinks/alerting/notification.js';
import type { Receiver } from '../../../sinks/alerting/receiver.js';
import { notifierMetrics } from '../../../sinks/alerting/telemetry.js';
import { SeismoError } from '../../../pipeline/errors.js';
import { sampleAlert } from './fixtures.js';

/** A webhook receiver stand-in: `reply` decides each attempt (throw to fail it). */
class ScriptedReceiver implements Receiver {
  readonly name = 'ops';
  readonly type = 'webhook' as const;
  readonly calls: Notification[] = [];
  constructor(private readonly reply: (n: Notification, call: number, signal?: AbortSignal) => Promise<string>) {}
  deliver(n: Notification, signal?: AbortSignal): Promise<string> {
    this.calls.push(n);
    return this.reply(n, this.calls.length, signal);
  }
}

const unavailable = (): Promise<string> => Promise.reject(new SeismoError('POST http://127.0.0.1/…: HTTP 503 Service Unavailable', { retriable: true }));

/** Never answers; fails only when its signal is aborted (a receiver hanging mid-request). */
const hanging = (_n: Notification, _call: number, signal?: AbortSignal): Promise<string> =>
  new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new SeismoError('POST: aborted', { retriable: true })), { once: true }));

function setup(receiver: ScriptedReceiver, over: Partial<AlertingConfig> & { concurrency?: number } = {}) {
  const { concurrency, ...alerting } = over;
  const cfg = alertingSchema.parse({ receivers: [{ type: 'webhook', name: 'ops', url: 'http://127.0.0.1:1/hook', ...(concurrency ? { concurrency } : {}) }], ...alerting });
  const registry = new Registry();
  const logs: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
  const metrics = notifierMetrics(registry);
  const transport = new InlineTransport({ cfg, receivers: new Map([[receiver.name, receiver]]), dashboardUrl: 'http://127.0.0.1:8080', metrics, logger, recheck: (a) => Promise.resolve(a) });
  const failed = async (): Promise<number> => (await metrics.failed.get()).values.find((v) => v.labels.receiver === 'ops')?.value ?? 0;
  return { transport, logs, failed };
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function timed(p: Promise<void>): Promise<number> {
  const t0 = Date.now();
  await p;
  return Date.now() - t0;
}

describe('InlineTransport stop() with a receiver that is down', () => {
  // With the defaults (8 attempts, backoff from 1 s capped at 5 min) a down receiver used to hold
  // stop() for minutes. The bound checked here is the grace period plus a wide margin for a busy
  // machine: it is about stop() being bounded at all, not about how fast it is.
  const graceMs = 300;
  const margin = 3000;

  it('aborts the retries once the grace period ends and records the notification as failed', async () => {
    const receiver = new ScriptedReceiver(unavailable);
    const { transport, logs, failed } = setup(receiver, { shutdownGraceMs: graceMs });
    await transport.start();
    await transport.addSingles('ops', [sampleAlert()]);
    await until(() => receiver.calls.length >= 1);

    expect(await timed(transport.stop())).toBeLessThan(graceMs + margin);

    expect(transport.failures).toHaveLength(1);
    const [f] = transport.failures;
    expect(f.notification.alerts.map((a) => a.dedupKey)).toEqual([sampleAlert().dedupKey]);
    expect(f.attempts).toBeGreaterThanOrEqual(1);
    expect(f.error).toMatch(/shutdown grace period ended: cut short after attempt \d+: .*HTTP 503/);
    expect(await failed()).toBe(1);
    const summary = logs.find((l) => l.cutShort !== undefined);
    expect(summary).toMatchObject({ cutShort: 1, byReceiver: { ops: 1 }, shutdownGraceMs: graceMs });
    expect(summary?.msg).toMatch(/^1 notification\(s\) not delivered within the shutdown grace period/);
  });

  it('cuts a hanging request short and records the backlog behind it, none lost', async () => {
    const receiver = new ScriptedReceiver(hanging);
    const { transport, logs, failed } = setup(receiver, { shutdownGraceMs: graceMs, concurrency: 1 });
    await transport.start();
    await transport.addSingles('ops', [sampleAlert({ dedupKey: 'k1' }), sampleAlert({ dedupKey: 'k2' }), sampleAlert({ dedupKey: 'k3' })]);
    await until(() => receiver.calls.length === 1);

    expect(await timed(transport.stop())).toBeLessThan(graceMs + margin);

    expect(receiver.calls).toHaveLength(1);
    expect(transport.failures.map((f) => [f.notification.alerts[0].dedupKey, f.attempts, f.error])).toEqual([
      ['k1', 1, 'shutdown grace period ended: cut short during attempt 1'],
      ['k2', 0, 'shutdown grace period ended: not attempted'],
      ['k3', 0, 'shutdown grace period ended: not attempted'],
    ]);
    expect(await failed()).toBe(3);
    expect(logs.find((l) => l.cutShort !== undefined)).toMatchObject({ cutShort: 3 });
  });

  it('lets a delivery that succeeds within the grace period finish, and returns without waiting out the grace period', async () => {
    const receiver = new ScriptedReceiver((_n, call) => (call === 1 ? Promise.reject(new SeismoError('HTTP 503', { retriable: true, retryAfterMs: 50 })) : Promise.resolve('ok')));
    const { transport, logs, failed } = setup(receiver, { shutdownGraceMs: 60_000 });
    await transport.start();
    await transport.addSingles('ops', [sampleAlert()]);
    await until(() => receiver.calls.length >= 1);

    expect(await timed(transport.stop())).toBeLessThan(margin);

    expect(receiver.calls).toHaveLength(2);
    expect(transport.failures).toEqual([]);
    expect(await failed()).toBe(0);
    expect(logs.some((l) => l.msg === 'notification delivered')).toBe(true);
    expect(logs.some((l) => l.cutShort !== undefined)).toBe(false);
  });

  it('still records a delivery that ran out of attempts as before, not as cut short', async () => {
    const receiver = new ScriptedReceiver(unavailable);
    const { transport, logs, failed } = setup(receiver, { attempts: 2, backoffMs: 1 });
    await transport.start();
    await transport.addSingles('ops', [sampleAlert()]);
    await until(() => transport.failures.length === 1);
    await transport.stop();

    expect(receiver.calls).toHaveLength(2);
    expect(transport.failures[0]).toMatchObject({ attempts: 2 });
    expect(transport.failures[0].error).toMatch(/HTTP 503/);
    expect(transport.failures[0].error).not.toMatch(/grace/);
    expect(await failed()).toBe(1);
    expect(logs.some((l) => l.cutShort !== undefined)).toBe(false);
  });
});
