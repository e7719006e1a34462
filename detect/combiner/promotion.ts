/**
 * The promotion gate: the detector role loads a trained model only when its recorded validation
 * (measured on files it was not trained on) meets the configured minimums
 * (`detect.model.minEventsF1`, `minNabStandard`, `maxMape`). A minimum that is not set is not
 * checked; a set minimum whose metric the model did not record fails.
 */
import type { SeismoModelFile } from './model-file.js';

export interface PromotionMinimums {
  /** Lowest acceptable event F1 in [0,1]. */
  minEventsF1?: number;
  /** Lowest acceptable NAB standard score (alert column), normalised, 0..100. */
  minNabStandard?: number;
  /** Highest acceptable forecast MAPE, percent. */
  maxMape?: number;
}

export interface PromotionResult {
  ok: boolean;
  /** One line per failed check; empty when ok. */
  reasons: string[];
}

export function checkPromotion(model: Pick<SeismoModelFile, 'validation' | 'calibration'>, minimums: PromotionMinimums): PromotionResult {
  const reasons: string[] = [];
  if (model.calibration?.kind === 'ensemble') reasons.push(`training chose the hand-built ensemble: ${model.calibration.reason}`);
  const v = model.validation;
  const atLeast = (name: string, value: number | null | undefined, min: number | undefined) => {
    if (min === undefined) return;
    if (value === null || value === undefined || Number.isNaN(value)) reasons.push(`validation.${name} is not recorded; required at least ${min}`);
    else if (value < min) reasons.push(`validation.${name} is ${round(value)}; required at least ${min}`);
  };
  atLeast('eventsF1', v.eventsF1, minimums.minEventsF1);
  atLeast('nabStandard', v.nabStandard, minimums.minNabStandard);
  if (minimums.maxMape !== undefined) {
    if (v.mape === null || v.mape === undefined) reasons.push(`validation.mape is not recorded; required at most ${minimums.maxMape}`);
    else if (v.mape > minimums.maxMape) reasons.push(`validation.mape is ${round(v.mape)}; required at most ${minimums.maxMape}`);
  }
  return { ok: reasons.length === 0, reasons };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
