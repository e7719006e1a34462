import type { Alert } from '../../../pipeline/ports.js';

export function sampleAlert(over: Partial<Alert> & { labels?: Record<string, string> } = {}): Alert {
  const { labels, ...rest } = over;
  return {
    id: 'a1',
    dedupKey: 'series-1:1700000000000',
    series: { source: 'prometheus', name: 'cpu_usage', labels: labels ?? { host: 'web-1', env: 'prod', team: 'web' }, id: 'abcdef0123456789' },
    ts: 1_700_000_000_000,
    value: 97.5,
    expected: { lo: 10, hi: 60 },
    score: 0.991,
    detector: 'holt-winters',
    severity: 'critical',
    state: 'firing',
    explanation: 'value 97.5 is above the band 10…60',
    ...rest,
  };
}
