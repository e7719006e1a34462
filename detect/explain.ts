import { formatDuration } from '../ingest/duration.js';
import type { DetectConfig } from './config.js';
import type { AlertTransition, PointResult } from './types.js';

/** Sub-scores at or above this count as "fired" in an explanation. */
const FIRED = 0.5;

/** A number for humans: 4 significant digits, no exponent for everyday magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e9) return String(Number(x.toPrecision(4)));
  return x.toExponential(3);
}

/**
 * One line saying why a point scored as it did: which detectors fired and how strongly, the
 * expected band, and how far outside it the value was (in band widths, residual sigmas and
 * percent of the forecast). During warm-up it says the series is still warming up.
 */
export function explain(result: PointResult, value: number, transition: AlertTransition, cfg: DetectConfig): string {
  if (!result.warm || result.forecast === null || result.lo === null || result.hi === null) {
    const time = cfg.warmupMs > 0 ? ` and ${formatDuration(cfg.warmupMs)} of history` : '';
    return `series is warming up (needs ${cfg.warmupPoints} points${time} before it can alert); value ${formatNumber(value)}`;
  }
  const head =
    transition === 'open'
      ? `anomaly (score ${result.score.toFixed(2)})`
      : transition === 'resolve'
        ? `back to normal (score ${result.score.toFixed(2)})`
        : `score ${result.score.toFixed(2)}`;
  const entries = Object.entries(result.detectors).sort((a, b) => b[1] - a[1]);
  const fired = entries.filter(([, s]) => s >= FIRED);
  const who =
    fired.length > 0
      ? `detectors fired: ${fired.map(([n, s]) => `${n} ${s.toFixed(2)}`).join(', ')}`
      : entries.length > 0
        ? `no detector fired (highest: ${entries[0][0]} ${entries[0][1].toFixed(2)})`
        : 'no detector fired';
  const { forecast, lo, hi } = result;
  const band = `expected ${formatNumber(lo)}..${formatNumber(hi)} (forecast ${formatNumber(forecast)})`;
  const width = hi - lo;
  const sigma = width / (2 * cfg.bandSigmas);
  const dev = value - forecast;
  const side = dev >= 0 ? 'above' : 'below';
  const pct = forecast !== 0 ? ` (${formatNumber((Math.abs(dev) / Math.abs(forecast)) * 100)}% ${side} the forecast)` : '';
  const sig = sigma > 0 ? `, ${formatNumber(Math.abs(dev) / sigma)} sigmas ${side} the forecast` : '';
  let where: string;
  if (value > hi || value < lo) {
    const out = value > hi ? value - hi : lo - value;
    const widths = width > 0 ? `${formatNumber(out / width)} band widths ` : '';
    where = `value ${formatNumber(value)} is ${widths}${value > hi ? 'above' : 'below'} the band${sig}${pct}`;
  } else {
    where = `value ${formatNumber(value)} is inside the band${sig}${pct}`;
  }
  return `${head}: ${who}; ${band}; ${where}`;
}
