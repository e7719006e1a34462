export { FeatureStage, FEATURES_STAGE, type FeatureStageDeps } from './processor.js';
export { RollingWindow, ewmaNext } from './window.js';
export { featureStateCodec, type FeatureState } from './state.js';
