import type { Redis } from 'ioredis';

/** Small string store for delivery state (Slack thread ids): Redis when configured, else memory. */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}
  get(key: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}:${key}`);
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}:${key}`, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }
}

/** Bounded in-memory store: the oldest entries go first when `maxEntries` is reached. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly map = new Map<string, { value: string; expires: number }>();
  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}
  async get(key: string): Promise<string | null> {
    const e = this.map.get(key);
    if (!e) return null;
    if (e.expires <= this.now()) {
      this.map.delete(key);
      return null;
    }
    return e.value;
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.map.delete(key);
    this.map.set(key, { value, expires: this.now() + ttlMs });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }
}
