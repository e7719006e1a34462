import { z } from 'zod';
import { strictObject } from '../config/strict.js';

export const featuresSchema = strictObject({
  /** Points in the rolling window per series (mean, std, min, max). Default 60. */
  windowSize: z.int().min(2).max(100_000).default(60),
  /** Smoothing factor of the EWMA feature, in (0, 1]. Default 0.3. */
  ewmaAlpha: z.number().gt(0).lte(1).default(0.3),
  /** Write features to InfluxDB when it is configured. Default true. */
  writeInflux: z.boolean().default(true),
});
export type FeaturesConfig = z.infer<typeof featuresSchema>;
