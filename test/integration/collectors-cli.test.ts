import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCommand } from '../../ingest/collect-command.js';
import { checkSample, type Sample } from '../../ingest/sample.js';
import { prometheusUrl } from './stack.js';

describe('seismo collect --once', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seismo-collect-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function config(name: string, yaml: string): Promise<string> {
    const p = join(dir, name);
    await writeFile(p, yaml);
    return p;
  }

  it('writes the samples of every source as NDJSON, --since overriding the backfill', async () => {
    await writeFile(join(dir, 'series.csv'), 'timestamp,value\n2014-02-14 14:27:00,1\n2014-02-14 14:32:00,2\nbad,3\n');
    const cfg = await config(
      'ok.yaml',
      `sources:
  - type: prometheus
    url: ${prometheusUrl}
    stepMs: 1000
    intervalMs: 5000
    timeoutMs: 2000
    queries: [{ name: one, query: vector(1) }]
  - type: file
    path: ${join(dir, 'series.csv')}
`,
    );
    const out = join(dir, 'out.ndjson');
    const before = Date.now();
    const code = await collectCommand({ config: cfg, once: true, since: '15s', out });
    expect(code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    const samples = lines.map((l) => JSON.parse(l) as Sample);
    expect(samples.every((s) => checkSample(s) === null)).toBe(true);
    const prom = samples.filter((s) => s.series.source === 'prometheus');
    // 15 s at a 1 s step: 15 instants (one more if a second boundary passed while running).
    expect(prom.length).toBeGreaterThanOrEqual(15);
    expect(prom.length).toBeLessThanOrEqual(15 + Math.ceil((Date.now() - before) / 1000));
    expect(Math.min(...prom.map((s) => s.ts))).toBeGreaterThan(before - 16_000);
    expect(samples.filter((s) => s.series.source === 'file').map((s) => s.value)).toEqual([1, 2]);
  });

  it('rejects a malformed --since with exit code 2', async () => {
    const cfg = await config('min.yaml', `sources:\n  - type: prometheus\n    url: ${prometheusUrl}\n    queries: [{ query: up }]\n`);
    expect(await collectCommand({ config: cfg, once: true, since: '15 minutes', out: join(dir, 'x.ndjson') })).toBe(2);
  });

  it('rejects a bad configuration with exit code 2', async () => {
    const cfg = await config('bad.yaml', 'sources:\n  - type: prometheus\n    url: not-a-url\n    queries: []\n');
    expect(await collectCommand({ config: cfg, once: true, out: join(dir, 'y.ndjson') })).toBe(2);
  });

  it('exits 1 when a source fails', async () => {
    const cfg = await config('down.yaml', 'sources:\n  - type: prometheus\n    url: http://127.0.0.1:1\n    timeoutMs: 500\n    intervalMs: 5000\n    queries: [{ query: up }]\n');
    expect(await collectCommand({ config: cfg, once: true, since: '1m', out: join(dir, 'z.ndjson') })).toBe(1);
  });
});
