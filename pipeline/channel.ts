/**
 * A bounded in-process channel joining two stages in the embedded mode. `send` waits while the
 * channel is full (backpressure: the producer slows down, memory stays bounded); `close` lets the
 * receiver drain what is left and then end.
 */
export class BoundedChannel<T> {
  private readonly items: T[] = [];
  private head = 0;
  private closed = false;
  private readonly waitingSenders: Array<() => void> = [];
  private waitingReceiver: (() => void) | null = null;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get depth(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds one item, waiting while the channel is full. Throws once the channel is closed. */
  async send(item: T): Promise<void> {
    while (this.depth >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.waitingSenders.push(resolve));
    }
    if (this.closed) throw new Error('channel closed');
    this.items.push(item);
    this.wakeReceiver();
  }

  /** Adds many items, honouring capacity between them. */
  async sendAll(items: Iterable<T>): Promise<void> {
    for (const item of items) await this.send(item);
  }

  /** Takes up to `max` items, waiting for at least one; returns [] once closed and drained. */
  async receive(max = 1024): Promise<T[]> {
    while (this.depth === 0) {
      if (this.closed) return [];
      await new Promise<void>((resolve) => (this.waitingReceiver = resolve));
    }
    const end = Math.min(this.items.length, this.head + max);
    const out = this.items.slice(this.head, end);
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.wakeSenders();
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeReceiver();
    this.wakeSenders();
  }

  /**
   * Closes the channel and drops what it still holds (a forced shutdown, when the receiving stage
   * cannot drain): waiting senders fail, the receiver gets nothing more. Returns how many items
   * were dropped.
   */
  abort(): number {
    const dropped = this.depth;
    this.items.length = 0;
    this.head = 0;
    this.close();
    return dropped;
  }

  private wakeReceiver(): void {
    const r = this.waitingReceiver;
    this.waitingReceiver = null;
    r?.();
  }

  private wakeSenders(): void {
    const senders = this.waitingSenders.splice(0);
    for (const s of senders) s();
  }
}
