/**
 * Long-memory "how extreme is this" reference in O(1) time and O(blocks) space: the stream is cut
 * into blocks of `blockPoints`; the last `blocks` block maxima are kept. `reference()` is the
 * second-largest of them (and of the block in progress), i.e. a level exceeded in at most one
 * block of the recent `blocks * blockPoints` points, so one earlier anomaly does not blind the
 * detector to the next while a recurring daily spike is remembered from one day to the next.
 */
export interface BlockMaxState {
  b: number[];
  c: number;
  i: number;
}

export class BlockMax {
  private readonly maxima: Float64Array;
  private head = 0;
  private filled = 0;
  private current = 0;
  private inBlock = 0;
  private top1 = 0;
  private top2 = 0;

  constructor(
    private readonly blockPoints = 64,
    private readonly blocks = 32,
  ) {
    this.maxima = new Float64Array(blocks);
  }

  /** Points seen, up to the memory length. */
  get size(): number {
    return this.filled * this.blockPoints + this.inBlock;
  }

  push(x: number): void {
    this.current = this.inBlock === 0 || x > this.current ? x : this.current;
    this.inBlock++;
    if (this.inBlock === this.blockPoints) {
      this.maxima[this.head] = this.current;
      this.head = (this.head + 1) % this.blocks;
      if (this.filled < this.blocks) this.filled++;
      this.inBlock = 0;
      this.recompute();
    }
  }

  /** Second-largest block maximum (largest while fewer than two blocks exist); 0 when empty. */
  reference(): number {
    const n = this.filled + (this.inBlock > 0 ? 1 : 0);
    if (n === 0) return 0;
    if (this.inBlock === 0) return this.filled >= 2 ? this.top2 : this.top1;
    const c = this.current;
    if (this.filled === 0) return c;
    if (this.filled === 1) return Math.min(c, this.top1);
    return c >= this.top1 ? this.top1 : c > this.top2 ? c : this.top2;
  }

  private recompute(): void {
    let a = -Infinity;
    let b = -Infinity;
    for (let k = 0; k < this.filled; k++) {
      const x = this.maxima[k];
      if (x > a) {
        b = a;
        a = x;
      } else if (x > b) b = x;
    }
    this.top1 = a;
    this.top2 = this.filled >= 2 ? b : a;
  }

  snapshot(): BlockMaxState {
    const b: number[] = [];
    for (let k = 0; k < this.filled; k++) b.push(this.maxima[(this.head - this.filled + k + this.blocks) % this.blocks]);
    return { b, c: this.current, i: this.inBlock };
  }

  static restore(st: BlockMaxState, blockPoints = 64, blocks = 32): BlockMax {
    const m = new BlockMax(blockPoints, blocks);
    const b = st.b.slice(-blocks);
    for (let k = 0; k < b.length; k++) m.maxima[k] = b[k];
    m.filled = b.length;
    m.head = b.length % blocks;
    m.current = st.c;
    m.inBlock = Math.min(st.i, blockPoints - 1);
    m.recompute();
    return m;
  }
}
