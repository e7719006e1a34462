import type { RouteHandler } from '../../api/router.js';
import { ApiError } from '../../api/router.js';
import { SeismoError } from '../../pipeline/errors.js';
import { silenceToJson, type Silences } from './silences.js';
import type { InlineFailure } from './inline-transport.js';

/** The part of the API server this module needs. */
export interface RouteRegistry {
  addRoute(method: string, pathPattern: string, handler: RouteHandler): void;
}

function asApiError(err: unknown): never {
  if (err instanceof ApiError) throw err;
  if (err instanceof SeismoError && !err.retriable) throw new ApiError(400, err.message);
  throw err;
}

/**
 * `GET /api/silences` (all, with status pending|active|expired), `POST /api/silences`
 * (`{matchers: ["team=\"db\""], startsAt?, endsAt, comment?, createdBy?}` -> 201 with the silence),
 * `DELETE /api/silences/:id` (204; 404 when unknown; 409 for a configured silence).
 */
export function registerAlertingRoutes(api: RouteRegistry, notifier: { readonly silences: Silences; readonly embeddedFailures?: readonly InlineFailure[] | null }): void {
  const failures = notifier.embeddedFailures;
  if (failures) registerFailedRoute(api, failures);
  api.addRoute('GET', '/api/silences', async () => {
    const now = Date.now();
    const all = await notifier.silences.all();
    return { body: { silences: all.map((s) => silenceToJson(s, now)) } };
  });
  api.addRoute('POST', '/api/silences', async (req) => {
    try {
      const s = await notifier.silences.add(req.body);
      return { status: 201, body: silenceToJson(s, Date.now()) };
    } catch (err) {
      return asApiError(err);
    }
  });
  api.addRoute('DELETE', '/api/silences/:id', async (req) => {
    const id = req.params.id ?? '';
    try {
      if (!(await notifier.silences.remove(id))) throw new ApiError(404, `no silence ${JSON.stringify(id)}`);
    } catch (err) {
      if (err instanceof SeismoError && !(err instanceof ApiError) && !err.retriable) throw new ApiError(409, err.message);
      return asApiError(err);
    }
    return { status: 204 };
  });
}

/** One failed delivery as `GET /api/alerts/failed` lists it (the fields of `seismo alerts failed --json`, embedded mode). */
export interface FailedDeliveryJson {
  receiver: string;
  id: string;
  kind: 'alert' | 'group';
  state: string;
  dedupKeys: string[];
  series: string;
  count: number;
  attempts: number;
  failedAt: string;
  error: string;
}

export function failedDeliveryJson(f: InlineFailure): FailedDeliveryJson {
  const n = f.notification;
  const single = n.groupKey === null;
  const first = n.alerts[0];
  return {
    receiver: n.receiver,
    id: n.id,
    kind: single ? 'alert' : 'group',
    state: n.state,
    dedupKeys: n.alerts.map((a) => a.dedupKey),
    series: single && first ? `${first.series.name}${JSON.stringify(first.series.labels)}` : JSON.stringify(n.groupLabels),
    count: n.count,
    attempts: f.attempts,
    failedAt: new Date(f.failedAt).toISOString(),
    error: f.error,
  };
}

/**
 * `GET /api/alerts/failed[?receiver=NAME][&limit=N]` in embedded mode (no Redis): the deliveries
 * that ran out of attempts or were cut short at shutdown, newest first, from the in-memory list of
 * this process (the newest 1000; gone on restart). With Redis, `seismo alerts failed` reads them.
 */
function registerFailedRoute(api: RouteRegistry, failures: readonly InlineFailure[]): void {
  api.addRoute('GET', '/api/alerts/failed', (req) => {
    const receiver = req.query.get('receiver');
    const limitText = req.query.get('limit');
    const limit = limitText === null ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError(400, `limit: found ${JSON.stringify(limitText)}; allowed: an integer from 1 to 1000`);
    const out: FailedDeliveryJson[] = [];
    for (let i = failures.length - 1; i >= 0 && out.length < limit; i--) {
      const f = failures[i];
      if (receiver !== null && f.notification.receiver !== receiver) continue;
      out.push(failedDeliveryJson(f));
    }
    return { body: { mode: 'embedded', total: failures.length, failed: out } };
  });
}
