import { loadConfigFile } from './load.js';
import { ConfigError } from '../pipeline/errors.js';

/** `seismo config check FILE`: 0 when valid, 2 with one line per problem otherwise. */
export function checkConfigCommand(file: string, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  try {
    const cfg = loadConfigFile(file);
    const mode = cfg.kafka ? `kafka (${cfg.kafka.brokers.join(', ')})` : 'embedded (in-process channels)';
    out.write(`${file}: ok — transport ${mode}, ${cfg.sources.length} source(s), ${cfg.alerting.receivers.length} receiver(s)\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.problems) err.write(`${line}\n`);
      return 2;
    }
    throw e;
  }
}
