import type { SinkFactories } from './assemble.js';
import { createNotifier } from '../sinks/alerting/index.js';

/** The real InfluxDB writer and notifier of seismo, as the service wires them. */
export function defaultSinks(): SinkFactories {
  return {
    notifier: (cfg, ctx) => {
      const n = createNotifier(cfg, ctx);
      return Object.assign(n, {
        ready: async (): Promise<boolean | string> => {
          if (!n.queues) return true;
          return (await n.queues.redis.ping()) === 'PONG' || 'redis did not answer PING';
        },
      });
    },
  };
}
