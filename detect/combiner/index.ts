export * from './forest.js';
export * from './model-file.js';
export * from './promotion.js';
export * from './load.js';
export * from './config.js';
export * from './calibration.js';
