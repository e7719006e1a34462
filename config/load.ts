import { readFileSync, existsSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { configSchema, type SeismoConfig } from './schema.js';
import { formatZodIssues } from './format.js';
import type { SecretInput } from './secret.js';
import { ConfigError } from '../pipeline/errors.js';

/** Reads a secret from where the configuration says it lives. `keyPath` names it in errors. */
export function resolveSecret(secret: SecretInput, keyPath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof secret === 'string') return secret;
  if ('env' in secret) {
    const v = env[secret.env];
    if (v === undefined || v === '') throw new ConfigError([`${keyPath}: environment variable ${secret.env} is not set; set it or use { file: PATH }`]);
    return v;
  }
  if (!existsSync(secret.file)) throw new ConfigError([`${keyPath}: secret file ${secret.file} does not exist`]);
  return readFileSync(secret.file, 'utf8').replace(/\r?\n$/, '');
}

/** Cross-field rules, each saying how to fix it. */
function crossFieldProblems(cfg: SeismoConfig): string[] {
  const problems: string[] = [];
  cfg.sources.forEach((s, i) => {
    if ('timeoutMs' in s && 'intervalMs' in s && s.timeoutMs >= s.intervalMs) {
      problems.push(`sources[${i}].timeoutMs: found ${s.timeoutMs}; must be below sources[${i}].intervalMs (${s.intervalMs})`);
    }
  });
  if (cfg.detect.resolveThreshold > cfg.detect.threshold) {
    problems.push(`detect.resolveThreshold: found ${cfg.detect.resolveThreshold}; must be at most detect.threshold (${cfg.detect.threshold})`);
  }
  const names = new Set<string>();
  cfg.alerting.receivers.forEach((r, i) => {
    if (names.has(r.name)) problems.push(`alerting.receivers[${i}].name: found ${JSON.stringify(r.name)}; receiver names must be unique`);
    names.add(r.name);
  });
  return problems;
}

/** Finds `{ env }` / `{ file }` secrets whose variable or file is missing. */
function secretProblems(node: unknown, path: string, env: NodeJS.ProcessEnv): string[] {
  if (node === null || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap((v, i) => secretProblems(v, `${path}[${i}]`, env));
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === 'env' || keys[0] === 'file') && typeof (node as Record<string, unknown>)[keys[0]] === 'string') {
    try {
      resolveSecret(node as SecretInput, path, env);
      return [];
    } catch (err) {
      return err instanceof ConfigError ? err.problems : [String(err)];
    }
  }
  return keys.flatMap((k) => secretProblems((node as Record<string, unknown>)[k], path ? `${path}.${k}` : k, env));
}

/** Validates an already-parsed object. Throws ConfigError with one line per problem. */
export function parseConfig(raw: unknown, opts: { env?: NodeJS.ProcessEnv; checkSecrets?: boolean } = {}): SeismoConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(formatZodIssues(result.error, raw ?? {}));
  const problems = crossFieldProblems(result.data);
  if (opts.checkSecrets !== false) problems.push(...secretProblems(result.data, '', opts.env ?? process.env));
  if (problems.length) throw new ConfigError(problems);
  return result.data;
}

/** Reads and validates a YAML (or JSON) configuration file. */
export function loadConfigFile(file: string, opts: { env?: NodeJS.ProcessEnv; checkSecrets?: boolean } = {}): SeismoConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read: ${(err as Error).message}`]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(doc.errors.map((e) => `${file}: YAML syntax: ${e.message.split('\n')[0]}`));
  }
  return parseConfig(doc.toJS(), opts);
}

/** The configuration of `seismo start` with no file: everything embedded, host metrics, API on loopback. */
export function defaultConfig(): SeismoConfig {
  return parseConfig({});
}
