import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SeismoError } from '../../pipeline/errors.js';
import type { SilenceConfig } from './config.js';
import { formatMatcher, matchesAll, parseMatcher, type Matcher } from './matchers.js';

/** A silence (maintenance window): alerts whose labels match every matcher are suppressed between startsAt and endsAt. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  /** Epoch ms. */
  startsAt: number;
  /** Epoch ms. */
  endsAt: number;
  comment: string;
  createdBy: string;
  /** `config` silences cannot be deleted through the API. */
  origin: 'config' | 'api';
}

/** A silence as JSON (API bodies and Redis). */
export interface SilenceJson {
  id: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  comment: string;
  createdBy: string;
  origin: 'config' | 'api';
  status?: 'pending' | 'active' | 'expired';
}

export function silenceToJson(s: Silence, now?: number): SilenceJson {
  const out: SilenceJson = {
    id: s.id,
    matchers: s.matchers.map(formatMatcher),
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    comment: s.comment,
    createdBy: s.createdBy,
    origin: s.origin,
  };
  if (now !== undefined) out.status = now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired';
  return out;
}

/** Validates untrusted input (API body); throws a non-retriable SeismoError naming the field. */
export function silenceFromInput(input: unknown, now: number = Date.now()): Silence {
  if (input === null || typeof input !== 'object') throw new SeismoError('silence: expected a JSON object');
  const o = input as Record<string, unknown>;
  const allowed = new Set(['id', 'matchers', 'startsAt', 'endsAt', 'comment', 'createdBy', 'origin', 'status']);
  for (const k of Object.keys(o)) if (!allowed.has(k)) throw new SeismoError(`silence.${k}: unknown key; allowed keys: matchers, startsAt, endsAt, comment, createdBy`);
  if (!Array.isArray(o.matchers) || o.matchers.length === 0) throw new SeismoError('silence.matchers: expected a non-empty array of matcher strings like severity="critical"');
  const matchers = o.matchers.map((m, i) => {
    if (typeof m !== 'string') throw new SeismoError(`silence.matchers[${i}]: expected a string`);
    try {
      return parseMatcher(m);
    } catch (err) {
      throw new SeismoError(`silence.matchers[${i}]: ${(err as Error).message}`);
    }
  });
  const time = (key: 'startsAt' | 'endsAt', fallback?: number): number => {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(t)) throw new SeismoError(`silence.${key}: expected an ISO 8601 time or epoch ms, found ${JSON.stringify(v)}`);
    return t;
  };
  const startsAt = time('startsAt', now);
  const endsAt = time('endsAt');
  if (endsAt <= startsAt) throw new SeismoError('silence.endsAt: must be after startsAt');
  return {
    id: typeof o.id === 'string' && o.id ? o.id : randomUUID(),
    matchers,
    startsAt,
    endsAt,
    comment: typeof o.comment === 'string' ? o.comment : '',
    createdBy: typeof o.createdBy === 'string' ? o.createdBy : 'api',
    origin: o.origin === 'config' ? 'config' : 'api',
  };
}

export function silenceFromConfig(s: SilenceConfig, index: number): Silence {
  return {
    id: s.id ?? `config-${index}`,
    matchers: s.matchers,
    startsAt: s.startsAt === undefined ? 0 : Date.parse(s.startsAt),
    endsAt: Date.parse(s.endsAt),
    comment: s.comment,
    createdBy: s.createdBy,
    origin: 'config',
  };
}

/** The silence that suppresses an alert with these labels at `now`, if any. */
export function silencedBy(silences: readonly Silence[], labels: Record<string, string>, now: number): Silence | undefined {
  return silences.find((s) => s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, labels));
}

/** Where API-created silences live. Expired silences are pruned a day after they end. */
export interface SilenceStore {
  list(): Promise<Silence[]>;
  put(s: Silence): Promise<void>;
  remove(id: string): Promise<boolean>;
}

const PRUNE_AFTER_MS = 24 * 3600_000;

export class MemorySilenceStore implements SilenceStore {
  private readonly items = new Map<string, Silence>();
  async list(): Promise<Silence[]> {
    const now = Date.now();
    for (const [id, s] of this.items) if (s.endsAt + PRUNE_AFTER_MS < now) this.items.delete(id);
    return [...this.items.values()];
  }
  async put(s: Silence): Promise<void> {
    if (this.items.size >= 10_000 && !this.items.has(s.id)) throw new SeismoError('silences: 10000 stored; delete some first');
    this.items.set(s.id, s);
  }
  async remove(id: string): Promise<boolean> {
    return this.items.delete(id);
  }
}

/** One Redis hash `<prefix>:alerting:silences`, id -> JSON; shared by every notifier and API process. */
export class RedisSilenceStore implements SilenceStore {
  private readonly key: string;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:alerting:silences`;
  }
  async list(): Promise<Silence[]> {
    const all = await this.redis.hgetall(this.key);
    const now = Date.now();
    const out: Silence[] = [];
    for (const [id, json] of Object.entries(all)) {
      try {
        const s = silenceFromInput(JSON.parse(json) as unknown, now);
        if (s.endsAt + PRUNE_AFTER_MS < now) await this.redis.hdel(this.key, id);
        else out.push(s);
      } catch {
        await this.redis.hdel(this.key, id);
      }
    }
    return out;
  }
  async put(s: Silence): Promise<void> {
    await this.redis.hset(this.key, s.id, JSON.stringify(silenceToJson(s)));
  }
  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, id)) > 0;
  }
}

/**
 * Configuration silences plus the stored ones: what the notifier and the API see. Reads are
 * cached for `cacheMs` (default 1000): a silence added in another process takes effect here
 * within that time; one added or removed through this instance takes effect at once.
 */
export class Silences {
  private cached: { at: number; list: Promise<Silence[]> } | null = null;

  constructor(
    private readonly fromConfig: readonly Silence[],
    private readonly store: SilenceStore,
    private readonly cacheMs = 1000,
  ) {}

  /** Every silence, fresh from the store. */
  async all(): Promise<Silence[]> {
    return [...this.fromConfig, ...(await this.store.list())];
  }

  /** Every silence, possibly up to `cacheMs` old (the delivery path's view). */
  current(now: number = Date.now()): Promise<Silence[]> {
    if (!this.cached || now - this.cached.at >= this.cacheMs) {
      const list = this.all();
      this.cached = { at: now, list };
      list.catch(() => {
        if (this.cached?.list === list) this.cached = null;
      });
    }
    return this.cached.list;
  }

  async add(input: unknown, now: number = Date.now()): Promise<Silence> {
    const s = { ...silenceFromInput(input, now), origin: 'api' as const };
    if (this.fromConfig.some((c) => c.id === s.id)) throw new SeismoError(`silence ${s.id}: id taken by a configured silence`);
    await this.store.put(s);
    this.cached = null;
    return s;
  }

  /** false when no such API silence exists; configured silences are changed in the configuration. */
  async remove(id: string): Promise<boolean> {
    if (this.fromConfig.some((c) => c.id === id)) throw new SeismoError(`silence ${id} comes from the configuration (alerting.silences); remove it there`);
    const removed = await this.store.remove(id);
    this.cached = null;
    return removed;
  }
}
