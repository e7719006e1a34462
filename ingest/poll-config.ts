import { z } from 'zod';
import { strictObject } from '../config/strict.js';

/** Circuit breaker of one source. */
export const breakerSchema = strictObject({
  /** Consecutive failed runs that open the breaker. Default 5. */
  failureThreshold: z.int().min(1).default(5),
  /** Time the breaker stays open before one trial run, ms. Default 30000. */
  coolDownMs: z.int().min(0).default(30_000),
});

/** Fields shared by the polling sources (spread into their schemas). */
export const pollingFields = {
  /** Random spread of each tick, as a fraction of intervalMs (0 to 0.5). Default 0.1. */
  jitterRatio: z.number().min(0).max(0.5).default(0.1),
  breaker: breakerSchema.prefault({}),
};
