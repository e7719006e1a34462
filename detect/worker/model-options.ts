import type { Logger } from 'pino';
import type { DetectConfig } from '../config.js';
import type { SeriesModelOptions } from '../model.js';
import { FEATURE_NAMES } from '../model.js';
import { loadPromotedCombiner } from '../combiner/load.js';
import { errorMessage } from '../../pipeline/errors.js';

/**
 * Model options of the detector role: the learned combiner of `detect.model.path` when it loads
 * and passes its promotion gate; otherwise (as `seismo validate` reports) the hand-built ensemble.
 */
export function detectorModelOptions(cfg: DetectConfig, logger: Logger): SeriesModelOptions {
  const path = cfg.model.path;
  if (!path) return {};
  try {
    const { combiner } = loadPromotedCombiner(path, FEATURE_NAMES, cfg.model);
    logger.info({ model: path }, 'detector uses the learned combiner');
    return { combiner };
  } catch (err) {
    logger.warn({ model: path, err: errorMessage(err) }, 'not using detect.model.path; scoring with the hand-built ensemble');
    return {};
  }
}
