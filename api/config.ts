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
  /** Largest request body accepted, in bytes; larger bodies get 413. Default 1 MiB. */
  maxBodyBytes: z.int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Time allowed for one readiness check before it counts as failed, ms. Default 2000. */
  readinessTimeoutMs: z.int().min(10).max(60_000).default(2000),
  /** On stop, how long in-flight requests may run before their connections are cut, ms. Default 5000. */
  shutdownGraceMs: z.int().min(0).max(120_000).default(5000),
  /** Series the dashboard state keeps; the least recently updated one is evicted past this. Default 10000. */
  maxSeries: z.int().min(1).max(1_000_000).default(10_000),
  /** Recent points kept per series for sparklines. Default 120. */
  recentPoints: z.int().min(2).max(10_000).default(120),
  /** Recent alerts kept in memory (a ring, newest first when listed). Default 1000. */
  maxAlerts: z.int().min(1).max(1_000_000).default(1000),
  /** How often the dashboard page polls the API, ms. Default 3000. */
  dashboardRefreshMs: z.int().min(500).max(600_000).default(3000),
});
export type ApiConfig = z.infer<typeof apiSchema>;
