import { describe, expect, it } from 'vitest';
import { BoundedChannel } from '../../../pipeline/channel.js';
import { channelEmitter } from '../../../pipeline/embedded.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('bounded channel backpressure', () => {
  it('an emitter into a full channel waits until the receiver takes items', async () => {
    const ch = new BoundedChannel<number>(3);
    const emit = channelEmitter(ch);
    let done = false;
    const p = emit.emit([1, 2, 3, 4, 5]).then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    expect(ch.depth).toBe(3);
    expect(await ch.receive(2)).toEqual([1, 2]);
    await tick();
    expect(ch.depth).toBe(3);
    expect(done).toBe(true);
    await p;
    expect(await ch.receive(10)).toEqual([3, 4, 5]);
  });

  it('abort drops what is queued, fails waiting senders and ends the receiver', async () => {
    const ch = new BoundedChannel<number>(2);
    await ch.sendAll([1, 2]);
    const waiting = ch.send(3);
    expect(ch.abort()).toBe(2);
    await expect(waiting).rejects.toThrow(/channel closed/);
    expect(await ch.receive()).toEqual([]);
    expect(ch.abort()).toBe(0);
  });

  it('close lets the receiver drain, then ends; a send after close fails', async () => {
    const ch = new BoundedChannel<string>(10);
    await ch.send('a');
    ch.close();
    expect(await ch.receive()).toEqual(['a']);
    expect(await ch.receive()).toEqual([]);
    await expect(ch.send('b')).rejects.toThrow(/closed/);
  });

  it('memory stays bounded with a slow consumer', async () => {
    const ch = new BoundedChannel<number>(100);
    let maxDepth = 0;
    const producer = (async () => {
      for (let i = 0; i < 5000; i++) {
        await ch.send(i);
        maxDepth = Math.max(maxDepth, ch.depth);
      }
      ch.close();
    })();
    let got = 0;
    for (;;) {
      const items = await ch.receive(7);
      if (items.length === 0) break;
      got += items.length;
      if (got % 700 === 0) await tick();
    }
    await producer;
    expect(got).toBe(5000);
    expect(maxDepth).toBeLessThanOrEqual(100);
  });
});
