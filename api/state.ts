import type { SeriesRef } from '../ingest/sample.js';
import type { Alert } from '../pipeline/ports.js';

/** One observation of one series, as the pipeline reports it to the dashboard. */
export interface Observation {
  /** Series id ({@link seriesId}). */
  id: string;
  series: SeriesRef;
  /** Epoch ms. */
  ts: number;
  value: number;
  /** Anomaly score in [0, 1]; absent when only the processor has seen the point. */
  score?: number;
  /** False while the detector is warming up; absent when unknown. */
  warm?: boolean;
  /** One-step-ahead forecast and band made before the value was seen; null during warm-up. */
  forecast?: number | null;
  lo?: number | null;
  hi?: number | null;
}

/** One point of a series' recent history: `[ts, value, score|null, lo|null, hi|null]`. */
export type RecentPoint = [number, number, number | null, number | null, number | null];

export interface SeriesSnapshot {
  id: string;
  source: string;
  name: string;
  labels: Record<string, string>;
  /** Epoch ms of the last observation. */
  lastTs: number;
  lastValue: number;
  lastScore: number | null;
  forecast: number | null;
  lo: number | null;
  hi: number | null;
  warm: boolean;
  /** Observations seen since this process started (or since the series was evicted and came back). */
  pointsSeen: number;
  /** `firing` while an alert is open for the series, `resolved` after, null if none seen. */
  alertState: 'firing' | 'resolved' | null;
  /** Oldest first; at most `recentPoints` entries. */
  recent: RecentPoint[];
}

export interface AlertFilter {
  /** Maximum alerts returned. */
  limit?: number;
  state?: 'firing' | 'resolved';
  /** Series id. */
  series?: string;
}

export interface SeriesFilter {
  limit?: number;
  source?: string;
  /** Metric name. */
  name?: string;
  /** Only series whose alert is open. */
  firing?: boolean;
}

export interface DashboardStateOptions {
  /** Series kept; past this the least recently updated series is evicted. */
  maxSeries: number;
  /** Recent points kept per series. */
  recentPoints: number;
  /** Alerts kept in the ring. */
  maxAlerts: number;
}

interface SeriesEntry {
  id: string;
  series: SeriesRef;
  lastTs: number;
  lastValue: number;
  lastScore: number | null;
  forecast: number | null;
  lo: number | null;
  hi: number | null;
  warm: boolean;
  pointsSeen: number;
  alertState: 'firing' | 'resolved' | null;
  /** Timestamp of the alert that set `alertState`. */
  alertTs: number;
  ring: RecentPoint[];
  /** Next write position in `ring` once it is full. */
  ringHead: number;
}

/**
 * What the dashboard and `/api/series`, `/api/alerts` show: the series being watched, their recent
 * values and scores, and the recent alerts. Fed by the pipeline; memory is bounded (series count,
 * points per series, alerts), everything older is forgotten.
 */
export class DashboardState {
  private readonly opts: DashboardStateOptions;
  /** Insertion order doubles as recency order: an updated series is moved to the end. */
  private readonly series = new Map<string, SeriesEntry>();
  private readonly alerts: Alert[] = [];
  private alertHead = 0;
  private evictedSeries = 0;
  private totalAlerts = 0;

