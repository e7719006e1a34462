import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

/**
 * Where collectors keep their per-query progress. `auto` (default): Redis when a `redis` section is
 * configured (keys `<redis.prefix>:checkpoint:*`), otherwise in memory (a restart backfills again).
 */
export const checkpointSchema = strictObject({
  /** `auto`, `memory`, `file` (JSON at `path`, atomic rename) or `redis` (needs the `redis` section). Default `auto`. */
  store: z.enum(['auto', 'memory', 'file', 'redis']).default('auto'),
  /** File of the `file` store. Default `./seismo-checkpoints.json`. */
  path: z.string().min(1).default('./seismo-checkpoints.json'),
});
export type CheckpointConfig = z.infer<typeof checkpointSchema>;
