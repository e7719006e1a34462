import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { SeismoError } from '../errors.js';

/** Offsets `[start, end)` per partition of a topic covering record timestamps `[fromMs, toMs]`. */
export async function offsetRange(kafka: Kafka, topic: string, fromMs: number, toMs: number): Promise<Array<{ partition: number; start: bigint; end: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) throw new SeismoError(`topic ${topic} does not exist`);
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, fromMs);
    const ends = await admin.fetchTopicOffsetsByTimestamp(topic, toMs + 1);
    const highs = await admin.fetchTopicOffsets(topic);
    return starts.map((s) => {
      const high = BigInt(highs.find((h) => h.partition === s.partition)?.high ?? '0');
      // An offset of -1 means "no record at or after that time": the end of the partition.
      const norm = (o: string | undefined): bigint => (o === undefined || o === '-1' ? high : BigInt(o));
      return { partition: s.partition, start: norm(s.offset), end: norm(ends.find((e) => e.partition === s.partition)?.offset) };
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the records of `topic` between the given offsets with a throwaway consumer group that
 * never commits and is deleted afterwards, so nothing of the live consumer groups moves.
 * `onRecord` gets each record's value in partition order.
 */
export async function readRange(
  kafka: Kafka,
  topic: string,
  ranges: Array<{ partition: number; start: bigint; end: bigint }>,
  groupPrefix: string,
  onRecord: (value: Buffer | null, partition: number) => void,
  timeoutMs = 120_000,
): Promise<number> {
  const todo = ranges.filter((r) => r.end > r.start);
  if (todo.length === 0) return 0;
  const groupId = `${groupPrefix}-replay-${randomUUID().slice(0, 8)}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const remaining = new Map(todo.map((r) => [r.partition, r]));
  let count = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const r = remaining.get(batch.partition);
        if (!r) return;
        for (const m of batch.messages) {
          const off = BigInt(m.offset);
          if (off < r.start) continue;
          if (off >= r.end) break;
          onRecord(m.value, batch.partition);
          count++;
        }
        if (BigInt(batch.lastOffset()) + 1n >= r.end) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        }
      },
    });
    for (const r of todo) consumer.seek({ topic, partition: r.partition, offset: r.start.toString() });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SeismoError(`replay: reading ${topic} did not finish within ${timeoutMs} ms`, { retriable: true })), timeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return count;
}
