export * from './run.js';
export * from './series.js';
export * from './metrics.js';
