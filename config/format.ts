import type { z } from 'zod';

function pathString(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** One line per problem: key path, what was found, what is allowed. */
export function formatZodIssues(error: z.ZodError, input: unknown, prefix: ReadonlyArray<PropertyKey> = []): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        lines.push(`${pathString([...path, key])}: ${issue.message.startsWith('unknown key') ? issue.message : `unknown key (${issue.message})`}`);
      }
      continue;
    }
    const found = show(valueAt(input, issue.path));
    lines.push(`${pathString(path)}: found ${found}; ${issue.message}`);
  }
  return lines;
}
