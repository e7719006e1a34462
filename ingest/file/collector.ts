import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { Lifecycle } from '../../pipeline/component.js';
import { errorMessage } from '../../pipeline/errors.js';
import { sleep } from '../../pipeline/retry.js';
import { seriesId, type Sample, type SeriesRef } from '../sample.js';
import type { Collector, SourceIO } from '../collector.js';
import type { FileSourceConfig } from './config.js';
import { parseNabCsv, type CsvRow } from './csv.js';

interface SeriesFile {
  path: string;
  series: SeriesRef;
}

/** Finds the CSV files of the source: the file itself, or `*.csv` under the directory, sorted. */
export async function listSeriesFiles(path: string): Promise<SeriesFile[]> {
  const st = await stat(path);
  if (st.isFile()) {
    const name = basename(path).replace(/\.csv$/i, '');
    return [{ path, series: { source: 'file', name, labels: { file: basename(path) } } }];
  }
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.csv$/i.test(e.name)) found.push(p);
    }
  };
  await walk(path);
  found.sort();
  return found.map((p) => {
    const rel = relative(path, p).split(sep).join('/');
    return { path: p, series: { source: 'file', name: rel.replace(/\.csv$/i, ''), labels: { file: rel } } };
  });
}

/**
 * Replays CSV files as samples: every file concurrently, in batches (or paced at rowsPerSecond per
 * file), each batch emitted only after the previous one was accepted. Bad rows go to the dead-letter
 * sink. `done` resolves when every row was emitted (never, when looping, until stop()).
 */
export class FileCollector extends Lifecycle implements Collector {
  readonly name: string;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  private readonly abort = new AbortController();
  private replay: Promise<void> | null = null;

  constructor(
    private readonly io: SourceIO,
    private readonly cfg: FileSourceConfig,
  ) {
    super();
    this.name = `ingest.file.${cfg.name}`;
    // A replay is historic data by nature (with `now`, a file spanning months still starts months
    // ago): the live-source age limit does not apply; the future limit still does.
    io.limits = { ...io.limits, maxAgeMs: Number.MAX_SAFE_INTEGER };
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  protected async doStart(): Promise<void> {
    this.replay = this.replayAll(this.cfg.loop).then(
      () => this.resolveDone(),
      (err: unknown) => {
        if (this.abort.signal.aborted) return this.resolveDone();
        this.io.metrics.errors.inc({ type: err instanceof Error ? err.name : 'unknown' });
        this.io.metrics.sourceErrors.inc({ source: this.cfg.name, type: 'replay' });
        this.io.logger.error({ err: errorMessage(err), path: this.cfg.path }, 'file replay failed');
        this.rejectDone(err);
      },
    );
  }

  async runOnce(): Promise<void> {
    await this.replayAll(false);
  }

  protected async doStop(): Promise<void> {
    this.abort.abort(new Error('stopped'));
    await this.replay;
    this.resolveDone();
  }

  private async replayAll(loop: boolean): Promise<void> {
    const files = await listSeriesFiles(this.cfg.path);
    if (files.length === 0) throw new Error(`no .csv files under ${this.cfg.path}`);
    await Promise.all(files.map((f) => this.replayFile(f, loop)));
  }

  private async replayFile(file: SeriesFile, loop: boolean): Promise<void> {
    const text = await readFile(file.path, 'utf8');
    const { rows, problems } = parseNabCsv(text);
    const query = file.series.name;
    await this.io.reject(
      query,
      problems.map((p) => ({ reason: `${file.series.labels.file}:${p.line}: ${p.reason}`, payload: { file: file.series.labels.file, line: p.line, text: p.text.slice(0, 1000) } })),
    );
    if (rows.length === 0) return;
    let lastEmitted = -Infinity;
    do {
      const offset = this.offsetFor(rows, lastEmitted);
      lastEmitted = rows[rows.length - 1].ts + offset;
      await this.emitRows(file, rows, offset);
    } while (loop && !this.abort.signal.aborted);
  }

  /** Shift applied to the file's timestamps; later passes of a loop continue after the previous one. */
  private offsetFor(rows: CsvRow[], lastEmitted: number): number {
    if (this.cfg.timestamps === 'original' && lastEmitted === -Infinity) return 0;
    const first = rows[0].ts;
    const last = rows[rows.length - 1].ts;
    const step = rows.length > 1 ? Math.max(1, Math.round((last - first) / (rows.length - 1))) : 1000;
    const toNow = this.cfg.timestamps === 'now' ? this.io.now() - last : 0;
    return Math.max(toNow, lastEmitted === -Infinity ? -Infinity : lastEmitted + step - first);
  }

  private async emitRows(file: SeriesFile, rows: CsvRow[], offset: number): Promise<void> {
    const query = file.series.name;
    const rate = this.cfg.rowsPerSecond;
    const batch = rate > 0 ? Math.max(1, Math.ceil(rate / 10)) : this.cfg.batchSize;
    const id = seriesId(file.series);
    const started = Date.now();
    for (let i = 0; i < rows.length; i += batch) {
      if (this.abort.signal.aborted) return;
      if (rate > 0) {
        const dueAt = started + (i / rate) * 1000;
        const wait = dueAt - Date.now();
        if (wait > 0) await sleep(wait, this.abort.signal).catch(() => undefined);
        if (this.abort.signal.aborted) return;
      }
      const slice = rows.slice(i, i + batch).map((r): Sample => ({ series: file.series, id, ts: r.ts + offset, value: r.value }));
      await this.io.emit(query, slice);
      // An emitter that accepts synchronously would otherwise starve timers and I/O.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
