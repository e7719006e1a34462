export { influxdbSchema, effectiveBucket, type InfluxdbConfig } from './config.js';
export { createInfluxWriter, BatchingInfluxWriter, type InfluxWriter, type InfluxWriterOptions, type Rejection } from './writer.js';
export { toLine, escapeKey, escapeMeasurement, quoteString, type InfluxPoint } from './line-protocol.js';
export { featurePoint, scorePoint, alertPoint, alertFromRow, seriesTags, MEASUREMENTS, LABEL_TAG_PREFIX, type TagLimits } from './points.js';
export { queryInflux, createDatabase, dropDatabase, quoteIdent, resolveInfluxToken, type InfluxRow } from './query.js';
export { influxAlertHistory } from './alert-history.js';
export { influxSeriesHistory, type SeriesHistoryOptions } from './series-history.js';
export { createTransport, RejectedPointsError, type InfluxTransport } from './transport.js';
