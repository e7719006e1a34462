import { describe, expect, it } from 'vitest';
import { alertingSchema } from '../../../sinks/alerting/config.js';
import { Router } from '../../../sinks/alerting/routing.js';

const receivers = ['default', 'pager', 'db', 'db-night', 'audit'].map((name) => ({ type: 'webhook', name, url: `http://127.0.0.1:1/${name}` }));

function router(route: unknown, grouping: unknown = {}) {
  return new Router(alertingSchema.parse({ receivers, route, grouping }));
}

describe('route tree', () => {
  const r = router({
    receiver: 'default',
    groupBy: ['metric'],
    routes: [
      { matchers: ['metric="audit_events"'], receiver: 'audit', continue: true },
      { matchers: ['severity="critical"'], receiver: 'pager', groupWaitMs: 0 },
      {
        matchers: ['team=~"db|storage"'],
        receiver: 'db',
        groupBy: ['host'],
        groupWaitMs: 5000,
        routes: [{ matchers: ['env="night"'], receiver: 'db-night' }],
      },
    ],
  });
  const names = (labels: Record<string, string>) => r.route(labels).map((t) => t.receiver);

  it('first matching child wins; the root catches the rest', () => {
    expect(names({ severity: 'critical', team: 'db' })).toEqual(['pager']);
    expect(names({ severity: 'warning', team: 'db' })).toEqual(['db']);
    expect(names({ severity: 'warning', team: 'web' })).toEqual(['default']);
  });

  it('descends into nested routes and falls back to the matching parent', () => {
    expect(names({ severity: 'info', team: 'storage', env: 'night' })).toEqual(['db-night']);
    expect(names({ severity: 'info', team: 'storage', env: 'day' })).toEqual(['db']);
  });

  it('continue lets later siblings match too', () => {
    expect(names({ metric: 'audit_events', severity: 'critical' })).toEqual(['audit', 'pager']);
    expect(names({ metric: 'audit_events', severity: 'info' })).toEqual(['audit']);
  });

  it('grouping settings are inherited and overridden', () => {
    const [db] = r.route({ severity: 'info', team: 'db' });
    expect(db).toEqual({ receiver: 'db', groupBy: ['host'], groupWaitMs: 5000 });
    const [night] = r.route({ severity: 'info', team: 'db', env: 'night' });
    expect(night).toEqual({ receiver: 'db-night', groupBy: ['host'], groupWaitMs: 5000 });
    const [def] = r.route({ severity: 'info' });
    expect(def).toEqual({ receiver: 'default', groupBy: ['metric'], groupWaitMs: 0 });
  });

  it('without a route every alert goes to every receiver, once each', () => {
    const all = new Router(alertingSchema.parse({ receivers, grouping: { groupWaitMs: 100 } }));
    expect(all.route({ anything: 'x' })).toEqual(receivers.map((x) => ({ receiver: x.name, groupBy: ['metric'], groupWaitMs: 100 })));
  });
});
