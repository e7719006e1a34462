import type { IncomingHttpHeaders } from 'node:http';
import { SeismoError } from '../pipeline/errors.js';

/** What a route handler gets. */
export interface ApiRequest {
  /** Upper-case HTTP method (`HEAD` is served by `GET` routes). */
  method: string;
  /** Decoded path without the query string. */
  path: string;
  /** Values of the `:name` segments of the route pattern. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the request has none. */
  body: unknown;
  /** Aborted when the client goes away or the server stops. */
  signal: AbortSignal;
}

/** What a route handler returns: a JSON `body`, or a `text` body with its `contentType`. */
export interface ApiResponse {
  /** Default 200. */
  status?: number;
  body?: unknown;
  text?: string;
  /** Content type of `text`. Default `text/plain; charset=utf-8`. */
  contentType?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

/** Thrown by handlers to answer with a status and `{error}`; never retriable. */
export class ApiError extends SeismoError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, { retriable: false });
  }
}

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: RouteHandler;
}

export type RouteMatch =
  | { kind: 'found'; handler: RouteHandler; params: Record<string, string>; pattern: string }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Routes by method and path pattern: literal segments and `:name` parameters, e.g.
 * `/api/silences/:id`. A path that matches a pattern under another method answers 405.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): void {
    const m = method.toUpperCase();
    if (!METHODS.has(m)) throw new SeismoError(`route ${pattern}: method ${method} not supported; use one of ${[...METHODS].join(', ')}`);
    if (!pattern.startsWith('/')) throw new SeismoError(`route pattern must start with '/': ${JSON.stringify(pattern)}`);
    const segments = splitPath(pattern);
    for (const s of segments) {
      if (s.startsWith(':') && !/^:[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new SeismoError(`route ${pattern}: bad parameter segment ${s}`);
    }
    const shape = segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/');
    if (this.routes.some((r) => r.method === m && r.segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/') === shape)) {
      throw new SeismoError(`route ${m} ${pattern} is already registered`);
    }
    this.routes.push({ method: m, pattern, segments, handler });
    // Literal segments win over parameters: sort so the most specific pattern is tried first.
    this.routes.sort((a, b) => specificity(b) - specificity(a));
  }

  match(method: string, path: string): RouteMatch {
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const parts = splitPath(path);
    const allow = new Set<string>();
    for (const r of this.routes) {
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      if (r.method === m) return { kind: 'found', handler: r.handler, params, pattern: r.pattern };
      allow.add(r.method);
    }
    if (allow.size > 0) {
      if (allow.has('GET')) allow.add('HEAD');
      return { kind: 'method-not-allowed', allow: [...allow].sort() };
    }
    return { kind: 'not-found' };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function specificity(r: Route): number {
  return r.segments.reduce((n, s, i) => n + (s.startsWith(':') ? 0 : 2 ** (16 - Math.min(i, 16))), r.segments.length * 2 ** 17);
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const v = parts[i]!;
    if (p.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(v);
      } catch {
        return null;
      }
      params[p.slice(1)] = decoded;
    } else if (p !== v) {
      return null;
    }
  }
  return params;
}
