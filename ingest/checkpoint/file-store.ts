import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CheckpointStore } from './store.js';

/**
 * One JSON file holding every checkpoint. Each `set` writes a temporary file and renames it over the
 * old one, so a crash leaves either the old or the new content, never a torn file. Writes are
 * serialised in this process; the file must not be shared by two processes.
 */
export class FileCheckpointStore implements CheckpointStore {
  private values: Record<string, unknown> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly path: string) {}

  private async load(): Promise<Record<string, unknown>> {
    if (this.values) return this.values;
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      this.values = parsed as Record<string, unknown>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`checkpoint file ${this.path}: ${(err as Error).message}`, { cause: err });
      this.values = {};
    }
    return this.values;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    await this.chain;
    const values = await this.load();
    return values[key] as T | undefined;
  }

  set(key: string, value: unknown): Promise<void> {
    const write = async (): Promise<void> => {
      const values = await this.load();
      values[key] = value;
      await mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.${++this.seq}.tmp`;
      await writeFile(tmp, JSON.stringify(values, null, 1));
      await rename(tmp, this.path);
    };
    const next = this.chain.then(write, write);
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
  }
}
