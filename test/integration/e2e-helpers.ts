import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the local webhook receiver got. */
export interface Hook {
  at: number;
  body: { state?: string; alerts?: Array<{ state: string; ts: number; series: { id: string; name: string; labels: Record<string, string> }; dedupKey: string }> };
}

/** A local webhook receiver (the notifier's webhook target in tests): records each POST, answers 200. */
export class HookServer {
  readonly hooks: Hook[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = Date.now();
        try {
          this.hooks.push({ at, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Hook['body'] });
        } catch {
          this.hooks.push({ at, body: {} });
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** Firing alerts received so far, with the time each POST arrived. */
  firing(): Array<{ at: number; alert: NonNullable<Hook['body']['alerts']>[number] }> {
    return this.hooks.flatMap((h) => (h.body.alerts ?? []).filter((a) => a.state === 'firing').map((alert) => ({ at: h.at, alert })));
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Polls `probe` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs an InfluxQL query over /query and returns the rows of the first series as objects. */
export async function influxRows(url: string, db: string, q: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`);
  if (!res.ok) throw new Error(`InfluxDB query failed: HTTP ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { results?: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }>; error?: string }> };
  const r = json.results?.[0];
  if (r?.error) throw new Error(`InfluxDB: ${r.error}`);
  const s = r?.series?.[0];
  if (!s) return [];
  return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
}
