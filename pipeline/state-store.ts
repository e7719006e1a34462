/**
 * Where per-series state snapshots live between workers and restarts. Keys are
 * `<stage>:<series id>`; values are JSON-serialisable snapshots.
 */
export interface StateStore {
  /** The newest snapshot of `key`, if any. Call {@link catchUp} after a rebalance first. */
  get(key: string): unknown;
  /** Writes snapshots; resolves once they are durable. */
  put(entries: Array<{ key: string; state: unknown }>): Promise<void>;
  /** Resolves once every snapshot written before this call (by any worker) is visible to `get`. */
  catchUp(): Promise<void>;
}

/** In-process store (embedded mode): survives a stage restart inside the process, not a process restart. */
export class MemoryStateStore implements StateStore {
  private readonly map = new Map<string, string>();

  get(key: string): unknown {
    const s = this.map.get(key);
    return s === undefined ? undefined : JSON.parse(s);
  }

  put(entries: Array<{ key: string; state: unknown }>): Promise<void> {
    for (const e of entries) this.map.set(e.key, JSON.stringify(e.state));
    return Promise.resolve();
  }

  catchUp(): Promise<void> {
    return Promise.resolve();
  }

  get size(): number {
    return this.map.size;
  }
}
