import { describe, expect, it } from 'vitest';
import { alertJobId, groupJobId, groupKeyOf, singleNotification, type Notification } from '../../../sinks/alerting/notification.js';
import { signatureHeader, signatureHex, verifySignature } from '../../../sinks/webhook/signature.js';
import { webhookBody } from '../../../sinks/webhook/receiver.js';
import { slackMessage } from '../../../sinks/slack/blocks.js';
import { classifySlackApiBody } from '../../../sinks/slack/receiver.js';
import { pagerdutyEvent, pagerdutySeverity } from '../../../sinks/pagerduty/payload.js';
import { SeismoError } from '../../../pipeline/errors.js';
import { sampleAlert } from './fixtures.js';

const DASH = 'https://seismo.example.com';

describe('ids and group keys', () => {
  it('job ids depend on dedup key and state only, and are valid BullMQ ids', () => {
    const a = sampleAlert();
    expect(alertJobId(a)).toBe(alertJobId({ dedupKey: a.dedupKey, state: a.state }));
    expect(alertJobId(a)).not.toBe(alertJobId({ ...a, state: 'resolved' }));
    expect(alertJobId(a)).not.toBe(alertJobId({ ...a, dedupKey: 'x' }));
    expect(alertJobId(a)).not.toContain(':');
    expect(groupJobId('w1')).not.toBe(groupJobId('w2'));
  });

  it('group keys use the group-by label values, order-insensitive, per receiver and state', () => {
    const g1 = groupKeyOf('ops', 'firing', ['host', 'env'], { host: 'a', env: 'prod', team: 'x' });
    const g2 = groupKeyOf('ops', 'firing', ['env', 'host'], { host: 'a', env: 'prod', team: 'y' });
    expect(g1).toEqual(g2);
    expect(g1.labels).toEqual({ env: 'prod', host: 'a' });
    expect(groupKeyOf('ops', 'resolved', ['host', 'env'], { host: 'a', env: 'prod' }).key).not.toBe(g1.key);
    expect(groupKeyOf('pd', 'firing', ['host', 'env'], { host: 'a', env: 'prod' }).key).not.toBe(g1.key);
    expect(groupKeyOf('ops', 'firing', ['host'], { host: 'b' }).key).not.toBe(groupKeyOf('ops', 'firing', ['host'], { host: 'a' }).key);
    expect(groupKeyOf('ops', 'firing', ['host'], {}).labels).toEqual({ host: '' });
  });
});

describe('webhook signature', () => {
  const body = JSON.stringify({ hello: 'world' });
  const now = 1_700_000_000_000;

  it('is HMAC-SHA256 over "<t>.<body>"', () => {
    // echo -n '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac s3cret
    expect(signatureHex('s3cret', 1_700_000_000, body)).toBe('6f4351a15224248663bdabf854a428c6942e6be080ed368c1833e5d8a1d5e9a8');
    expect(signatureHeader('s3cret', body, now)).toBe(`t=1700000000,v1=${signatureHex('s3cret', 1_700_000_000, body)}`);
  });

  it('verifies, and rejects a wrong secret, a changed body, an old timestamp and junk', () => {
    const h = signatureHeader('s3cret', body, now);
    expect(verifySignature('s3cret', h, body, now)).toEqual({ ok: true });
    expect(verifySignature('other', h, body, now)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifySignature('s3cret', h, body.replace('world', 'w0rld'), now).ok).toBe(false);
    expect(verifySignature('s3cret', h, body, now + 301_000)).toEqual({ ok: false, reason: 'timestamp outside tolerance (possible replay)' });
    expect(verifySignature('s3cret', 'garbage', body, now).ok).toBe(false);
    expect(verifySignature('s3cret', undefined, body, now).ok).toBe(false);
    expect(verifySignature('s3cret', `t=1700000000,v1=${'0'.repeat(64)},v1=${signatureHex('s3cret', 1_700_000_000, body)}`, body, now)).toEqual({ ok: true });
  });
});

