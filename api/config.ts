import { z } from 'zod';
import { strictObject } from '../config/strict.js';

export const apiSchema = strictObject({
  /** Serve the HTTP API and dashboard. Default true. */
  enabled: z.boolean().default(true),
  /** Bind address. Default `127.0.0.1` (loopback only). */
  host: z.string().min(1).default('127.0.0.1'),
  /** Port. Default 8080; 0 picks a free port. */
  port: z.int().min(0).max(65535).default(8080),
  /** Public base URL used in alert links. Default derived from host and port. */
  publicUrl: z.url().optional(),
});
export type ApiConfig = z.infer<typeof apiSchema>;
