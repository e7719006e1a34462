import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfigFile, parseConfig } from '../../../config/load.js';
import { ConfigError } from '../../../pipeline/errors.js';

const root = join(import.meta.dirname, '../../..');
// The examples reference these secrets by environment variable; give them values so the check
// covers everything else (a missing variable is its own, tested, error).
const env = {
  DD_API_KEY: 'k',
  DD_APP_KEY: 'k',
  SEISMO_WEBHOOK_SECRET: 's',
  SLACK_BOT_TOKEN: 't',
  SLACK_DB_WEBHOOK_URL: 'https://hooks.slack.example/x',
  PAGERDUTY_ROUTING_KEY: 'r',
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('configuration examples', () => {
  const dir = join(root, 'config/examples');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`config/examples/${file} passes config check`, () => {
      expect(problems(() => loadConfigFile(join(dir, file), { env }))).toEqual([]);
    });
  }

  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  it('the README has configuration examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });
  blocks.forEach((block, i) => {
    it(`README example ${i + 1} passes config check`, () => {
      expect(problems(() => parseConfig(parse(block), { env }))).toEqual([]);
    });
  });
});
