#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from '../config/schema.js';
import { ConfigError, errorMessage } from '../pipeline/errors.js';

function intArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, found ${value}`);
  return n;
}

const program = new Command();
program.name('seismo').description('Streaming telemetry anomaly detection').version('0.1.0').showHelpAfterError();

program
  .command('start')
  .description('run the service (no --config: everything embedded, host metrics, http://127.0.0.1:8080)')
  .option('-c, --config <file>', 'configuration file (YAML)')
  .option('-r, --role <role>', `role to run: ${ROLES.join('|')}`, 'all')
  .option('--http-port <port>', 'port of this process\'s HTTP server (overrides api.port; the worker roles serve /healthz, /readyz and /metrics there)')
  .action(async (opts: { config?: string; role: string; httpPort?: string }) => {
    if (!(ROLES as readonly string[]).includes(opts.role)) {
      throw new ConfigError([`--role: found ${JSON.stringify(opts.role)}; allowed: ${ROLES.join(', ')}`]);
    }
    let httpPort: number | undefined;
    if (opts.httpPort !== undefined) {
      httpPort = Number(opts.httpPort);
      if (!/^\d+$/.test(opts.httpPort) || httpPort > 65535) {
        throw new ConfigError([`--http-port: found ${JSON.stringify(opts.httpPort)}; allowed: an integer from 0 to 65535 (0 picks a free port)`]);
      }
    }
    const { runService } = await import('../pipeline/service.js');
    await runService({ configFile: opts.config, role: opts.role as Role, httpPort });
  });

const config = program.command('config').description('configuration tools');
config
  .command('check <file>')
  .description('validate a configuration file; exit 2 with one line per problem')
  .action(async (file: string) => {
    const { checkConfigCommand } = await import('../config/check.js');
    process.exitCode = checkConfigCommand(file);
  });

program
  .command('validate')
  .description('run the configured detectors over labelled CSV series and score them (NAB, events, forecast)')
  .requiredOption('--data <dir>', 'directory of <category>/<name>.csv files')
  .requiredOption('--labels <file>', "label windows (NAB's combined_windows.json)")
  .option('--config <file>', 'configuration file (detector settings)')
  .option('--model <file>', 'trained combiner model (JSON)')
  .option('--out <dir>', 'write per-file scored CSVs here')
  .option('--cv <k>', 'cross-validate the learned combiner by file with K folds', intArg)
  .option('--report <dir>', 'write an HTML report here')
  .option('--json', 'print one JSON object with the results')
  .action(async (opts: Record<string, unknown>) => {
    const { validateCommand } = await import('../detect/validate/command.js');
    process.exitCode = await validateCommand(opts);
  });

program
  .command('train')
  .description('train a versioned detector model file from labelled series')
  .requiredOption('--data <dir>', 'directory of <category>/<name>.csv files')
  .requiredOption('--labels <file>', "label windows (NAB's combined_windows.json)")
  .requiredOption('--out <file>', 'model file to write')
  .option('--config <file>', 'configuration file (detector settings)')
  .option('--folds <k>', 'folds of the by-file cross-validation behind the recorded validation metrics (default 5)', intArg)
  .option('--json', 'print one JSON object with the training set and validation metrics')
  .action(async (opts: Record<string, unknown>) => {
    const { trainCommand } = await import('../detect/train/command.js');
    process.exitCode = await trainCommand(opts);
  });

program
  .command('collect')
  .description('run the configured collectors and write samples as NDJSON')
  .requiredOption('-c, --config <file>', 'configuration file')
  .option('--once', 'collect once and exit', false)
  .option('--since <duration>', 'how far back to read, e.g. 15m, 2h, 1d')
  .option('--out <file>', 'output file, or - for stdout', '-')
  .action(async (opts: Record<string, unknown>) => {
    const { collectCommand } = await import('../ingest/collect-command.js');
    process.exitCode = await collectCommand(opts);
  });

const alerts = program.command('alerts').description('alert delivery tools');
alerts
  .command('test')
  .description('send a test notification to a receiver')
  .requiredOption('--receiver <name>', 'receiver name from the configuration')
  .option('-c, --config <file>', 'configuration file')
  .action(async (opts: Record<string, unknown>) => {
    const { alertsTestCommand } = await import('../sinks/alerting/command.js');
    process.exitCode = await alertsTestCommand(opts);
  });
alerts
  .command('failed')
  .description('list deliveries that ran out of retries')
  .option('-c, --config <file>', 'configuration file')
  .option('--json', 'print JSON')
  .action(async (opts: Record<string, unknown>) => {
    const { alertsFailedCommand } = await import('../sinks/alerting/command.js');
    process.exitCode = await alertsFailedCommand(opts);
  });
alerts
  .command('retry')
  .description('re-drive deliveries that ran out of retries')
  .option('-c, --config <file>', 'configuration file')
  .option('--receiver <name>', 'only this receiver')
  .action(async (opts: Record<string, unknown>) => {
    const { alertsRetryCommand } = await import('../sinks/alerting/command.js');
    process.exitCode = await alertsRetryCommand(opts);
  });

program
  .command('replay')
  .description('evaluate detectors over a historical Kafka topic range without touching live alerting')
  .requiredOption('--topic <topic>', 'samples topic to read')
  .requiredOption('--from <time>', 'start (ISO time or epoch ms)')
  .requiredOption('--to <time>', 'end (ISO time or epoch ms)')
  .option('-c, --config <file>', 'configuration file (Kafka, detector settings)')
  .option('--labels <file>', 'label windows to score against')
  .option('--out <dir>', 'write per-series scored CSVs here')
  .option('--json', 'print one JSON object with the results')
  .action(async (opts: Record<string, unknown>) => {
    const { replayCommand } = await import('../pipeline/replay-command.js');
    process.exitCode = await replayCommand(opts);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    for (const line of err.problems) process.stderr.write(`${line}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`seismo: ${errorMessage(err)}\n`);
  process.exitCode = 1;
});
