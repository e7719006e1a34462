import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

/** CSV series in NAB layout (`timestamp,value`), one file or a directory of `<category>/<name>.csv`. */
export const fileSourceSchema = strictObject({
  type: z.literal('file'),
  /** Name of this source instance (logs, metrics). Default `file`. */
  name: z.string().min(1).default('file'),
  /** A CSV file, or a directory searched (recursively) for `*.csv`. */
  path: z.string().min(1),
  /**
   * Replay pace in rows per second per file; 0 emits as fast as the pipeline takes them.
   * Default 0.
   */
  rowsPerSecond: z.number().min(0).default(0),
  /**
   * `original`: keep the file's timestamps. `now`: shift them so the last row lands at the time
   * of reading (so live-window checks accept old data). Default `now`.
   */
  timestamps: z.enum(['original', 'now']).default('now'),
  /** Loop forever over the files. Default false. */
  loop: z.boolean().default(false),
  /** Rows per emit() call when not paced. Default 1000. */
  batchSize: z.int().min(1).max(100_000).default(1000),
});
export type FileSourceConfig = z.infer<typeof fileSourceSchema>;
