/**
 * Public API of seismo's detection models.
 *
 * - `createSeriesModel(cfg, {combiner?, intervalMs?, features?})` / `restoreSeriesModel(cfg, state, opts)`:
 *   one online model per series; `update(ts, value)` gives a PointResult (score in [0,1],
 *   forecast and band made before the value was seen, per-detector sub-scores, evidence
 *   `strength`, and with `features: true` the combiner's input in `FEATURE_NAMES` order) and
 *   `snapshot()` a bounded, JSON-serialisable state.
 * - `createAlertLogic(cfg, state?)`: threshold, minConsecutive, hysteresis, resolveAfter and
 *   cooldown over a score stream; `explain(...)`: one human line per decision.
 */
export { detectSchema, detectConfig, type DetectConfig } from './config.js';
export type { PointResult, SeriesModel, AlertTransition } from './types.js';
export { createSeriesModel, restoreSeriesModel, FEATURE_NAMES, MIN_WARM_POINTS, type SeriesModelOptions } from './model.js';
export { createAlertLogic, type AlertLogic, type AlertLogicState } from './alert-logic.js';
export { explain, formatNumber } from './explain.js';
export { DETECTOR_NAMES, tailScore } from './ensemble/score.js';
