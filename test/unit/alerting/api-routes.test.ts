import { describe, expect, it } from 'vitest';
import type { ApiRequest, RouteHandler } from '../../../api/router.js';
import { ApiError } from '../../../api/router.js';
import { registerAlertingRoutes } from '../../../sinks/alerting/api-routes.js';
import { MemorySilenceStore, Silences, silenceFromConfig } from '../../../sinks/alerting/silences.js';
import { parseMatcher } from '../../../sinks/alerting/matchers.js';

function harness() {
  const routes = new Map<string, RouteHandler>();
  const silences = new Silences([silenceFromConfig({ id: 'maint', matchers: [parseMatcher('env="staging"')], endsAt: '2099-01-01T00:00:00Z', comment: 'staging', createdBy: 'config' }, 0)], new MemorySilenceStore());
  registerAlertingRoutes({ addRoute: (m, p, h) => void routes.set(`${m} ${p}`, h) }, { silences });
  const call = async (key: string, req: Partial<ApiRequest> = {}) =>
    routes.get(key)!({ method: key.split(' ')[0], path: '', params: {}, query: new URLSearchParams(), headers: {}, body: undefined, signal: new AbortController().signal, ...req });
  return { routes, call };
}

describe('silence routes', () => {
  it('registers GET, POST and DELETE', () => {
    expect([...harness().routes.keys()].sort()).toEqual(['DELETE /api/silences/:id', 'GET /api/silences', 'POST /api/silences']);
  });

  it('creates, lists with status, deletes; errors map to 400, 404 and 409', async () => {
    const { call } = harness();
    const created = await call('POST /api/silences', { body: { matchers: ['team="db"'], endsAt: Date.now() + 60_000, comment: 'drill' } });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const listed = (await call('GET /api/silences')).body as { silences: Array<{ id: string; status: string; origin: string }> };
    expect(listed.silences.map((s) => [s.id, s.status, s.origin])).toEqual([
      ['maint', 'active', 'config'],
      [id, 'active', 'api'],
    ]);
    await expect(call('POST /api/silences', { body: { matchers: ['nope'], endsAt: Date.now() + 1 } })).rejects.toMatchObject({ status: 400 });
    await expect(call('POST /api/silences', { body: { matchers: ['a="b"'], endsAt: Date.now() + 1000, id: 'maint' } })).rejects.toMatchObject({ status: 400 });
    await expect(call('DELETE /api/silences/:id', { params: { id: 'maint' } })).rejects.toMatchObject({ status: 409 });
    expect((await call('DELETE /api/silences/:id', { params: { id } })).status).toBe(204);
    const gone = call('DELETE /api/silences/:id', { params: { id } });
    await expect(gone).rejects.toBeInstanceOf(ApiError);
    await expect(gone).rejects.toMatchObject({ status: 404 });
  });
});
