import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The standard metrics every component reports, named `seismo_<component>_*`. */
export interface ComponentMetrics {
  received: Counter<string>;
  sent: Counter<string>;
  dropped: Counter<string>;
  errors: Counter<'type'>;
  bufferDepth: Gauge<string>;
}

/** The counter `name` of the registry, created on first use (components of one kind share it). */
export function registryCounter<L extends string = string>(registry: Registry, name: string, help: string, labelNames: L[] = []): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

/** Creates (or reuses, if the registry already has them) the standard metrics of one component. */
export function componentMetrics(registry: Registry, component: string): ComponentMetrics {
  const prefix = `seismo_${component.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  const counter = (suffix: string, help: string, labelNames: string[] = []): Counter<string> =>
    registryCounter(registry, `${prefix}_${suffix}`, help, labelNames);
  return {
    received: counter('received_total', `Items received by ${component}`),
    sent: counter('sent_total', `Items sent downstream by ${component}`),
    dropped: counter('dropped_total', `Items dropped by ${component}`),
    errors: counter('errors_total', `Errors in ${component} by type`, ['type']) as Counter<'type'>,
    bufferDepth:
      (registry.getSingleMetric(`${prefix}_buffer_depth`) as Gauge<string> | undefined) ??
      new Gauge({ name: `${prefix}_buffer_depth`, help: `Items buffered in ${component}`, registers: [registry] }),
  };
}

/** End-to-end latency from a sample's timestamp to the stage that observes it. */
export function e2eLatencyHistogram(registry: Registry): Histogram<'stage'> {
  const name = 'seismo_e2e_latency_seconds';
  return (
    (registry.getSingleMetric(name) as Histogram<'stage'> | undefined) ??
    new Histogram({
      name,
      help: 'Seconds from the sample timestamp to the stage that handled it',
      labelNames: ['stage'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    })
  );
}
