import type { Alert } from '../../pipeline/ports.js';
import type { FeatureRecord } from '../../pipeline/ports.js';
import type { DetectConfig } from '../config.js';
import type { PointResult } from '../types.js';
import type { Episode } from './state.js';
import { explain } from '../explain.js';

/** Severity from the score: critical at 0.99 and above, warning from the alert threshold, info below. */
export function severityOf(score: number, cfg: DetectConfig): Alert['severity'] {
  if (score >= 0.99) return 'critical';
  if (score >= cfg.threshold) return 'warning';
  return 'info';
}

/** The sub-detector with the highest score, or `ensemble` when there is none. */
export function leadingDetector(result: PointResult): string {
  let best = 'ensemble';
  let top = -1;
  for (const [name, s] of Object.entries(result.detectors)) {
    if (s > top) {
      top = s;
      best = name;
    }
  }
  return best;
}

/**
 * Builds the firing alert of a new episode. The dedup key (series id + episode start) is the same
 * for the firing and the resolution, and the same again if the point is processed twice.
 */
export function openAlert(f: FeatureRecord, result: PointResult, cfg: DetectConfig): { alert: Alert; episode: Episode } {
  const dedupKey = `${f.id}:${f.ts}`;
  const severity = severityOf(result.score, cfg);
  return { episode: { start: f.ts, dedupKey, severity }, alert: buildAlert(f, result, dedupKey, 'firing', severity, cfg) };
}

/** The resolution of an open episode; an episode unknown (state lost) gets a key from this point. */
export function resolveAlert(f: FeatureRecord, result: PointResult, episode: Episode | null, cfg: DetectConfig): Alert {
  const dedupKey = episode?.dedupKey ?? `${f.id}:${f.ts}`;
  return buildAlert(f, result, dedupKey, 'resolved', episode?.severity ?? severityOf(result.score, cfg), cfg);
}

function buildAlert(f: FeatureRecord, result: PointResult, dedupKey: string, state: Alert['state'], severity: Alert['severity'], cfg: DetectConfig): Alert {
  return {
    id: `${dedupKey}:${state}:${f.ts}`,
    dedupKey,
    series: { ...f.series, id: f.id },
    ts: f.ts,
    value: f.value,
    expected: { lo: result.lo, hi: result.hi },
    score: result.score,
    detector: leadingDetector(result),
    severity,
    state,
    explanation: explain(result, f.value, state === 'firing' ? 'open' : 'resolve', cfg),
  };
}
