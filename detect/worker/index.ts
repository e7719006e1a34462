export { DetectorStage, DETECT_STAGE, type DetectorStageDeps, type ScoredPoint } from './stage.js';
export { openAlert, resolveAlert, severityOf, leadingDetector } from './alerts.js';
export { detectorStateCodec, newDetectorState, type DetectorState, type Episode } from './state.js';
