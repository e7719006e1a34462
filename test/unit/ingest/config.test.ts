import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../../config/load.js';
import { ConfigError } from '../../../pipeline/errors.js';

const EXAMPLES = join(import.meta.dirname, '../../../config/examples');
const env = { DD_API_KEY: 'k', DD_APP_KEY: 'a' };

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw, { env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('collector configuration', () => {
  it.each(['prometheus', 'datadog', 'cloudwatch'])('config/examples/collectors-%s.yaml is valid', (name) => {
    const cfg = loadConfigFile(join(EXAMPLES, `collectors-${name}.yaml`), { env });
    expect(cfg.sources[0].type).toBe(name);
  });

  it('the default source (host) gets its defaults', () => {
    const cfg = parseConfig({}, { env });
    expect(cfg.sources).toEqual([{ type: 'host', intervalMs: 5000, procPath: '/proc', perCpu: false, jitterRatio: 0.1, breaker: { failureThreshold: 5, coolDownMs: 30_000 } }]);
    expect(cfg.checkpoint).toEqual({ store: 'auto', path: './seismo-checkpoints.json' });
  });

  it('names the key path of an unknown key and lists the allowed ones', () => {
    const p = problems({ sources: [{ type: 'prometheus', url: 'http://x:9090', queries: [{ query: 'up', step: 5 }] }] });
    expect(p.join('\n')).toMatch(/sources\[0\]\.queries\[0\].*step.*allowed keys: name, query, rate/s);
  });

  it('says timeoutMs must be below intervalMs', () => {
    const p = problems({ sources: [{ type: 'datadog', queries: [{ query: 'avg:x{*}' }], intervalMs: 10_000, timeoutMs: 10_000 }] });
    expect(p).toContain('sources[0].timeoutMs: found 10000; must be below sources[0].intervalMs (10000)');
  });

  it('rejects a statistic CloudWatch does not know, a bad checkpoint store and too many points per request', () => {
    expect(problems({ sources: [{ type: 'cloudwatch', metrics: [{ namespace: 'AWS/EC2', stat: 'Mean' }] }] }).join('\n')).toMatch(/sources\[0\]\.metrics\[0\]\.stat/);
    expect(problems({ checkpoint: { store: 'disk' } }).join('\n')).toMatch(/checkpoint\.store/);
    expect(problems({ sources: [{ type: 'prometheus', url: 'http://x:9090', queries: [{ query: 'up' }], maxPointsPerRequest: 20_000 }] }).join('\n')).toMatch(/maxPointsPerRequest/);
    expect(problems({ sources: [{ type: 'cloudwatch', metrics: [{ namespace: 'AWS/EC2' }], maxQueriesPerRequest: 501 }] }).join('\n')).toMatch(/maxQueriesPerRequest/);
  });
});
