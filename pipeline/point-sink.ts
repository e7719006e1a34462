/**
 * What a stage needs from a time-series sink (InfluxDB): `write` resolves once buffered (and waits
 * while the buffer is full), `flush` once everything written so far is durable. A stage that
 * works on several partitions at once passes the partition as `key`: a sink that tracks keys
 * (a shared writer's scope) then makes `flush(key)` wait for, and fail with, exactly the points
 * written under that key, so one partition's flush neither takes over nor hides another's.
 */
export interface PointSink<P> {
  write(points: P[], key?: number): Promise<void>;
  flush(key?: number): Promise<void>;
}

/** A sink and the function that turns a stage's output into its points. */
export interface PointOutput<T, P = unknown> {
  sink: PointSink<P>;
  toPoints(item: T): P[];
}

/** Writes the points of `items` (if an output is configured), under `key` (see PointSink). */
export async function writePoints<T, P>(out: PointOutput<T, P> | undefined, items: T[], key?: number): Promise<void> {
  if (!out || items.length === 0) return;
  const points: P[] = [];
  for (const it of items) for (const p of out.toPoints(it)) points.push(p);
  await out.sink.write(points, key);
}
