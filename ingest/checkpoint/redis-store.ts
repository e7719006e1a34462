import { Redis, type RedisOptions } from 'ioredis';
import type { CheckpointStore } from './store.js';

/** Checkpoints in Redis, one string key per checkpoint: `<prefix>:checkpoint:<key>`, JSON values. */
export class RedisCheckpointStore implements CheckpointStore {
  private readonly redis: Redis;
  private closing: Promise<void> | null = null;

  constructor(
    url: string,
    private readonly prefix: string,
    opts: { password?: string } = {},
  ) {
    const options: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true };
    if (opts.password !== undefined) options.password = opts.password;
    this.redis = new Redis(url, options);
    // Connection errors surface on the commands that fail; without a listener ioredis reports each retry as unhandled.
    this.redis.on('error', (err: Error) => {
      this.lastError = err;
    });
  }

  /** The last connection error seen, for diagnostics. */
  lastError: Error | null = null;

  private redisKey(key: string): string {
    return `${this.prefix}:checkpoint:${key}`;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.redisKey(key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.redis.set(this.redisKey(key), JSON.stringify(value));
  }

  /** Deletes every checkpoint under this prefix (tests, `reset` tooling). */
  async clear(): Promise<void> {
    const keys = await this.redis.keys(`${this.prefix}:checkpoint:*`);
    if (keys.length) await this.redis.del(...keys);
  }

  close(): Promise<void> {
    this.closing ??= this.redis.quit().then(
      () => undefined,
      () => this.redis.disconnect(),
    );
    return this.closing;
  }
}
