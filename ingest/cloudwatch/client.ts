import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type Metric, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { SeismoError } from '../../pipeline/errors.js';
import type { CloudwatchMetricConfig, CloudwatchSourceConfig } from './config.js';

/** Datapoints of one GetMetricData query id. */
export interface MetricResult {
  id: string;
  points: Array<{ ts: number; value: number }>;
}

/**
 * The CloudWatch calls of the collector over the AWS SDK v3 client (default credential chain,
 * region and endpoint from the configuration), each bounded by timeoutMs and the shutdown signal.
 */
export class CloudwatchApi {
  private readonly client: CloudWatchClient;

  constructor(
    private readonly cfg: CloudwatchSourceConfig,
    private readonly signal: AbortSignal,
    private readonly onCall: (operation: string) => void = () => undefined,
  ) {
    this.client = new CloudWatchClient({
      ...(cfg.region ? { region: cfg.region } : {}),
      ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
      maxAttempts: 3,
    });
  }

  private abortSignal(): AbortSignal {
    return AbortSignal.any([this.signal, AbortSignal.timeout(this.cfg.timeoutMs)]);
  }

  /** Every metric matching the entry's namespace, name and dimension filters (ListMetrics, all pages). */
  async discover(entry: CloudwatchMetricConfig): Promise<Metric[]> {
    const out: Metric[] = [];
    let token: string | undefined;
    do {
      const res = await this.call('ListMetrics', () =>
        this.client.send(
          new ListMetricsCommand({
            Namespace: entry.namespace,
            ...(entry.metricName ? { MetricName: entry.metricName } : {}),
            ...(entry.dimensions.length ? { Dimensions: entry.dimensions.map((d) => (d.value === undefined ? { Name: d.name } : { Name: d.name, Value: d.value })) } : {}),
            ...(token ? { NextToken: token } : {}),
          }),
          { abortSignal: this.abortSignal() },
        ),
      );
      out.push(...(res.Metrics ?? []));
      token = res.NextToken;
    } while (token);
    return out;
  }

  /**
   * GetMetricData for up to 500 queries over [start, end), one page (NextToken) at a time, so that a
   * long backfill is emitted page by page instead of being held in memory whole.
   */
  async *getMetricData(queries: MetricDataQuery[], start: number, end: number): AsyncGenerator<MetricResult[]> {
    let token: string | undefined;
    do {
      const res = await this.call('GetMetricData', () =>
        this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(start),
            EndTime: new Date(end),
            ScanBy: 'TimestampAscending',
            ...(token ? { NextToken: token } : {}),
          }),
          { abortSignal: this.abortSignal() },
        ),
      );
      const page: MetricResult[] = [];
      for (const r of res.MetricDataResults ?? []) {
        if (!r.Id) continue;
        if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
          throw new SeismoError(`cloudwatch: query ${r.Id}: ${r.StatusCode} ${(r.Messages ?? []).map((m) => m.Value).join('; ')}`, { retriable: r.StatusCode === 'InternalError' });
        }
        const ts = r.Timestamps ?? [];
        const values = r.Values ?? [];
        const points: MetricResult['points'] = [];
        for (let i = 0; i < Math.min(ts.length, values.length); i++) points.push({ ts: ts[i].getTime(), value: values[i] });
        page.push({ id: r.Id, points });
      }
      yield page;
      token = res.NextToken;
    } while (token);
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    this.onCall(operation);
    try {
      return await fn();
    } catch (err) {
      const e = err as { name?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      const retriable = e.name === 'TimeoutError' || e.name === 'AbortError' || e.$retryable !== undefined || status === undefined || status >= 500 || status === 429;
      throw new SeismoError(`cloudwatch ${operation}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, { retriable, cause: err });
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
