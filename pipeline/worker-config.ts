import { z } from 'zod';
import { strictObject } from '../config/strict.js';

/** Settings of the stateful stage workers (processor and detector), whatever the transport. */
export const workersSchema = strictObject({
  /**
   * Most series one worker keeps state for, per stage. Beyond it the least recently seen series is
   * evicted (its state snapshotted first) and counted in `seismo_<stage>_evicted_total`. Default 100000.
   */
  maxSeries: z.int().min(1).max(10_000_000).default(100_000),
  /**
   * How often changed per-series state is snapshotted to the compacted state topic, ms. State is also
   * snapshotted on rebalance and on stop. 0 disables the periodic snapshot. Default 30000.
   */
  snapshotIntervalMs: z.int().min(0).default(30_000),
  /** Most items a stage takes from an in-process channel at once (embedded mode). Default 5000. */
  batchSize: z.int().min(1).max(1_000_000).default(5000),
});
export type WorkersConfig = z.infer<typeof workersSchema>;
