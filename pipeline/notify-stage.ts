import type { Alert } from './ports.js';
import type { StageWorker } from './transport.js';

/** What the notifier role needs from the alert delivery component. */
export interface AlertHandler {
  /** Resolves once the alerts are durably enqueued for delivery (or delivered in-process). */
  handle(alerts: Alert[]): Promise<void>;
}

/**
 * The notifier stage: hands alerts to the notifier; offsets move on only once they are enqueued
 * (BullMQ in Redis) or delivered. Stateless: nothing to snapshot.
 */
export class NotifyStage implements StageWorker<Alert> {
  readonly name = 'notify';
  private readonly staged = new Map<number, Alert[]>();

  constructor(
    private readonly handler: AlertHandler,
    private readonly onAlerts?: (alerts: Alert[]) => void,
  ) {}

  process(items: Alert[], partition: number): Promise<void> {
    const list = this.staged.get(partition);
    if (list) list.push(...items);
    else this.staged.set(partition, [...items]);
    return Promise.resolve();
  }

  async flush(partition: number): Promise<void> {
    const list = this.staged.get(partition);
    if (!list?.length) return;
    await this.handler.handle(list);
    this.onAlerts?.(list);
    this.staged.delete(partition);
  }

  abandon(partition: number): Promise<void> {
    this.staged.delete(partition);
    return Promise.resolve();
  }

  assigned(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
