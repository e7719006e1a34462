import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic PRNG for fixtures. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export interface SyntheticCorpus {
  dir: string;
  data: string;
  labels: string;
  keys: string[];
  rowsPerFile: number;
}

/**
 * A small NAB-layout corpus in a temp dir: `files` noisy daily-ish sines at 5-minute steps, each
 * with one labelled window around an injected level shift plus spike, and a few unlabelled small
 * blips elsewhere.
 */
export function writeSyntheticCorpus(files = 6, rowsPerFile = 900, seed = 7): SyntheticCorpus {
  const dir = mkdtempSync(join(tmpdir(), 'seismo-validate-'));
  const data = join(dir, 'data');
  const labels: Record<string, [string, string][]> = {};
  const keys: string[] = [];
  const t0 = Date.UTC(2024, 0, 1);
  for (let f = 0; f < files; f++) {
    const rand = rng(seed * 100 + f);
    const category = f % 2 === 0 ? 'synthA' : 'synthB';
    const name = `series_${f}.csv`;
    const key = `${category}/${name}`;
    keys.push(key);
    const at = Math.floor(rowsPerFile * (0.55 + 0.3 * rand()));
    const half = 20;
    const lines = ['timestamp,value'];
    for (let i = 0; i < rowsPerFile; i++) {
      let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + 2 * (rand() - 0.5);
      if (i >= at && i < at + 15) v += 40;
      if (i % 173 === 0 && i > 0) v += 6 * (rand() - 0.5);
      lines.push(`${stamp(t0 + i * 300_000)},${v.toFixed(3)}`);
    }
    mkdirSync(join(data, category), { recursive: true });
    writeFileSync(join(data, category, name), `${lines.join('\n')}\n`);
    labels[key] = [[`${stamp(t0 + (at - half) * 300_000)}.000000`, `${stamp(t0 + (at + half) * 300_000)}.000000`]];
  }
  const labelsFile = join(dir, 'combined_windows.json');
  writeFileSync(labelsFile, JSON.stringify(labels, null, 2));
  return { dir, data, labels: labelsFile, keys, rowsPerFile };
}
