import { z } from 'zod';
import { strictObject } from '../config/strict.js';

/** Detector and alert-logic settings. Defaults are fixed here, before any evaluation. */
export const detectSchema = strictObject({
  /** Points a series needs before it may alert. Default 30. */
  warmupPoints: z.int().min(0).default(30),
  /** Anomaly score at or above which a point counts as anomalous, in [0,1]. Default 0.9. */
  threshold: z.number().min(0).max(1).default(0.9),
  /** Score below which an open alert's point counts as normal again (hysteresis). Default 0.6. */
  resolveThreshold: z.number().min(0).max(1).default(0.6),
  /** Consecutive anomalous points needed to open an alert. Default 1. */
  minConsecutive: z.int().min(1).default(1),
  /** Consecutive normal points needed to resolve an open alert. Default 5. */
  resolveAfter: z.int().min(1).default(5),
  /** After a resolve, no new alert for this series for this many points. Default 0. */
  cooldownPoints: z.int().min(0).default(0),
});
export type DetectConfig = z.infer<typeof detectSchema>;
