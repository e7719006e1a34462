import type { Alert } from '../../pipeline/ports.js';

/** The group an alert joins at one receiver. */
export interface GroupTarget {
  key: string;
  labels: Record<string, string>;
  /** groupWaitMs of the route. */
  waitMs: number;
}

export interface AddResult {
  duplicates: number;
  dropped: number;
}

/** Removes alerts silenced since they were accepted (and counts them); called just before delivery. */
export type Recheck = (alerts: Alert[]) => Promise<Alert[]>;

/**
 * How accepted alerts reach receivers: BullMQ over Redis ({@link QueueTransport}) or in-process
 * ({@link InlineTransport}). `add*` resolve once the alerts are accepted (durably, for BullMQ) and
 * say how many were duplicates of already-accepted ones and how many were dropped because the
 * receiver's queue was full (`whenFull: drop`).
 */
export interface DeliveryTransport {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Abrupt stop: in-flight deliveries are abandoned (BullMQ hands them to another notifier). */
  kill(): Promise<void>;
  addSingles(receiver: string, alerts: Alert[]): Promise<AddResult>;
  addGrouped(receiver: string, items: Array<{ alert: Alert; group: GroupTarget }>): Promise<AddResult>;
}
