import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseConfig } from '../../config/load.js';
import { startService, type RunningService } from '../../pipeline/service.js';
import { HookServer, waitFor } from './e2e-helpers.js';

/** A NAB-style CSV: steady values with a little noise, one spike at row `spikeRow`, 1 minute apart. */
function csv(rows: number, spikeRow: number): string {
  const start = Date.UTC(2026, 0, 1);
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) {
    const ts = new Date(start + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    const v = i === spikeRow ? 250 : 40 + 0.8 * Math.sin(i * 0.9) + 0.3 * Math.cos(i * 2.3);
    lines.push(`${ts},${v.toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

describe('embedded mode (no servers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seismo-embedded-'));
  const hook = new HookServer();
  let svc: RunningService | null = null;
  const file = join(dir, 'spiky.csv');

  beforeAll(async () => {
    writeFileSync(file, csv(200, 170));
    await hook.start();
    const cfg = parseConfig({
      log: { level: 'warn' },
      api: { port: 0 },
      sources: [{ type: 'file', path: file, timestamps: 'now' }],
      detect: { warmupPoints: 30 },
      alerting: { receivers: [{ type: 'webhook', name: 'local', url: hook.url }], backoffMs: 50 },
    });
    svc = await startService(cfg, 'all', { logger: pino({ level: 'warn' }) });
  });

  afterAll(async () => {
    await svc?.stop();
    await hook.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a CSV spike fires an alert through the in-process stages, notifier and API', async () => {
    const fired = await waitFor(() => hook.firing().find((f) => f.alert.series.labels.file === 'spiky.csv'), 20_000, 'a firing alert at the webhook');
    // The alert is for the spike row: its value is the spike.
    const api = svc!.api!.address();
    const res = await fetch(`http://${api.host}:${api.port}/api/alerts?state=firing`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { alerts: Array<{ dedupKey: string; value: number }> };
    const spike = body.alerts.find((a) => a.value === 250);
    expect(spike).toBeDefined();
    expect(hook.firing().some((f) => f.alert.dedupKey === spike!.dedupKey)).toBe(true);
    expect(fired.alert.series.id).toMatch(/^[0-9a-f]{16}$/);
    // Every row went through the processor and the detector.
    const metrics = await (await fetch(`http://${api.host}:${api.port}/metrics`)).text();
    const sent = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1]);
    await waitFor(() => (sent('seismo_detect_sent_total') === 200 ? true : undefined), 10_000, 'all rows scored');
    expect(sent('seismo_features_sent_total')).toBe(200);
  });
});
