import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** What every long-lived part gets at construction. Nothing global: logger and registry are injected. */
export interface Context {
  logger: Logger;
  registry: Registry;
  /** Aborted when the process is shutting down. */
  signal: AbortSignal;
}

/**
 * The lifecycle of every long-lived part. `stop()` is safe before `start()` and safe twice; it
 * flushes what the component buffers and waits for work in flight.
 */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Helper that gives a component the idempotent start/stop contract: subclasses implement
 * `doStart`/`doStop`; the closing promise is kept and returned to every caller of `stop()`.
 */
export abstract class Lifecycle implements Component {
  abstract readonly name: string;
  private started: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  protected abstract doStart(): Promise<void>;
  protected abstract doStop(): Promise<void>;

  get running(): boolean {
    return this.started !== null && this.stopping === null;
  }

  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error(`${this.name}: start() after stop()`));
    this.started ??= this.doStart();
    return this.started;
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      const started = this.started;
      this.stopping = started ? started.catch(() => undefined).then(() => this.doStop()) : Promise.resolve();
    }
    return this.stopping;
  }
}
