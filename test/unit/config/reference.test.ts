import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReference } from '../../../config/reference.js';

describe('docs/configuration.md', () => {
  it('is generated from the current schema (run npm run docs:config after changing a schema)', () => {
    const current = readFileSync(join(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
    expect(current).toBe(renderReference());
  });

  it('documents every top-level section and the discriminated sources and receivers', () => {
    const text = renderReference();
    for (const key of ['log', 'api', 'kafka', 'influxdb', 'redis', 'sources', 'features', 'detect', 'alerting', 'embedded']) {
      expect(text).toContain(`## \`${key}\``);
    }
    for (const type of ['host', 'file', 'prometheus', 'datadog', 'cloudwatch']) expect(text).toContain(`sources[] (type: ${type})`);
    for (const type of ['webhook', 'slack', 'pagerduty']) expect(text).toContain(`alerting.receivers[] (type: ${type})`);
  });
});
