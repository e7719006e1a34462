import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfigFile, parseConfig, defaultConfig, resolveSecret } from '../../../config/load.js';
import { checkConfigCommand } from '../../../config/check.js';
import { ConfigError } from '../../../pipeline/errors.js';

const dir = join(import.meta.dirname, '../../fixtures/config');
const env = { SEISMO_TEST_WEBHOOK_SECRET: 's3cret' };

function problemsOf(file: string): string[] {
  try {
    loadConfigFile(join(dir, file), { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

describe('configuration fixtures', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('has both kinds of fixture', () => {
    expect(files.some((f) => f.startsWith('valid-'))).toBe(true);
    expect(files.some((f) => f.startsWith('bad-'))).toBe(true);
  });

  for (const file of files.filter((f) => f.startsWith('valid-'))) {
    it(`${file} is accepted`, () => {
      expect(problemsOf(file)).toEqual([]);
    });
  }

  for (const file of files.filter((f) => f.startsWith('bad-'))) {
    it(`${file} is rejected with one line per problem`, () => {
      const problems = problemsOf(file);
      expect(problems.length).toBeGreaterThan(0);
      for (const line of problems) expect(line).toMatch(/^[\w.[\]()/-]+(\.yaml)?: /);
    });
  }
});

describe('problem messages', () => {
  it('name the unknown key and the keys allowed', () => {
    const [line] = problemsOf('bad-unknown-key.yaml');
    expect(line).toContain('kafka.partitons');
    expect(line).toContain('allowed keys');
    expect(line).toContain('partitions');
  });

  it('name key path, found value and what is allowed', () => {
    const problems = problemsOf('bad-types.yaml');
    const text = problems.join('\n');
    expect(text).toMatch(/api\.port: found 99999;.*65535/);
    expect(text).toMatch(/kafka\.brokers\[0\]: found "not a broker"; expected host:port/);
    expect(text).toMatch(/detect\.threshold: found 1\.5;/);
    expect(text).toMatch(/sources\[0\]\.type: found "carrier-pigeon";/);
  });

  it('explain cross-field rules with the fix', () => {
    const text = problemsOf('bad-cross-field.yaml').join('\n');
    expect(text).toContain('sources[0].timeoutMs: found 5000; must be below sources[0].intervalMs (1000)');
  });

  it('explain the hysteresis rule', () => {
    const text = problemsOf('bad-hysteresis.yaml').join('\n');
    expect(text).toMatch(/detect\.resolveThreshold: found 0\.8; .*threshold \(0\.5\)/);
  });

  it('name a missing secret variable', () => {
    expect(problemsOf('bad-secret.yaml').join('\n')).toContain('alerting.receivers[0].secret: environment variable SEISMO_SURELY_UNSET_VARIABLE is not set');
  });

  it('report YAML syntax errors with the file', () => {
    expect(problemsOf('bad-yaml.yaml')[0]).toMatch(/bad-yaml\.yaml: YAML syntax/);
  });
});

describe('defaults', () => {
  it('no configuration means embedded mode with host metrics on loopback', () => {
    const cfg = defaultConfig();
    expect(cfg.kafka).toBeUndefined();
    expect(cfg.sources.map((s) => s.type)).toEqual(['host']);
    expect(cfg.api.host).toBe('127.0.0.1');
    expect(cfg.api.port).toBe(8080);
  });

  it('nested defaults apply inside given sections', () => {
    const cfg = parseConfig({ kafka: { brokers: ['127.0.0.1:9092'] } });
    expect(cfg.kafka?.topics.samples).toBe('seismo.samples');
    expect(cfg.kafka?.topics.state).toBe('seismo.state');
    expect(cfg.kafka?.samplesRetentionHours).toBe(168);
  });
});

describe('secrets', () => {
  it('come from the environment', () => {
    expect(resolveSecret({ env: 'X_TOKEN' }, 'a.b', { X_TOKEN: 'abc' })).toBe('abc');
  });
  it('name the key when missing', () => {
    expect(() => resolveSecret({ env: 'X_TOKEN' }, 'influxdb.token', {})).toThrow(/influxdb\.token: environment variable X_TOKEN/);
  });
});

describe('seismo config check', () => {
  it('exits 0 on a valid file', () => {
    const out = sink();
    const err = sink();
    expect(checkConfigCommand(join(dir, 'valid-minimal.yaml'), out, err)).toBe(0);
    expect(out.text).toContain('ok');
  });
  it('exits 2 with one line per problem', () => {
    const out = sink();
    const err = sink();
    expect(checkConfigCommand(join(dir, 'bad-types.yaml'), out, err)).toBe(2);
    expect(err.text.trim().split('\n').length).toBeGreaterThanOrEqual(4);
  });
});
