import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertsFailedCommand, alertsRetryCommand } from '../../../sinks/alerting/command.js';

describe('seismo alerts failed / retry without a reachable Redis', () => {
  // Nothing listens on port 1: the commands must say so, naming redis.url, instead of waiting on
  // the notifier's connection, which retries for ever.
  const dir = mkdtempSync(join(tmpdir(), 'seismo-alerts-'));
  const file = join(dir, 'seismo.yaml');
  writeFileSync(file, 'redis:\n  url: redis://127.0.0.1:1\n');
  const io = { out: { write: () => true }, err: { write: () => true } } as never;

  it('fails with an error naming redis.url and the cause', async () => {
    await expect(alertsFailedCommand({ config: file }, io)).rejects.toThrow(/redis\.url: cannot reach redis:\/\/127\.0\.0\.1:1 \(connect ECONNREFUSED/);
    await expect(alertsRetryCommand({ config: file }, io)).rejects.toThrow(/redis\.url: cannot reach/);
  });
});
