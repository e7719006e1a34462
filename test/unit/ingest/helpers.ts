import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Context } from '../../../pipeline/component.js';
import type { DeadLetter, DeadLetterSink, Emitter } from '../../../pipeline/ports.js';
import type { Sample } from '../../../ingest/sample.js';

export function testContext(): Context & { abort: AbortController } {
  const abort = new AbortController();
  return { logger: pino({ level: 'silent' }), registry: new Registry(), signal: abort.signal, abort };
}

/** Collects what was emitted; `gate` (when set) makes emit() wait, to exercise backpressure. */
export class CaptureEmitter implements Emitter<Sample> {
  readonly samples: Sample[] = [];
  batches = 0;
  gate: Promise<void> | null = null;
  async emit(items: Sample[]): Promise<void> {
    if (this.gate) await this.gate;
    this.batches++;
    this.samples.push(...items);
  }
}

export class CaptureDlq implements DeadLetterSink {
  readonly entries: DeadLetter[] = [];
  async deadLetter(entries: DeadLetter[]): Promise<void> {
    this.entries.push(...entries);
  }
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return NaN;
  const data = await metric.get();
  return data.values
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
