import { registerSecrets, SuspendSignalReason, type JobType, type SyncEvents } from '@connectors/framework';
import { loadServiceConfig } from '../config/load-service-config.js';
import { createServiceLogger, type LogLevel } from '../logging/create-logger.js';
import { createRuntime } from '../runtime.js';
import { EXIT } from './exit-codes.js';
import { formatDuration, renderProgress } from './progress-line.js';
import { runOneJob } from './run-one-job.js';

/** `connectors sync -c FILE --connector ID [--job TYPE] [--json]`: runs one job now, in this process. */
export async function syncCommand(options: {
  config: string;
  connector: string;
  job: JobType;
  json?: boolean;
  logLevel?: LogLevel;
}): Promise<number> {
  const loaded = await loadServiceConfig(options.config);
  const { config } = loaded;
  registerSecrets([
    config.elasticsearch?.api_key,
    config.elasticsearch?.password,
    ...config.connectors.map((c) => c.api_key),
  ]);
  const logger = createServiceLogger({ level: options.logLevel ?? 'warn' });
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`\n${name}: suspending the job (it resumes from its checkpoint on the next run)\n`);
    controller.abort(new SuspendSignalReason(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runtime = await createRuntime(loaded, {
    logger,
    signal: controller.signal,
    statsIntervalMs: 2000,
    cancelPollIntervalMs: 1000,
  });
  try {
    const { controlPlane } = runtime;
    const connector = await controlPlane.getConnector(options.connector, controller.signal);
    if (!connector) {
      process.stderr.write(
        `error: unknown connector '${options.connector}' (configured: ${runtime.connectorIds.join(', ') || 'none'})\n`,
      );
      return EXIT.usage;
    }
    if (runtime.mode === 'embedded' && connector.doc.status === 'error') {
      process.stderr.write(
        `error: connector '${options.connector}' is misconfigured: ${connector.doc.error ?? 'unknown error'}\n`,
      );
      return EXIT.usage;
    }
    const tty = !options.json && Boolean(process.stderr.isTTY);
    const started = Date.now();
    const expected =
      options.job === 'full' && runtime.store && connector.doc.index_name
        ? (await runtime.store.listIndices(controller.signal)).find(
            (i) => i.name === connector.doc.index_name,
          )?.count
        : undefined;
    const { summary, result } = await runOneJob({
      runtime,
      connectorId: options.connector,
      jobType: options.job,
      signal: controller.signal,
      ...(tty
        ? {
            onProgress: ({ totals }: SyncEvents['batch:committed']) =>
              process.stderr.write(
                `\r\x1b[2K${renderProgress({ totals, elapsedMs: Date.now() - started, ...(expected ? { expected } : {}) })}`,
              ),
          }
        : {}),
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      process.stdout.write(
        `${options.job} sync of ${options.connector}: ${summary.status} in ${formatDuration(summary.durationMs / 1000)} — ` +
          `${summary.indexed} indexed, ${summary.deleted} deleted, ${summary.skipped} skipped, ${summary.total ?? '?'} in the index\n`,
      );
      if (result?.fellBackToFull)
        process.stdout.write(`note: ran as a full sync because ${result.fellBackToFull}\n`);
      for (const line of summary.errors.slice(0, 20)) process.stdout.write(`  ${line}\n`);
    }
    return summary.status === 'completed'
      ? EXIT.ok
      : summary.status === 'suspended'
        ? EXIT.interrupted
        : EXIT.failed;
  } finally {
    await runtime.close();
  }
}
