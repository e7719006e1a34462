import { describe, expect, it } from 'vitest';
import { asTheDetectorSeesThem } from '../../../pipeline/replay-command.js';

describe('replay: the points the detector stage scores', () => {
  it('keeps the first point read for a timestamp and drops points older than one already kept', () => {
    const read: Array<[number, number]> = [
      [1000, 1],
      [2000, 2],
      [2000, 99], // a second record with the same timestamp: the stage keeps the first
      [3000, 3],
      [2500, 50], // late: the stage has moved past it
      [1000, 1], // a redelivered record repeats a point
      [4000, 4],
    ];
    expect(asTheDetectorSeesThem(read)).toEqual([
      [1000, 1],
      [2000, 2],
      [3000, 3],
      [4000, 4],
    ]);
    expect(asTheDetectorSeesThem([])).toEqual([]);
  });
});
