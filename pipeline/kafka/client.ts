import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config.js';
import { SeismoError } from '../errors.js';

/** A kafkajs client whose logs go to the injected pino logger. */
export function createKafka(cfg: KafkaConfig, logger: Logger, clientSuffix = ''): Kafka {
  const log = logger.child({ component: 'kafka' });
  return new Kafka({
    clientId: clientSuffix ? `${cfg.clientId}-${clientSuffix}` : cfg.clientId,
    brokers: cfg.brokers,
    connectionTimeout: cfg.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      const fields = { namespace: entry.namespace, ...extra };
      if (entry.level <= logLevel.ERROR) log.error(fields, message);
      else if (entry.level === logLevel.WARN) log.warn(fields, message);
      else log.debug(fields, message);
    },
  });
}

/** Topic specs of seismo's five topics, from configuration. */
export function topicSpecs(cfg: KafkaConfig): ITopicConfig[] {
  const base = { numPartitions: cfg.partitions, replicationFactor: cfg.replicationFactor };
  const retentionMs = String(Math.round(cfg.samplesRetentionHours * 3600_000));
  return [
    { topic: cfg.topics.samples, ...base, configEntries: [{ name: 'retention.ms', value: retentionMs }] },
    { topic: cfg.topics.features, ...base },
    { topic: cfg.topics.alerts, ...base },
    { topic: cfg.topics.dlq, ...base },
    // One snapshot is one record; a long season can make it large.
    {
      topic: cfg.topics.state,
      ...base,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'max.message.bytes', value: String(16 * 1024 * 1024) },
      ],
    },
  ];
}

/** Creates the configured topics that do not exist yet; returns the names created. */
export async function ensureTopics(admin: Admin, cfg: KafkaConfig): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicSpecs(cfg).filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (err) {
    // Another worker may have created them concurrently; only fail if they are still missing.
    const now = new Set(await admin.listTopics());
    const still = missing.filter((t) => !now.has(t.topic));
    if (still.length) throw new SeismoError(`cannot create Kafka topics ${still.map((t) => t.topic).join(', ')}`, { retriable: true, cause: err });
  }
  return missing.map((t) => t.topic);
}
