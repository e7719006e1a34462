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
  private staged: Alert[] = [];

  constructor(
    private readonly handler: AlertHandler,
    private readonly onAlerts?: (alerts: Alert[]) => void,
  ) {}

  process(items: Alert[]): Promise<void> {
    for (const a of items) this.staged.push(a);
    return Promise.resolve();
  }

  async flush(): Promise<void> {
    if (this.staged.length === 0) return;
    await this.handler.handle(this.staged);
    this.onAlerts?.(this.staged);
    this.staged = [];
  }

  abandon(): Promise<void> {
    this.staged = [];
    return Promise.resolve();
  }

  assigned(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
