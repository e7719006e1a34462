import type { Component } from './component.js';
import type { Emitter } from './ports.js';

/**
 * A stateful stage (processor, detector, notifier) as the transports drive it. The same object runs
 * behind a Kafka consumer group or an in-process channel.
 *
 * Contract per batch: `process` computes and stages outputs (it must not lose them if it returns);
 * `flush(partition)` makes that partition's staged outputs durable downstream (producer acks, sink
 * flushes, due state snapshots) and may be retried; only after it resolves does the transport
 * commit the partition's offsets. Different partitions may be in flight concurrently (their series
 * are disjoint); one partition is never processed concurrently with itself.
 * If a batch is given up, `abandon` drops the in-memory state of that partition so it is restored
 * from the last snapshot when the records are redelivered.
 */
export interface StageWorker<T> {
  readonly name: string;
  process(items: T[], partition: number): Promise<void>;
  flush(partition: number): Promise<void>;
  abandon(partition: number): Promise<void>;
  /** The partitions this worker owns after a rebalance (all of them: embedded passes [0]). */
  assigned(partitions: number[]): Promise<void>;
  /** Snapshots everything still held; called before the consumer leaves. */
  close(): Promise<void>;
}

/** Drives a {@link StageWorker} from some input until stopped. */
export type StageInput = Component;

/** Emitter that fans out to several emitters (e.g. the features topic and a local observer). */
export function teeEmitter<T>(...targets: Emitter<T>[]): Emitter<T> {
  return { emit: async (items) => void (await Promise.all(targets.map((t) => t.emit(items)))) };
}
