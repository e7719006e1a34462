import type { Counter } from 'prom-client';
import type { StateStore } from './state-store.js';
import type { StageWorker } from './transport.js';

/** How a stage turns its per-series state into a snapshot and back. */
export interface StateCodec<S> {
  snapshot(state: S): unknown;
  /** Rebuilds state from a snapshot; returns null when the snapshot is unusable (then the series starts cold). */
  restore(snapshot: unknown): S | null;
}

interface Entry<S> {
  state: S;
  partition: number;
  dirty: boolean;
}

/**
 * Per-series state of one stage in one worker: bounded (least recently used series evicted, after
 * its snapshot is queued), tagged with the partition it came from, and snapshotted to a
 * {@link StateStore} under `<stage>:<series id>`.
 */
export class SeriesStateTable<S> {
  private readonly entries = new Map<string, Entry<S>>();
  /** Snapshots of evicted or released series not yet written, with the partition they came from. */
  private pending: Array<{ key: string; state: unknown; partition: number }> = [];
  private lastSnapshot = Date.now();

  constructor(
    private readonly stage: string,
    private readonly store: StateStore,
    private readonly codec: StateCodec<S>,
    private readonly opts: { maxSeries: number; snapshotIntervalMs: number; evicted?: Counter<string>; restored?: Counter<string> },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  private key(id: string): string {
    return `${this.stage}:${id}`;
  }

  /** The state of a series, restored from its snapshot or created with `create` on first sight. */
  get(id: string, partition: number, create: () => S): S {
    const e = this.entries.get(id);
    if (e) {
      // Re-insert to keep Map order = recency order.
      this.entries.delete(id);
      this.entries.set(id, e);
      e.dirty = true;
      e.partition = partition;
      return e.state;
    }
    // A series evicted (or released) since the last write comes back from its queued snapshot,
    // which is newer than the store's.
    const key = this.key(id);
    let queued: unknown;
    for (let i = this.pending.length - 1; i >= 0 && queued === undefined; i--) if (this.pending[i].key === key) queued = this.pending[i].state;
    const snap = queued ?? this.store.get(key);
    let state = snap === undefined ? null : this.codec.restore(snap);
    if (state) this.opts.restored?.inc();
    state ??= create();
    this.entries.set(id, { state, partition, dirty: true });
    while (this.entries.size > this.opts.maxSeries) {
      const [oldId, old] = this.entries.entries().next().value as [string, Entry<S>];
      this.entries.delete(oldId);
      this.pending.push({ key: this.key(oldId), state: this.codec.snapshot(old.state), partition: old.partition });
      this.opts.evicted?.inc();
    }
    return state;
  }

  /**
   * Writes pending snapshots and, when the interval is due (or `force`), those of every changed
   * series. Series of partitions for which `inFlight` holds are left out (and stay pending or
   * dirty): their state includes a batch whose outputs are not durable yet, and a snapshot of it
   * would make the redelivered records look like duplicates if that batch is given up.
   */
  async snapshot(force = false, inFlight: (partition: number) => boolean = () => false): Promise<void> {
    const due = force || (this.opts.snapshotIntervalMs > 0 && Date.now() - this.lastSnapshot >= this.opts.snapshotIntervalMs);
    const fromPending = this.pending.filter((p) => !inFlight(p.partition));
    this.pending = this.pending.filter((p) => inFlight(p.partition));
    const out: Array<{ key: string; state: unknown }> = fromPending.map(({ key, state }) => ({ key, state }));
    const taken: Entry<S>[] = [];
    if (due) {
      for (const [id, e] of this.entries) {
        if (!e.dirty || inFlight(e.partition)) continue;
        out.push({ key: this.key(id), state: this.codec.snapshot(e.state) });
        e.dirty = false;
        taken.push(e);
      }
      this.lastSnapshot = Date.now();
    }
    try {
      await this.store.put(out);
    } catch (err) {
      this.pending = fromPending.concat(this.pending);
      for (const e of taken) e.dirty = true;
      throw err;
    }
  }

  /** Keeps only series of `partitions`: the others are snapshotted and released. */
  release(keep: (partition: number) => boolean): void {
    for (const [id, e] of this.entries) {
      if (keep(e.partition)) continue;
      if (e.dirty) this.pending.push({ key: this.key(id), state: this.codec.snapshot(e.state), partition: e.partition });
      this.entries.delete(id);
    }
  }

  /**
   * Forgets the series of one partition without snapshotting, including snapshots of its series
   * evicted since the last write (their records will be redelivered).
   */
  drop(partition: number): void {
    for (const [id, e] of this.entries) if (e.partition === partition) this.entries.delete(id);
    this.pending = this.pending.filter((p) => p.partition !== partition);
  }
}

/**
 * The partition bookkeeping every stateful stage shares: the outputs of the batch in flight per
 * partition (`staged`, until its flush completes) and the per-series state table, which is
 * dropped, released, snapshotted and caught up as partitions come and go.
 */
export abstract class StatefulStage<T, S, Staged> implements StageWorker<T> {
  abstract readonly name: string;
  /** Outputs of the batch in flight, per partition, and which phases of its flush are done. */
  protected readonly staged = new Map<number, Staged>();

  protected constructor(
    protected readonly table: SeriesStateTable<S>,
    private readonly stateStore: StateStore,
  ) {}

  abstract process(items: T[], partition: number): Promise<void>;
  abstract flush(partition: number): Promise<void>;

  abandon(partition: number): Promise<void> {
    this.staged.delete(partition);
    this.table.drop(partition);
    return Promise.resolve();
  }

  /**
   * Snapshots the state table, leaving out the partitions with a batch still in flight (processed
   * but not yet flushed): only state whose outputs are durable may be snapshotted.
   */
  protected snapshotSettled(force = false): Promise<void> {
    return this.table.snapshot(force, (p) => this.staged.has(p));
  }

  async assigned(partitions: number[]): Promise<void> {
    const keep = new Set(partitions);
    this.table.release((p) => keep.has(p));
    await this.snapshotSettled();
    await this.stateStore.catchUp();
  }

  close(): Promise<void> {
    return this.snapshotSettled(true);
  }
}
