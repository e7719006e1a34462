import { z } from 'zod';
import { strictObject } from '../config/strict.js';
import { secretSchema } from '../config/secret.js';

export const redisSchema = strictObject({
  /** Redis URL. Default `redis://127.0.0.1:6379`. */
  url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  /** Optional password (secret: `{ env: NAME }` or `{ file: PATH }`). */
  password: secretSchema.optional(),
  /** Prefix for every key and BullMQ queue seismo creates. Default `seismo`. */
  prefix: z.string().min(1).default('seismo'),
});
export type RedisConfig = z.infer<typeof redisSchema>;
