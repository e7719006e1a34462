import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../../config/load.js';
import { Router } from '../../../sinks/alerting/routing.js';

const file = fileURLToPath(new URL('../../../config/examples/alerting.yaml', import.meta.url));

describe('config/examples/alerting.yaml', () => {
  it('is valid and routes as its comments say', () => {
    const cfg = loadConfigFile(file, { checkSecrets: false });
    expect(cfg.alerting.receivers.map((r) => r.name)).toEqual(['ops-webhook', 'slack-ops', 'slack-db', 'pager']);
    const r = new Router(cfg.alerting);
    expect(r.route({ severity: 'critical', team: 'db' }).map((t) => t.receiver)).toEqual(['pager', 'slack-db']);
    expect(r.route({ severity: 'critical', team: 'web' }).map((t) => t.receiver)).toEqual(['pager', 'slack-ops']);
    expect(r.route({ severity: 'warning', team: 'web' }).map((t) => t.receiver)).toEqual(['slack-ops']);
    expect(r.route({ severity: 'warning', team: 'db', host: 'db-1' })).toEqual([{ receiver: 'slack-db', groupBy: ['host'], groupWaitMs: 30000 }]);
  });
});
