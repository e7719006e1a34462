/**
 * Generates docs/configuration.md from the live schema (types, defaults, bounds) and the doc
 * comments on the schema fields, so the reference cannot drift from what `config check` enforces.
 * Run: `npm run docs:config` (writes the file) or `--check` (exit 1 when the file is stale).
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { configSchema } from './schema.js';

type Json = { [k: string]: unknown };

const ROOT = process.cwd();
const SOURCE_DIRS = ['config', 'pipeline', 'ingest', 'features', 'detect', 'sinks', 'api'];

/** key name -> [{file, text}] from `/** text *\/ key:` in schema sources. */
function docComments(): Map<string, Array<{ file: string; text: string }>> {
  const out = new Map<string, Array<{ file: string; text: string }>>();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
    });
  for (const file of SOURCE_DIRS.flatMap((d) => walk(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('strictObject(')) continue;
    const re = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*([A-Za-z_][\w]*)\s*:/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const doc = m[1].split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).filter(Boolean).join(' ');
      const list = out.get(m[2]) ?? [];
      list.push({ file: relative(ROOT, file), text: doc });
      out.set(m[2], list);
    }
  }
  return out;
}

function describeType(s: Json): string {
  if ('const' in s) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (alts) return alts.map(describeType).join(' or ');
  let t = String(s.type ?? 'any');
  if (t === 'array') t = `list of ${describeType((s.items as Json) ?? {})}`;
  if (t === 'object' && s.properties) {
    const keys = Object.keys(s.properties as Json);
    if (keys.length <= 2) t = `{ ${keys.join(', ')} }`;
  }
  if (s.type === 'object' && !s.properties && s.additionalProperties) t = 'map of string';
  const bounds: string[] = [];
  const max = s.maximum as number | undefined;
  if (s.minimum !== undefined) bounds.push(`≥ ${String(s.minimum)}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${String(s.exclusiveMinimum)}`);
  if (max !== undefined && max < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${max}`);
  if (s.exclusiveMaximum !== undefined) bounds.push(`< ${String(s.exclusiveMaximum)}`);
  if (s.format) bounds.push(String(s.format));
  if (s.minItems) bounds.push(`at least ${String(s.minItems)}`);
  return bounds.length ? `${t} (${bounds.join(', ')})` : t;
}

function pickDoc(docs: ReturnType<typeof docComments>, key: string, hint: string, topLevel: boolean): string {
  const list = topLevel ? docs.get(key)?.filter((d) => d.file === 'config/schema.ts') : docs.get(key);
  if (!list?.length) return '';
  const parts = hint.split(/[.[\]=]+/).filter((p) => p.length > 2);
  const scored = list.map((d) => ({ d, s: parts.filter((p) => d.file.includes(p)).length }));
  scored.sort((a, b) => b.s - a.s);
  return scored[0].d.text;
}

function rows(schema: Json, path: string, docs: ReturnType<typeof docComments>, sections: string[][], title: string): string[] {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  // Secret fields (string | { env } | { file }) are explained once in the introduction.
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const lines: string[] = [];
  for (const [key, raw] of Object.entries(props)) {
    const full = path ? `${path}.${key}` : key;
    const s = raw;
    const def = 'default' in s ? `\`${JSON.stringify(s.default)}\`` : required.has(key) ? '**required**' : '—';
    lines.push(`| \`${full}\` | ${describeType(s).replace(/\|(?!\|)/g, '\\|').replace(/\\\\\|/g, '\\|')} | ${def} | ${pickDoc(docs, key, `${title}.${full}`, !path).replace(/\|/g, '\\|')} |`);
    const items = s.type === 'array' ? (s.items as Json) : undefined;
    const variants = ((items?.oneOf ?? items?.anyOf ?? s.oneOf ?? s.anyOf) as Json[] | undefined)?.filter((v) => v.type === 'object' && (v.properties as Record<string, Json> | undefined)?.type?.const !== undefined);
    if (variants?.length) {
      for (const v of variants) {
        const typeConst = String((v.properties as Record<string, Json>).type.const);
        const sub = `${full}${items ? '[]' : ''} (type: ${typeConst})`;
        sections.push([sub, ...rows(v, `${full}${items ? '[]' : ''}`, docs, sections, `${title}.${typeConst}`)]);
      }
    } else if (s.type === 'object' && s.properties) {
      lines.push(...rows(s, full, docs, sections, title));
    } else if (items?.type === 'object' && items.properties) {
      lines.push(...rows(items, `${full}[]`, docs, sections, title));
    }
  }
  return lines;
}

export function renderReference(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Json;
  const docs = docComments();
  const out: string[] = [
    '# Configuration reference',
    '',
    'Generated from the schema by `npm run docs:config`; do not edit by hand. Every key is checked at',
    'start and by `seismo config check FILE`: unknown keys are errors, and each problem names the key',
    'path, what was found and what is allowed. Units are in the names (`intervalMs`, `retentionHours`).',
    'Secret fields take a literal string, `{ env: VAR }` or `{ file: /path }`. A section that is absent',
    'takes its defaults; `kafka`, `influxdb` and `redis` are off when absent (embedded mode).',
    '',
  ];
  const header = ['| key | type | default | meaning |', '|---|---|---|---|'];
  for (const [key, raw] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    const sections: string[][] = [];
    const own = rows({ properties: { [key]: raw }, required: schema.required }, '', docs, sections, key);
    out.push(`## \`${key}\``, '', ...header, ...own, '');
    for (const [title, ...lines] of sections) out.push(`### \`${title}\``, '', ...header, ...lines, '');
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const target = join(ROOT, 'docs/configuration.md');
  const text = renderReference();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      /* missing file is stale */
    }
    if (current !== text) {
      process.stderr.write('docs/configuration.md is out of date: run npm run docs:config\n');
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    process.stdout.write(`wrote ${relative(ROOT, target)}\n`);
  }
}
