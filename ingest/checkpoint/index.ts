import type { CheckpointConfig } from './config.js';
import type { RedisConfig } from '../../pipeline/redis-config.js';
import { resolveSecret } from '../../config/load.js';
import { ConfigError } from '../../pipeline/errors.js';
import { MemoryCheckpointStore, type CheckpointStore } from './store.js';
import { FileCheckpointStore } from './file-store.js';
import { RedisCheckpointStore } from './redis-store.js';

export { MemoryCheckpointStore, FileCheckpointStore, RedisCheckpointStore };
export type { CheckpointStore };

/**
 * Builds the configured checkpoint store. `fallback` is what `auto` means without Redis (the
 * service and `seismo collect` both use memory).
 */
export function createCheckpointStore(cfg: CheckpointConfig | undefined, redis: RedisConfig | undefined): CheckpointStore {
  const store = cfg?.store ?? 'auto';
  if (store === 'memory' || (store === 'auto' && !redis)) return new MemoryCheckpointStore();
  if (store === 'file') return new FileCheckpointStore(cfg?.path ?? './seismo-checkpoints.json');
  if (!redis) throw new ConfigError(['checkpoint.store: found "redis"; a `redis` section is required for it (or use file/memory)']);
  const password = redis.password === undefined ? undefined : resolveSecret(redis.password, 'redis.password');
  return new RedisCheckpointStore(redis.url, redis.prefix, password === undefined ? {} : { password });
}

/** Checkpoint key of one query of one source: `<source name>/<query name>`. */
export function checkpointKey(sourceName: string, queryName: string): string {
  return `${sourceName}/${queryName}`;
}
