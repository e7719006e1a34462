/**
 * Throughput of `seismo validate` in one process: reading the corpus, the full per-series model
 * and alert logic, and the scoring (NAB alert column and sweep, events, forecast), run `--repeat`
 * times; the first run is cold (JIT, file cache), later ones warm.
 *
 *   npm run -s build && node dist/bench/validate.js [--data DIR] [--labels FILE] [--repeat N]
 *
 * Prints one JSON object per run: rows, seconds, rows/s, nab.standard.
 */
import { runValidation } from '../detect/validate/command.js';
import { arg } from './args.js';

const data = arg('data', '../shared/data/nab/data');
const labels = arg('labels', '../shared/data/nab/labels/combined_windows.json');
const repeat = Number(arg('repeat', '3'));
const quiet = { stdout: () => undefined, stderr: () => undefined };
for (let run = 1; run <= repeat; run++) {
  const { result } = await runValidation({ data, labels }, quiet);
  process.stdout.write(
    `${JSON.stringify({ run, rows: result.rows, seconds: Number(result.seconds.toFixed(3)), rows_per_second: result.rows_per_second, nab_standard: result.nab.standard })}\n`,
  );
}
