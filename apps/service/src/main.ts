// The `connectors` command line: the daemon and the tools around it.
import { Command, CommanderError, Option } from 'commander';

// node:sqlite (the embedded store) is stable enough for us but still flagged experimental on Node 22: keep
// that one notice off the user's terminal, print every other warning as Node would.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
import { EXIT } from './cli/exit-codes.js';
import { reportError } from './cli/report-error.js';

const program = new Command('connectors')
  .description(
    'Sync OneDrive, Outlook and Dropbox into Elasticsearch (managed from Kibana) or an embedded store.',
  )
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

const configOption = () => new Option('-c, --config <file>', 'path of config.yml').default('config.yml');
const logLevelOption = () =>
  new Option('--log-level <level>', 'log level (overrides service.log_level)').choices([
    'trace',
    'debug',
    'info',
    'warn',
    'error',
    'silent',
  ]);

let exitCode: number = EXIT.ok;
const run =
  <A extends unknown[]>(load: () => Promise<(...args: A) => Promise<number>>) =>
  async (...args: A) => {
    const command = await load();
    exitCode = await command(...args);
  };

program
  .command('run')
  .description('run the daemon: schedule, run and clean up sync jobs until SIGTERM/SIGINT')
  .addOption(configOption())
  .addOption(logLevelOption())
  .action(run(async () => (await import('./cli/run.js')).runCommand));

program
  .command('sync')
  .description('run one sync job of a connector now and wait for it')
  .addOption(configOption())
  .requiredOption('--connector <id>', 'connector id')
  .addOption(
    new Option('--job <type>', 'job type').choices(['full', 'incremental', 'access_control']).default('full'),
  )
  .option('--json', 'print one final JSON object instead of progress')
  .addOption(logLevelOption())
  .action(run(async () => (await import('./cli/sync.js')).syncCommand));

program
  .command('search')
  .description('search a connector’s documents in the embedded store, with document-level security')
  .addOption(configOption())
  .requiredOption('--connector <id>', 'connector id')
  .option('--user <principal>', 'search as this identity (DLS applied); without it, no DLS filter')
  .option('--limit <n>', 'hits to show', (value) => Number.parseInt(value, 10), 10)
  .option('--json', 'print the result as JSON')
  .argument('<query...>', 'search terms')
  .action(run(async () => (await import('./cli/search.js')).searchCommand));

program
  .command('simulate')
  .description('start a simulated tenant of a source and print how to point a connector at it')
  .argument('<source>', 'dropbox')
  .option('--size <size>', 'small, medium, large or a number of files', 'small')
  .option('--seed <seed>', 'seed of the generated tenant', '1')
  .option('--port <port>', 'port (0 picks a free one)', (value) => Number.parseInt(value, 10), 0)
  .option('--faults <rate>', 'share of requests that fail (0..1)', (value) => Number.parseFloat(value), 0)
  .option('--latency-ms <ms>', 'delay added to every response', (value) => Number.parseInt(value, 10), 0)
  .action(run(async () => (await import('./cli/simulate.js')).simulateCommand));

program
  .command('demo')
  .description('simulators for every source + embedded store: full, incremental and access-control syncs')
  .option('--es <url>', 'use this Elasticsearch cluster instead of the embedded store')
  .option('--size <size>', 'size of the simulated tenants', 'small')
  .option('--keep <dir>', 'keep the demo’s store and config in this folder')
  .action(run(async () => (await import('./cli/demo.js')).demoCommand));

const config = program.command('config').description('work with config.yml');
config
  .command('validate')
  .description('check config.yml and every inline connector configuration')
  .addOption(configOption())
  .action(run(async () => (await import('./cli/config-validate.js')).configValidateCommand));
config
  .command('schema')
  .description('print the JSON Schema of config.yml (for editors)')
  .action(run(async () => (await import('./cli/config-schema.js')).configSchemaCommand));

program
  .command('sources')
  .description('list the sources and their configuration fields')
  .option('--json', 'print as JSON')
  .action(run(async () => (await import('./cli/sources.js')).sourcesCommand));

const connector = program.command('connector').description('manage connectors through the Connector API');
connector
  .command('create')
  .description('create a connector (Elasticsearch mode: Connector API; embedded mode: use config.yml)')
  .addOption(configOption())
  .requiredOption('--id <id>', 'connector id')
  .requiredOption('--service-type <type>', 'source, e.g. dropbox')
  .option('--index-name <name>', 'content index (default search-<id>)')
  .option('--name <name>', 'display name')
  .option('--config-file <file>', 'configuration values: a JSON object in a file, or - for standard input')
  .option(
    '--config-values <json>',
    'configuration values as a JSON object (visible in the process list: prefer --config-file for secrets)',
  )
  .action(run(async () => (await import('./cli/connector.js')).connectorCreateCommand));
connector
  .command('list')
  .description('list the connectors of config.yml with their state')
  .addOption(configOption())
  .option('--json', 'print as JSON')
  .action(run(async () => (await import('./cli/connector.js')).connectorListCommand));
connector
  .command('show')
  .description('show one connector (sensitive values masked) and its recent jobs')
  .addOption(configOption())
  .argument('<id>', 'connector id')
  .option('--json', 'print as JSON')
  .action(run(async () => (await import('./cli/connector.js')).connectorShowCommand));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    exitCode = reportError(error);
  }
}
process.exitCode = exitCode;
