import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeriesOutput } from '../evaluate/run.js';
import type { CorpusFile } from './corpus.js';
import type { ValidationSummary } from './summary.js';

export function writeReport(dir: string, _s: ValidationSummary, _files: readonly CorpusFile[], _o: readonly SeriesOutput[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'index.html');
  writeFileSync(path, '<!doctype html><title>seismo validation</title>');
  return path;
}
