import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { ConfigError } from '../../../pipeline/errors.js';

function problems(alerting: unknown): string[] {
  try {
    parseConfig({ alerting }, { checkSecrets: false });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('alerting configuration', () => {
  const hook = { type: 'webhook', name: 'ops', url: 'http://127.0.0.1:9999/hook' };

  it('accepts a full configuration', () => {
    const cfg = parseConfig(
      {
        alerting: {
          receivers: [
            { ...hook, secret: { env: 'HOOK_SECRET' }, rateLimit: { max: 10, durationMs: 60000 } },
            { type: 'slack', name: 'chat', token: { env: 'SLACK_TOKEN' }, channel: '#ops' },
            { type: 'slack', name: 'chat-hook', webhookUrl: { file: '/run/secrets/slack' } },
            { type: 'pagerduty', name: 'pd', routingKey: { env: 'PD_KEY' } },
          ],
          route: { receiver: 'ops', routes: [{ matchers: ['severity="critical"'], receiver: 'pd', continue: true }] },
          silences: [{ matchers: ['env="staging"'], endsAt: '2030-01-01T00:00:00Z' }],
          grouping: { groupBy: ['host'], groupWaitMs: 30000 },
        },
      },
      { checkSecrets: false },
    );
    expect(cfg.alerting.receivers).toHaveLength(4);
    expect(cfg.alerting.attempts).toBe(8);
    expect(cfg.alerting.dedupRetentionHours).toBe(24);
    expect(cfg.alerting.route?.routes[0].matchers[0]).toMatchObject({ name: 'severity', op: '=', value: 'critical' });
  });

  it('routes must name existing receivers, saying which exist', () => {
    const p = problems({ receivers: [hook], route: { receiver: 'ops', routes: [{ matchers: ['team="db"'], receiver: 'dba' }] } });
    expect(p).toEqual(['alerting.route.routes[0].receiver: found "dba"; no receiver by that name; define it under alerting.receivers or use one of: ops']);
  });

  it('a root route needs a default receiver', () => {
    expect(problems({ receivers: [hook], route: { routes: [] } })[0]).toMatch(/^alerting\.route\.receiver: found nothing; the root route needs a default receiver; one of: ops/);
  });

  it('bad matchers name their key path', () => {
    const p = problems({ receivers: [hook], route: { receiver: 'ops', routes: [{ matchers: ['team=~"(db"'], receiver: 'ops' }] } });
    expect(p[0]).toMatch(/^alerting\.route\.routes\[0\]\.matchers\[0\]: found "team=~\\"\(db\\""; invalid regular expression/);
  });

  it('slack needs exactly one mode, and a channel in bot mode', () => {
    expect(problems({ receivers: [{ type: 'slack', name: 's' }] })[0]).toMatch(/alerting\.receivers\[0\]\.token: .*set exactly one of webhookUrl/);
    expect(problems({ receivers: [{ type: 'slack', name: 's', token: 'x' }] })[0]).toMatch(/alerting\.receivers\[0\]\.channel: .*needs a channel/);
  });

  it('unknown keys and unknown receiver types are rejected', () => {
    expect(problems({ receivers: [{ ...hook, retries: 3 }] })[0]).toMatch(/alerting\.receivers\[0\]\.retries: unknown key; allowed keys: type, name, rateLimit, sendResolved, concurrency, url, headers, secret, timeoutMs/);
    expect(problems({ receivers: [{ type: 'email', name: 'x' }] })[0]).toMatch(/alerting\.receivers\[0\]\.type/);
    expect(problems({ receivers: [{ type: 'pagerduty', name: 'pd' }] })[0]).toMatch(/alerting\.receivers\[0\]\.routingKey/);
  });

  it('duplicate receiver names and inverted silence windows are reported', () => {
    expect(problems({ receivers: [hook, hook] })).toContain('alerting.receivers[1].name: found "ops"; receiver names must be unique');
    expect(problems({ silences: [{ matchers: ['a="b"'], startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }] })[0]).toMatch(/alerting\.silences\[0\]\.endsAt: .*must be after/);
  });
});