  constructor(opts: Partial<DashboardStateOptions> = {}) {
    this.opts = { maxSeries: 10_000, recentPoints: 120, maxAlerts: 1000, ...opts };
    for (const [k, v] of Object.entries(this.opts)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`DashboardState ${k} must be a positive integer, got ${String(v)}`);
    }
  }

  /** Records one observation. Values that are not finite are ignored. */
  observe(obs: Observation): void {
    if (!Number.isFinite(obs.value) || !Number.isFinite(obs.ts)) return;
    let entry = this.series.get(obs.id);
    if (entry) {
      this.series.delete(obs.id);
    } else {
      entry = {
        id: obs.id, series: obs.series, lastTs: obs.ts, lastValue: obs.value, lastScore: null,
        forecast: null, lo: null, hi: null, warm: false, pointsSeen: 0, alertState: null, alertTs: -Infinity, ring: [], ringHead: 0,
      };
      if (this.series.size >= this.opts.maxSeries) this.evictOldest();
    }
    this.series.set(obs.id, entry);
    entry.series = obs.series;
    entry.pointsSeen++;
    const score = finiteOrNull(obs.score);
    const lo = finiteOrNull(obs.lo);
    const hi = finiteOrNull(obs.hi);
    // Points may arrive from two stages (values from the processor, scores from the detector):
    // the same timestamp refines the last point instead of adding another.
    if (obs.ts >= entry.lastTs || entry.pointsSeen === 1) {
      entry.lastTs = obs.ts;
      entry.lastValue = obs.value;
      if (obs.score !== undefined) entry.lastScore = score;
      if (obs.forecast !== undefined) entry.forecast = finiteOrNull(obs.forecast);
      if (obs.lo !== undefined) entry.lo = lo;
      if (obs.hi !== undefined) entry.hi = hi;
      if (obs.warm !== undefined) entry.warm = obs.warm;
    }
    const last = this.lastRecent(entry);
    if (last && last[0] === obs.ts) {
      last[1] = obs.value;
      if (obs.score !== undefined) last[2] = score;
      if (obs.lo !== undefined) last[3] = lo;
      if (obs.hi !== undefined) last[4] = hi;
      entry.pointsSeen--;
      return;
    }
    const point: RecentPoint = [obs.ts, obs.value, score, lo, hi];
    if (entry.ring.length < this.opts.recentPoints) {
      entry.ring.push(point);
    } else {
      entry.ring[entry.ringHead] = point;
      entry.ringHead = (entry.ringHead + 1) % this.opts.recentPoints;
    }
  }

  /** Records a firing or resolved alert; the oldest alert leaves the ring when it is full. */
  recordAlert(alert: Alert): void {
    if (this.alerts.length < this.opts.maxAlerts) {
      this.alerts.push(alert);
    } else {
      this.alerts[this.alertHead] = alert;
      this.alertHead = (this.alertHead + 1) % this.opts.maxAlerts;
    }
    this.totalAlerts++;
    const entry = this.series.get(alert.series.id);
    if (entry && alert.ts >= entry.alertTs) {
      entry.alertState = alert.state;
      entry.alertTs = alert.ts;
    }
  }

  /** Alerts newest first (by timestamp, then by arrival), filtered. */
  recentAlerts(filter: AlertFilter = {}): Alert[] {
    const ordered = this.alerts.slice(this.alertHead).concat(this.alerts.slice(0, this.alertHead));
    const arrival = new Map(ordered.map((a, i) => [a, i]));
    const out = ordered.filter(
      (a) => (!filter.state || a.state === filter.state) && (!filter.series || a.series.id === filter.series),
    );
    out.sort((a, b) => b.ts - a.ts || (arrival.get(b) ?? 0) - (arrival.get(a) ?? 0));
    return filter.limit !== undefined ? out.slice(0, Math.max(0, filter.limit)) : out;
  }

  /**
   * Watched series: open alerts first, then by score (highest first), then by name, source and id. `recent` is
   * included unless `withRecent` is false.
   */
  seriesSnapshot(filter: SeriesFilter = {}, withRecent = true): SeriesSnapshot[] {
    const out: SeriesSnapshot[] = [];
    for (const e of this.series.values()) {
      if (filter.source && e.series.source !== filter.source) continue;
      if (filter.name && e.series.name !== filter.name) continue;
      if (filter.firing && e.alertState !== 'firing') continue;
      out.push(this.toSnapshot(e, withRecent));
    }
    out.sort(compareSeries);
    return filter.limit !== undefined ? out.slice(0, Math.max(0, filter.limit)) : out;
  }

  /** One series, or undefined if it is not (or no longer) watched. */
  getSeries(id: string): SeriesSnapshot | undefined {
    const e = this.series.get(id);
    return e ? this.toSnapshot(e, true) : undefined;
  }

  /** Counters for the API: series watched, series evicted, alerts kept and seen. */
  stats(): { series: number; evictedSeries: number; alerts: number; alertsSeen: number } {
    return { series: this.series.size, evictedSeries: this.evictedSeries, alerts: this.alerts.length, alertsSeen: this.totalAlerts };
  }

  private toSnapshot(e: SeriesEntry, withRecent: boolean): SeriesSnapshot {
    return {
      id: e.id,
      source: e.series.source,
      name: e.series.name,
      labels: { ...e.series.labels },
      lastTs: e.lastTs,
      lastValue: e.lastValue,
      lastScore: e.lastScore,
      forecast: e.forecast,
      lo: e.lo,
      hi: e.hi,
      warm: e.warm,
      pointsSeen: e.pointsSeen,
      alertState: e.alertState,
      recent: withRecent ? e.ring.slice(e.ringHead).concat(e.ring.slice(0, e.ringHead)).map((p) => [...p] as RecentPoint) : [],
    };
  }

  private lastRecent(e: SeriesEntry): RecentPoint | undefined {
    if (e.ring.length === 0) return undefined;
    const idx = e.ring.length < this.opts.recentPoints ? e.ring.length - 1 : (e.ringHead - 1 + e.ring.length) % e.ring.length;
    return e.ring[idx];
  }

  private evictOldest(): void {
    const oldest = this.series.keys().next();
    if (!oldest.done) {
      this.series.delete(oldest.value);
      this.evictedSeries++;
    }
  }
}

/** The order series are listed in: open alerts first, then by score (highest first), name, source, id. */
export function compareSeries(a: SeriesSnapshot, b: SeriesSnapshot): number {
  return (
    Number(b.alertState === 'firing') - Number(a.alertState === 'firing') ||
    (b.lastScore ?? -1) - (a.lastScore ?? -1) ||
    compare(a.name, b.name) ||
    compare(a.source, b.source) ||
    compare(a.id, b.id)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
