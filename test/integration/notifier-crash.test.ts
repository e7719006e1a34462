import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, type Notifier } from '../../sinks/alerting/index.js';
import { FakeServer, REDIS_URL, alert, cleanupPrefix, config, testContext, transpileForChild, uniquePrefix } from './alerting-fakes.js';

describe('notifier crash and takeover', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function make(prefix: string, url: string, workers = true): Notifier {
    const n = createNotifier(config(prefix, { receivers: [{ type: 'webhook', name: 'ops', url: `${url}/hook` }], lockDurationMs: 1000, backoffMs: 50 }), testContext(), { workers });
    cleanups.push(() => n.stop());
    return n;
  }

  it('a notifier killed mid-delivery: a second instance takes the job over and the receiver acknowledges exactly once', async () => {
    let hold = true;
    const server = await new FakeServer(() => (hold ? 'hold' : { status: 200, body: 'ok' })).start();
    const prefix = uniquePrefix('crash');
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix));
    const a = make(prefix, server.url);
    await a.start();
    const x = alert();
    await a.handle([x]);
    await server.waitFor(() => server.received.length === 1, 10_000, 'first attempt in flight');
    await a.kill();
    hold = false;

    const b = make(prefix, server.url);
    await b.start();
    // The upstream did not see its batch committed by the dead instance and hands it over again.
    await b.handle([x]);
    await server.waitFor(() => server.acknowledged.length === 1, 20_000, 'takeover delivery');
    await new Promise((r) => setTimeout(r, 2500)); // longer than the lock: a second delivery would show
    expect(server.acknowledged).toHaveLength(1);
    expect(server.received).toHaveLength(2);
    // Same idempotency key on the abandoned attempt and the delivered one.
    expect(server.received[1].headers['x-seismo-delivery']).toBe(server.received[0].headers['x-seismo-delivery']);
    const q = b.queues!.queue('ops');
    const counts = await q.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    expect(counts).toMatchObject({ completed: 1, failed: 0, waiting: 0, active: 0, delayed: 0 });
  });

  it('alerts accepted by a notifier that dies before delivering are delivered once by the next one, replays included', async () => {
    const server = await new FakeServer().start();
    const prefix = uniquePrefix('crash2');
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix));
    const enqueueOnly = make(prefix, server.url, false);
    await enqueueOnly.start();
    const batch = [alert(), alert(), alert()];
    await enqueueOnly.handle(batch);
    await enqueueOnly.kill();
    expect(server.received).toHaveLength(0);

    const b = make(prefix, server.url);
    await b.start();
    await b.handle(batch);
    await b.handle(batch.slice(1));
    await server.waitFor(() => server.acknowledged.length === 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(server.received.map((r) => (r.json as { alerts: Array<{ dedupKey: string }> }).alerts[0].dedupKey).sort()).toEqual(batch.map((x) => x.dedupKey).sort());
  });

  it('a crash between accepting group members and scheduling their flush heals when the upstream hands them over again', async () => {
    const server = await new FakeServer().start();
    const prefix = uniquePrefix('crash3');
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix));
    const grouped = (workers: boolean): Notifier => {
      const n = createNotifier(config(prefix, { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook` }], route: { receiver: 'ops', groupBy: ['host'], groupWaitMs: 300 } }), testContext(), { workers });
      cleanups.push(() => n.stop());
      return n;
    };
    const first = grouped(false);
    await first.start();
    const batch = [alert({ labels: { host: 'h1' } }), alert({ labels: { host: 'h1' } })];
    await first.handle(batch);
    // Lose the scheduled flush, as if the process died right after the members were written.
    const q = first.queues!.queue('ops');
    const delayed = await q.getDelayed();
    expect(delayed).toHaveLength(1);
    await delayed[0].remove();
    await first.kill();

    const second = grouped(true);
    await second.start();
    await second.handle(batch);
    await server.waitFor(() => server.acknowledged.length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 800));
    expect(server.acknowledged).toHaveLength(1);
    const body = server.acknowledged[0].json as { count: number; alerts: Array<{ dedupKey: string }> };
    expect(body.count).toBe(2);
    expect(body.alerts.map((a) => a.dedupKey).sort()).toEqual(batch.map((a) => a.dedupKey).sort());
  });

  it('a notifier process SIGKILLed mid-delivery: another notifier delivers the notification exactly once', async () => {
    let hold = true;
    const server = await new FakeServer(() => (hold ? 'hold' : { status: 200, body: 'ok' })).start();
    const prefix = uniquePrefix('sigkill');
    const dir = await transpileForChild();
    cleanups.push(() => server.stop(), () => cleanupPrefix(prefix), () => rmSync(dir, { recursive: true, force: true }));
    const alerting = { receivers: [{ type: 'webhook', name: 'ops', url: `${server.url}/hook` }], lockDurationMs: 1000, backoffMs: 50 };
    writeFileSync(
      join(dir, 'child.js'),
      `import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from './config/load.js';
import { createNotifier } from './sinks/alerting/index.js';
const [cfg, alerts] = JSON.parse(process.argv[2]);
const n = createNotifier(parseConfig(cfg, { checkSecrets: false }), { logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal });
await n.start();
await n.handle(alerts);
process.stdout.write('accepted\\n');
setInterval(() => {}, 1000);
`,
    );
    const x = alert();
    const child = spawn(process.execPath, [join(dir, 'child.js'), JSON.stringify([{ redis: { url: REDIS_URL, prefix }, alerting }, [x]])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    cleanups.push(() => void child.kill('SIGKILL'));
    await server.waitFor(() => server.received.length === 1 || child.exitCode !== null, 30_000, 'the child notifier to start delivering');
    expect(stderr).toBe('');
    expect(server.received).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    hold = false;

    const b = make(prefix, server.url);
    await b.start();
    await b.handle([x]); // the upstream hands the uncommitted batch over again
    await server.waitFor(() => server.acknowledged.length === 1, 20_000, 'takeover delivery');
    await new Promise((r) => setTimeout(r, 2500));
    expect(server.acknowledged).toHaveLength(1);
    expect(server.received).toHaveLength(2);
    expect(server.received[1].headers['x-seismo-delivery']).toBe(server.received[0].headers['x-seismo-delivery']);
    expect(await b.queues!.queue('ops').getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed')).toMatchObject({ completed: 1, failed: 0, waiting: 0, active: 0, delayed: 0 });
  });
});
