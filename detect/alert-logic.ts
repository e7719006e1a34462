import { SeismoError } from '../pipeline/errors.js';
import type { DetectConfig } from './config.js';
import type { AlertTransition } from './types.js';

/** Serialisable state of one series' alert logic. */
export interface AlertLogicState {
  open: boolean;
  /** Consecutive points at/above threshold while closed. */
  above: number;
  /** Consecutive points below resolveThreshold while open. */
  normal: number;
  /** Points left in the cooldown after a resolve. */
  cooldown: number;
}

export interface AlertLogic {
  /**
   * Feeds one point's score. Returns 'open' on the point that opens an alert, 'resolve' on the
   * point that resolves it, null otherwise (including every point while an alert stays open).
   * While `warm` is false nothing opens and the run counters are reset. `hold` (default `score`)
   * is what an open alert compares with `resolveThreshold`: the model's undamped score
   * (PointResult.undamped), so that an excursion the model no longer counts as news still keeps
   * its alert open.
   */
  update(score: number, warm: boolean, hold?: number): AlertTransition;
  readonly isOpen: boolean;
  snapshot(): AlertLogicState;
}

/**
 * Alert logic of one series:
 * - opens after `minConsecutive` consecutive warm points with score >= `threshold`;
 * - while open, a point counts as normal when its score and its undamped score (`hold`) are both
 *   < `resolveThreshold` (hysteresis), and the alert resolves after `resolveAfter` consecutive
 *   normal points;
 * - after a resolve, nothing opens for `cooldownPoints` points;
 * - nothing opens while the model is warming up.
 * Pass a previous `snapshot()` as `state` to continue where it left off.
 */
export function createAlertLogic(cfg: DetectConfig, state?: unknown): AlertLogic {
  const s: AlertLogicState = state === undefined ? { open: false, above: 0, normal: 0, cooldown: 0 } : readState(state);
  return {
    update(score: number, warm: boolean, hold: number = score): AlertTransition {
      if (!warm) {
        s.above = 0;
        return null;
      }
      if (s.open) {
        if (Math.max(score, hold) < cfg.resolveThreshold) {
          s.normal++;
          if (s.normal >= cfg.resolveAfter) {
            s.open = false;
            s.normal = 0;
            s.above = 0;
            s.cooldown = cfg.cooldownPoints;
            return 'resolve';
          }
        } else {
          s.normal = 0;
        }
        return null;
      }
      if (s.cooldown > 0) {
        s.cooldown--;
        s.above = 0;
        return null;
      }
      if (score >= cfg.threshold) {
        s.above++;
        if (s.above >= cfg.minConsecutive) {
          s.open = true;
          s.above = 0;
          s.normal = 0;
          return 'open';
        }
      } else {
        s.above = 0;
      }
      return null;
    },
    get isOpen() {
      return s.open;
    },
    snapshot(): AlertLogicState {
      return { ...s };
    },
  };
}

function readState(x: unknown): AlertLogicState {
  const o = x as Partial<AlertLogicState> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.open !== 'boolean' ||
    typeof o.above !== 'number' ||
    typeof o.normal !== 'number' ||
    typeof o.cooldown !== 'number'
  ) {
    throw new SeismoError('cannot restore alert logic: expected {open, above, normal, cooldown}');
  }
  return { open: o.open, above: o.above, normal: o.normal, cooldown: o.cooldown };
}
