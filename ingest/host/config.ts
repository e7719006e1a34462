import { z } from 'zod';
import { strictObject } from '../../config/strict.js';
import { pollingFields } from '../poll-config.js';

/** The host's own metrics from /proc: CPU, memory, load, network, disk. */
export const hostSourceSchema = strictObject({
  type: z.literal('host'),
  /** Name of this source instance (label `instance` on its series). Default: the hostname. */
  name: z.string().min(1).optional(),
  /** Sampling interval in ms. Default 5000. */
  intervalMs: z.int().min(100).default(5000),
  /** Path of the proc filesystem. Default `/proc`. */
  procPath: z.string().default('/proc'),
  /** Also report utilisation of each CPU (`cpu` label cpu0, cpu1 …). Default false. */
  perCpu: z.boolean().default(false),
  ...pollingFields,
});
export type HostSourceConfig = z.infer<typeof hostSourceSchema>;
