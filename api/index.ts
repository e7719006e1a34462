export { apiSchema, type ApiConfig } from './config.js';
export { createApiServer, type ApiServer, type ApiDeps, type ReadinessCheck } from './server.js';
export { ApiError, type ApiRequest, type ApiResponse, type RouteHandler } from './router.js';
export { DashboardState, type Observation, type SeriesSnapshot, type RecentPoint, type AlertFilter, type SeriesFilter, compareSeries } from './state.js';
export type { AlertHistory, SeriesHistory } from './routes.js';
