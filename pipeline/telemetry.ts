import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

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

/** Records one stage's end-to-end latencies (seconds from a sample's timestamp to the stage). */
export interface LatencyRecorder {
  observe(seconds: number): void;
}

const E2E_LATENCY = 'seismo_e2e_latency_seconds';
const E2E_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface LatencyCounts {
  /** Per bucket (the last one is +Inf), not cumulative. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * The histogram `seismo_e2e_latency_seconds{stage}`, exposed through the registry like any
 * prom-client histogram. Stages record every point, so recording is a bucket search and three
 * additions with no allocation; the Prometheus text is built only when scraped.
 */
class LatencyHistogram {
  readonly name = E2E_LATENCY;
  readonly help = 'Seconds from the sample timestamp to the stage that handled it';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly stages = new Map<string, LatencyCounts>();

  recorder(stage: string): LatencyRecorder {
    let s = this.stages.get(stage);
    if (!s) this.stages.set(stage, (s = { counts: new Float64Array(E2E_BUCKETS.length + 1), sum: 0, count: 0 }));
    const c = s;
    return {
      observe(seconds: number): void {
        if (!Number.isFinite(seconds)) return;
        let i = 0;
        while (i < E2E_BUCKETS.length && seconds > E2E_BUCKETS[i]) i++;
        c.counts[i]++;
        c.sum += seconds;
        c.count++;
      },
    };
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string | number>; value: number; metricName: string }[] }> {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const [stage, s] of this.stages) {
      let acc = 0;
      E2E_BUCKETS.forEach((le, i) => {
        acc += s.counts[i];
        values.push({ labels: { le, stage }, value: acc, metricName: `${E2E_LATENCY}_bucket` });
      });
      values.push({ labels: { le: '+Inf', stage }, value: s.count, metricName: `${E2E_LATENCY}_bucket` });
      values.push({ labels: { stage }, value: s.sum, metricName: `${E2E_LATENCY}_sum` });
      values.push({ labels: { stage }, value: s.count, metricName: `${E2E_LATENCY}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const s of this.stages.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}

/** The end-to-end latency recorder of `stage`, registering the histogram on first use. */
export function e2eLatency(registry: Registry, stage: string): LatencyRecorder {
  const existing = registry.getSingleMetric(E2E_LATENCY) as unknown;
  if (existing instanceof LatencyHistogram) return existing.recorder(stage);
  const h = new LatencyHistogram();
  registry.registerMetric(h as unknown as Metric);
  return h.recorder(stage);
}
