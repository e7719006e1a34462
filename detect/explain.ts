import { formatDuration } from '../ingest/duration.js';
import type { DetectConfig } from './config.js';
import { PRIMARY, type DetectorName } from './ensemble/score.js';
import { MIN_WARM_POINTS } from './model.js';
import type { AlertTransition, PointResult } from './types.js';

/** Sub-scores at or above this count as "fired" in an explanation. */
const FIRED = 0.5;

/** A number for humans: 4 significant digits (or `digits`), no exponent for everyday magnitudes. */
export function formatNumber(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e9) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}

/**
 * Formats numbers that will be read side by side with as few significant digits as keep
 * different numbers different (4 at least, 15 at most): a band of 99.9999..100.0001 around a
 * value of 100.0003 must not read "100..100; value 100 is above the band".
 */
export function formatTogether(xs: readonly number[]): string[] {
  let out = xs.map((x) => formatNumber(x));
  for (let digits = 5; digits <= 15; digits++) {
    const clash = xs.some((a, i) => xs.some((b, j) => j > i && a !== b && out[i] === out[j]));
    if (!clash) break;
    out = xs.map((x) => formatNumber(x, digits));
  }
  return out;
}

/** A primary detector can raise the score alone; the others only support one (ensemble/score.ts). */
function isPrimary(name: string): boolean {
  return (PRIMARY as Readonly<Record<string, boolean>>)[name as DetectorName] ?? true;
}

/**
 * One line saying why a point scored as it did: which detectors fired and how strongly, the
 * expected band, and how far outside it the value was (in band widths, residual sigmas and
 * percent of the forecast). During warm-up it says the series is still warming up.
 */
export function explain(result: PointResult, value: number, transition: AlertTransition, cfg: DetectConfig): string {
  if (!result.warm || result.forecast === null || result.lo === null || result.hi === null) {
    const time = cfg.warmupMs > 0 ? ` and ${formatDuration(cfg.warmupMs)} of history` : '';
    return `series is warming up (needs ${Math.max(cfg.warmupPoints, MIN_WARM_POINTS)} points${time} before it can alert); value ${formatNumber(value)}`;
  }
  const head =
    transition === 'open'
      ? `anomaly (score ${result.score.toFixed(2)})`
      : transition === 'resolve'
        ? `back to normal (score ${result.score.toFixed(2)})`
        : `score ${result.score.toFixed(2)}`;
  const entries = Object.entries(result.detectors).sort((a, b) => b[1] - a[1]);
  // Supporting detectors (a burst of noise, the EWMA chart) only count beside a primary one.
  const fired = entries.filter(([n, s]) => s >= FIRED && isPrimary(n));
  const support = fired.length > 0 ? entries.filter(([n, s]) => s >= FIRED && !isPrimary(n)) : [];
  const list = (xs: [string, number][]) => xs.map(([n, s]) => `${n} ${s.toFixed(2)}`).join(', ');
  const who =
    fired.length > 0
      ? `detectors fired: ${list(fired)}${support.length > 0 ? `, supported by ${list(support)}` : ''}`
      : entries.length > 0
        ? `no detector fired (highest: ${entries[0][0]} ${entries[0][1].toFixed(2)}${isPrimary(entries[0][0]) ? '' : ', supporting only'})`
        : 'no detector fired';
  const { forecast, lo, hi } = result;
  const [loText, hiText, forecastText, valueText] = formatTogether([lo, hi, forecast, value]);
  const band = `expected ${loText}..${hiText} (forecast ${forecastText})`;
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
    where = `value ${valueText} is ${widths}${value > hi ? 'above' : 'below'} the band${sig}${pct}`;
  } else {
    where = `value ${valueText} is inside the band${sig}${pct}`;
  }
  return `${head}: ${who}; ${band}; ${where}`;
}
