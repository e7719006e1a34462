import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

/** The host's own metrics from /proc: CPU, memory, load, network, disk. */
export const hostSourceSchema = strictObject({
  type: z.literal('host'),
  /** Name of this source instance (label `instance` on its series). Default: the hostname. */
  name: z.string().min(1).optional(),
  /** Sampling interval in ms. Default 5000. */
  intervalMs: z.int().min(100).default(5000),
  /** Path of the proc filesystem. Default `/proc`. */
  procPath: z.string().default('/proc'),
});
export type HostSourceConfig = z.infer<typeof hostSourceSchema>;
