import { describe, expect, it } from 'vitest';
import { deliveryBackoffMs } from '../../../sinks/alerting/backoff.js';
import { SeismoError } from '../../../pipeline/errors.js';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('delivery backoff', () => {
  it('grows exponentially with full jitter between half and all of the ceiling', () => {
    expect(deliveryBackoffMs(1, new Error('x'), policy, () => 0)).toBe(500);
    expect(deliveryBackoffMs(1, new Error('x'), policy, () => 0.999999)).toBe(999);
    expect(deliveryBackoffMs(4, new Error('x'), policy, () => 0)).toBe(4000);
    expect(deliveryBackoffMs(4, new Error('x'), policy, () => 0.999999)).toBe(7999);
  });

  it('is capped', () => {
    expect(deliveryBackoffMs(30, new Error('x'), policy, () => 0.999999)).toBeLessThanOrEqual(60_000);
    expect(deliveryBackoffMs(30, new Error('x'), policy, () => 0)).toBe(30_000);
  });

  it("honours the server's Retry-After, capped too", () => {
    expect(deliveryBackoffMs(1, new SeismoError('429', { retriable: true, retryAfterMs: 7000 }), policy)).toBe(7000);
    expect(deliveryBackoffMs(5, new SeismoError('429', { retriable: true, retryAfterMs: 0 }), policy)).toBe(0);
    expect(deliveryBackoffMs(1, new SeismoError('429', { retriable: true, retryAfterMs: 3_600_000 }), policy)).toBe(60_000);
  });
});
