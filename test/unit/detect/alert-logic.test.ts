import { describe, expect, it } from 'vitest';
import { createAlertLogic } from '../../../detect/alert-logic.js';
import { detectConfig } from '../../../detect/config.js';

function run(cfg: Parameters<typeof detectConfig>[0], scores: number[], warm: boolean[] | boolean = true) {
  const logic = createAlertLogic(detectConfig(cfg));
  return scores.map((s, i) => logic.update(s, Array.isArray(warm) ? warm[i] : warm));
}

describe('alert logic', () => {
  it('opens on the first point at threshold with minConsecutive 1, once', () => {
    const t = run({ threshold: 0.9, resolveThreshold: 0.6, resolveAfter: 2 }, [0.1, 0.95, 0.97, 0.99]);
    expect(t).toEqual([null, 'open', null, null]);
  });

  it('needs minConsecutive points in a row', () => {
    const t = run({ threshold: 0.9, minConsecutive: 3 }, [0.95, 0.95, 0.1, 0.95, 0.95, 0.95, 0.95]);
    expect(t).toEqual([null, null, null, null, null, 'open', null]);
  });

  it('uses hysteresis: scores between resolveThreshold and threshold keep the alert open', () => {
    const t = run({ threshold: 0.9, resolveThreshold: 0.5, resolveAfter: 2 }, [0.95, 0.7, 0.7, 0.7, 0.4, 0.4]);
    expect(t).toEqual(['open', null, null, null, null, 'resolve']);
  });

  it('keeps an alert open while the undamped score (hold) is still high, whatever the damped score', () => {
    const logic = createAlertLogic(detectConfig({ threshold: 0.9, resolveThreshold: 0.5, resolveAfter: 2 }));
    const t = [logic.update(0.95, true, 0.95), logic.update(0.1, true, 0.9), logic.update(0.1, true, 0.9), logic.update(0.1, true, 0.9), logic.update(0.1, true, 0.2), logic.update(0.1, true, 0.2)];
    expect(t).toEqual(['open', null, null, null, null, 'resolve']);
  });

  it('resolves only after resolveAfter consecutive normal points', () => {
    const t = run({ threshold: 0.9, resolveThreshold: 0.5, resolveAfter: 3 }, [0.95, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1]);
    expect(t).toEqual(['open', null, null, null, null, null, 'resolve']);
  });

  it('holds new alerts back during the cooldown after a resolve', () => {
    const t = run({ threshold: 0.9, resolveThreshold: 0.5, resolveAfter: 1, cooldownPoints: 2 }, [0.95, 0.1, 0.95, 0.95, 0.95]);
    expect(t).toEqual(['open', 'resolve', null, null, 'open']);
  });

  it('never opens while the model is warming up', () => {
    const t = run({ threshold: 0.9 }, [0.99, 0.99, 0.99, 0.99], [false, false, false, true]);
    expect(t).toEqual([null, null, null, 'open']);
  });

  it('continues from a snapshot', () => {
    const cfg = detectConfig({ threshold: 0.9, resolveThreshold: 0.5, resolveAfter: 2 });
    const a = createAlertLogic(cfg);
    a.update(0.95, true);
    a.update(0.1, true);
    const b = createAlertLogic(cfg, JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.isOpen).toBe(true);
    expect(b.update(0.1, true)).toBe('resolve');
    expect(a.update(0.1, true)).toBe('resolve');
    expect(() => createAlertLogic(cfg, { open: 'yes' })).toThrow(/cannot restore/);
  });
});
