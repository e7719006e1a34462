/**
 * What a stage needs from a time-series sink (InfluxDB): `write` resolves once buffered (and waits
 * while the buffer is full), `flush` once everything written so far is durable.
 */
export interface PointSink<P> {
  write(points: P[]): Promise<void>;
  flush(): Promise<void>;
}

/** A sink and the function that turns a stage's output into its points. */
export interface PointOutput<T, P = unknown> {
  sink: PointSink<P>;
  toPoints(item: T): P[];
}

/** Writes the points of `items` (if an output is configured). */
export async function writePoints<T, P>(out: PointOutput<T, P> | undefined, items: T[]): Promise<void> {
  if (!out || items.length === 0) return;
  const points: P[] = [];
  for (const it of items) for (const p of out.toPoints(it)) points.push(p);
  await out.sink.write(points);
}