describe('payload builders', () => {
  const a = sampleAlert();
  const single = singleNotification('a-1', 'ops', a, DASH);
  const group: Notification = { ...single, id: 'g-1', groupKey: 'k', groupLabels: { host: 'web-1' }, count: 120, alerts: [a, { ...a, dedupKey: 'd2', value: 88 }], truncated: 118 };

  it('webhook body carries the notification with its alerts', () => {
    expect(webhookBody(group)).toMatchObject({ version: 1, id: 'g-1', state: 'firing', count: 120, truncated: 118, groupLabels: { host: 'web-1' }, dashboardUrl: DASH });
    expect((webhookBody(single).alerts as unknown[])[0]).toEqual(a);
  });

  it('Slack Block Kit: metric, labels, value vs band, score, detector, explanation, dashboard link', () => {
    const m = slackMessage(single);
    const text = JSON.stringify(m.blocks);
    expect(m.text).toContain('[critical] FIRING: cpu_usage{host="web-1",env="prod",team="web"}');
    expect(m.blocks[0]).toMatchObject({ type: 'header' });
    for (const s of ['*Metric*\\ncpu_usage (prometheus)', '*Value*\\n97.5', '*Expected*\\n10 … 60', '*Score*\\n0.991', '*Detector*\\nholt-winters', '`host=web-1`', 'above the band', `${DASH}/?series=abcdef0123456789`]) {
      expect(text).toContain(s);
    }
    const resolved = slackMessage({ ...single, state: 'resolved' });
    expect(resolved.text).toContain(':white_check_mark:');
    expect(resolved.text).toContain('RESOLVED');
  });

  it('Slack group message lists members and says how many more', () => {
    const m = slackMessage(group);
    const text = JSON.stringify(m.blocks);
    expect(m.text).toContain('120 alerts');
    expect(text).toContain('value 88');
    expect(text).toContain('and 118 more');
  });

  it('Slack ok:false errors are classified', () => {
    expect(classifySlackApiBody('{"ok":true,"ts":"1.2"}', null)).toEqual({ ts: '1.2' });
    const rl = (() => {
      try {
        classifySlackApiBody('{"ok":false,"error":"ratelimited"}', '7');
      } catch (e) {
        return e as SeismoError;
      }
    })()!;
    expect(rl.retriable).toBe(true);
    expect(rl.retryAfterMs).toBe(7000);
    for (const error of ['invalid_auth', 'channel_not_found', 'not_in_channel']) {
      expect(() => classifySlackApiBody(JSON.stringify({ ok: false, error }), null)).toThrow(new RegExp(`slack: ${error}`));
      try {
        classifySlackApiBody(JSON.stringify({ ok: false, error }), null);
      } catch (e) {
        expect((e as SeismoError).retriable).toBe(false);
      }
    }
  });

  it('PagerDuty trigger carries evidence; resolve reuses the dedup key', () => {
    const t = pagerdutyEvent(a, 'K'.repeat(32), { source: 'seismo', dashboardUrl: DASH });
    expect(t).toMatchObject({ event_action: 'trigger', dedup_key: a.dedupKey, routing_key: 'K'.repeat(32), client: 'seismo' });
    expect(t.payload).toMatchObject({ severity: 'critical', source: 'seismo', component: 'cpu_usage', class: 'holt-winters', timestamp: '2023-11-14T22:13:20.000Z' });
    expect(t.payload!.summary).toContain('cpu_usage{host="web-1",env="prod",team="web"} = 97.5 outside expected 10…60');
    expect(t.payload!.custom_details).toMatchObject({ value: 97.5, expected: { lo: 10, hi: 60 }, score: 0.991, detectors: 'holt-winters', explanation: a.explanation, labels: { host: 'web-1', severity: 'critical' } });
    expect(t.links![0].href).toBe(`${DASH}/?series=abcdef0123456789`);
    const r = pagerdutyEvent({ ...a, state: 'resolved' }, 'K'.repeat(32), { source: 'seismo', dashboardUrl: DASH });
    expect(r).toEqual({ routing_key: 'K'.repeat(32), event_action: 'resolve', dedup_key: a.dedupKey });
  });

  it('PagerDuty severity mapping', () => {
    expect(['critical', 'error', 'warning', 'info', 'page-me'].map(pagerdutySeverity)).toEqual(['critical', 'error', 'warning', 'info', 'error']);
  });
});
