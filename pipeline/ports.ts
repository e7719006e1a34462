import type { Sample, SeriesRef } from '../ingest/sample.js';

/**
 * Where a stage sends what it produced. `emit` resolves once the items are accepted downstream
 * (in a bounded channel, or acknowledged by Kafka); a slow consumer therefore slows the producer.
 */
export interface Emitter<T> {
  emit(items: T[]): Promise<void>;
}

/** A rejected input and why; goes to the dead-letter topic (or the embedded DLQ buffer). */
export interface DeadLetter {
  /** Component that rejected it, e.g. `ingest.prometheus`, `features`. */
  stage: string;
  reason: string;
  /** The offending input, as received (truncated by the writer if huge). */
  payload: unknown;
  /** Epoch ms. */
  ts: number;
}

export interface DeadLetterSink {
  deadLetter(entries: DeadLetter[]): Promise<void>;
}

/** Rolling features of one series at one sample, produced by the processor role. */
export interface FeatureRecord {
  id: string;
  series: SeriesRef;
  ts: number;
  value: number;
  /** Points in the window (≤ windowSize). */
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  ewma: number;
}

/** A firing or resolved alert, as DESIGN.md fixes it. */
export interface Alert {
  /** Unique per notification: dedupKey + state + ts. */
  id: string;
  /** Same for the firing and the resolution of one episode of one series. */
  dedupKey: string;
  series: SeriesRef & { id: string };
  ts: number;
  value: number;
  expected: { lo: number | null; hi: number | null };
  score: number;
  detector: string;
  severity: 'critical' | 'warning' | 'info';
  state: 'firing' | 'resolved';
  explanation: string;
}

export type { Sample };
