import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { componentMetrics, type ComponentMetrics } from '../../pipeline/telemetry.js';

/** `seismo_influxdb_*`: the standard component metrics plus the writer's own. */
export interface InfluxMetrics extends ComponentMetrics {
  /** Bytes of line protocol queued plus in flight. */
  bufferBytes: Gauge<string>;
  /** Seconds per write request (one attempt), by outcome. */
  writeSeconds: Histogram<'outcome'>;
  /** Batches written. */
  batches: Counter<string>;
  /** Times a producer had to wait for buffer room (backpressure). */
  blocked: Counter<string>;
}

export function influxMetrics(registry: Registry): InfluxMetrics {
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;
  return {
    ...componentMetrics(registry, 'influxdb'),
    bufferBytes:
      existing<Gauge<string>>('seismo_influxdb_buffer_bytes') ??
      new Gauge({ name: 'seismo_influxdb_buffer_bytes', help: 'Bytes of line protocol buffered in the InfluxDB writer', registers: [registry] }),
    writeSeconds:
      existing<Histogram<'outcome'>>('seismo_influxdb_write_seconds') ??
      new Histogram({
        name: 'seismo_influxdb_write_seconds',
        help: 'Seconds per InfluxDB write request, by outcome',
        labelNames: ['outcome'],
        buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    batches:
      existing<Counter<string>>('seismo_influxdb_batches_total') ??
      new Counter({ name: 'seismo_influxdb_batches_total', help: 'Batches written to InfluxDB', registers: [registry] }),
    blocked:
      existing<Counter<string>>('seismo_influxdb_backpressure_waits_total') ??
      new Counter({ name: 'seismo_influxdb_backpressure_waits_total', help: 'Times a producer waited for room in the InfluxDB writer buffer', registers: [registry] }),
  };
}
