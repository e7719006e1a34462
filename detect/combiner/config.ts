import { z } from 'zod';
import { strictObject } from '../../config/strict.js';

/**
 * `detect.model`: the learned combiner the detector role loads, and the promotion gate it must
 * pass. Without `path` the hand-built ensemble scores alone.
 */
export const modelSchema = strictObject({
  /** Model file written by `seismo train`. Default: none (no learned combiner). */
  path: z.string().min(1).optional(),
  /** Lowest validation event F1 (0..1) a model needs to be loaded. Default 0.5. */
  minEventsF1: z.number().min(0).max(1).default(0.5),
  /** Lowest validation NAB standard score (alert column, 0..100) a model needs. Default 50. */
  minNabStandard: z.number().max(100).default(50),
  /** Highest validation forecast MAPE (percent) a model may have. Default: not checked. */
  maxMape: z.number().positive().optional(),
});
export type ModelConfig = z.infer<typeof modelSchema>;
