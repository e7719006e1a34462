import type { SinkFactories } from './assemble.js';
import { createNotifier } from '../sinks/alerting/index.js';
import { alertPoint, createInfluxWriter, featurePoint, scorePoint } from '../sinks/influxdb/index.js';

/** The real InfluxDB writer and notifier of seismo, as the service wires them. */
export function defaultSinks(): SinkFactories {
  return {
    influx: (cfg, ctx) => createInfluxWriter(cfg, ctx),
    featurePoints: (f) => [featurePoint(f)],
    scorePoints: ({ feature: f, result }) => [scorePoint(f.id, f.series, f.ts, f.value, result)],
    alertPoints: (a) => [alertPoint(a)],
    notifier: (cfg, ctx, { deadLetter }) => {
      const n = createNotifier(cfg, ctx, { deadLetter });
      return Object.assign(n, {
        ready: async (): Promise<boolean | string> => {
          if (!n.queues) return true;
          return (await n.queues.redis.ping()) === 'PONG' || 'redis did not answer PING';
        },
      });
    },
  };
}
