/**
 * Durable progress of a collector per query: typically the end of the last window whose samples
 * were accepted downstream. Values are JSON-serialisable. `set` resolves once the value is durable
 * (file renamed, Redis acknowledged).
 */
export interface CheckpointStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Releases connections or file handles; safe twice. */
  close(): Promise<void>;
}

/** Process-local store: progress is lost on restart (a restart backfills again). */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly values = new Map<string, string>();

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const v = this.values.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, JSON.stringify(value));
  }

  async close(): Promise<void> {}
}
