import type { RouteHandler } from '../../api/router.js';
import { ApiError } from '../../api/router.js';
import { SeismoError } from '../../pipeline/errors.js';
import { silenceToJson, type Silences } from './silences.js';

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
export function registerAlertingRoutes(api: RouteRegistry, notifier: { readonly silences: Silences }): void {
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
