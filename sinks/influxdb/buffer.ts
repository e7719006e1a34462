/** Bounds of the writer's buffer. */
export interface BufferLimits {
  /** Points queued plus in flight before `waitForRoom` blocks. */
  maxPoints: number;
  /** Bytes queued plus in flight before `waitForRoom` blocks. */
  maxBytes: number;
  /** Points per batch. */
  batchSize: number;
  /** Bytes per batch. */
  maxBatchBytes: number;
}

/** A slice of the queue taken for sending: lines `fromSeq..toSeq` (1-based, inclusive). */
export interface Batch {
  lines: string[];
  bytes: number;
  fromSeq: number;
  toSeq: number;
}

/**
 * The writer's bounded queue of lines, pure bookkeeping with no I/O: every accepted line gets a
 * sequence number; batches are taken from the head in order and settled in order, which frees
 * their room. Producers wait in `waitForRoom` while the queue (queued + in flight) is at its bounds.
 */
export class LineBuffer {
  private queue: string[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlightPoints = 0;
  private inFlightBytes = 0;
  /** Sequence number of the last line accepted. */
  private lastSeq = 0;
  /** Every line up to this one has been sent or given up on. */
  private settled = 0;
  private roomWaiters: Array<() => void> = [];
  private settleWaiters: Array<{ seq: number; resolve: () => void }> = [];

  constructor(readonly limits: BufferLimits) {
    for (const [k, v] of Object.entries(limits)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`buffer limit ${k} must be a positive integer, got ${String(v)}`);
    }
  }

  get queuedPoints(): number {
    return this.queue.length - this.head;
  }

  /** Points queued plus in flight. */
  get depth(): number {
    return this.queuedPoints + this.inFlightPoints;
  }

  get bytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  get lastAccepted(): number {
    return this.lastSeq;
  }

  get settledUpTo(): number {
    return this.settled;
  }

  /** Sequence number of the oldest queued line, or null when nothing is queued. */
  get firstQueued(): number | null {
    return this.queuedPoints > 0 ? this.settled + this.inFlightPoints + 1 : null;
  }

  /** True when a line of `bytes` fits. An empty buffer always takes one line, however big. */
  hasRoom(bytes: number): boolean {
    if (this.depth === 0) return true;
    return this.depth < this.limits.maxPoints && this.bytes + bytes <= this.limits.maxBytes;
  }

  /** Resolves the next time room is freed (a batch settled) or `wake()` is called. */
  roomFreed(): Promise<void> {
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Appends a line regardless of bounds (call `hasRoom` first); returns its sequence number. */
  push(line: string): number {
    this.queue.push(line);
    this.queuedBytes += byteLength(line) + 1;
    return ++this.lastSeq;
  }

  /** True when the queue holds a full batch (by points or bytes). */
  hasFullBatch(): boolean {
    return this.queuedPoints >= this.limits.batchSize || this.queuedBytes >= this.limits.maxBatchBytes;
  }

  /** Takes the next batch from the head (up to batchSize lines and maxBatchBytes, at least one line). */
  take(): Batch | null {
    if (this.queuedPoints === 0) return null;
    const fromSeq = this.settled + this.inFlightPoints + 1;
    const lines: string[] = [];
    let bytes = 0;
    while (this.head < this.queue.length && lines.length < this.limits.batchSize) {
      const line = this.queue[this.head];
      const b = byteLength(line) + 1;
      if (lines.length > 0 && bytes + b > this.limits.maxBatchBytes) break;
      lines.push(line);
      bytes += b;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.queuedBytes -= bytes;
    this.inFlightPoints += lines.length;
    this.inFlightBytes += bytes;
    return { lines, bytes, fromSeq, toSeq: fromSeq + lines.length - 1 };
  }

  /** Marks a taken batch done (written or given up on): frees its room and wakes waiters. */
  settle(batch: Batch): void {
    if (batch.fromSeq !== this.settled + 1) throw new Error(`batches must settle in order: expected ${this.settled + 1}, got ${batch.fromSeq}`);
    this.inFlightPoints -= batch.lines.length;
    this.inFlightBytes -= batch.bytes;
    this.settled = batch.toSeq;
    this.wake();
    const ready = this.settleWaiters.filter((w) => w.seq <= this.settled);
    this.settleWaiters = this.settleWaiters.filter((w) => w.seq > this.settled);
    for (const w of ready) w.resolve();
  }

  /** Resolves once every line up to `seq` has settled. */
  waitSettled(seq: number): Promise<void> {
    if (seq <= this.settled) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push({ seq, resolve }));
  }

  /** Wakes every producer waiting for room (they re-check and may wait again). */
  wake(): void {
    for (const w of this.roomWaiters.splice(0)) w();
  }
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
