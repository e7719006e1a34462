export * from './scorer.js';
export * from './profiles.js';
export * from './labels.js';
