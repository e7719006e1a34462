import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Context } from '../../../pipeline/component.js';

export function testContext(): Context {
  return { logger: pino({ level: 'silent' }), registry: new Registry(), signal: new AbortController().signal };
}

export async function metricValue(ctx: Context, name: string): Promise<number> {
  const m = ctx.registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const v = await m.get();
  return v.values.reduce((s, x) => s + x.value, 0);
}
