import { registerSecrets, SuspendSignalReason } from '@connectors/framework';
import { loadServiceConfig } from '../config/load-service-config.js';
import { createConnectorService } from '../daemon/connector-service.js';
import { startHttpEndpoint, type HttpEndpoint } from '../daemon/http-endpoint.js';
import { createServiceMetrics } from '../daemon/metrics.js';
import { createServiceLogger, toLogLevel, type LogLevel } from '../logging/create-logger.js';
import { createRuntime } from '../runtime.js';
import { EXIT } from './exit-codes.js';

/** How long a graceful shutdown waits for running jobs to suspend. */
const SHUTDOWN_GRACE_MS = 8000;

/** `connectors run -c FILE`: the daemon, until SIGTERM/SIGINT (running jobs are suspended, then resumed on the next start). */
export async function runCommand(options: { config: string; logLevel?: LogLevel }): Promise<number> {
  const loaded = await loadServiceConfig(options.config);
  const { config } = loaded;
  registerSecrets([
    config.elasticsearch?.api_key,
    config.elasticsearch?.password,
    ...config.connectors.map((c) => c.api_key),
  ]);
  const logger = createServiceLogger({ level: options.logLevel ?? toLogLevel(config.service.log_level) });
  const metrics = createServiceMetrics();
  const startup = new AbortController();

  let signals = 0;
  let stopping: Promise<void> | undefined;
  let service: ReturnType<typeof createConnectorService> | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal: name }, 'Second signal: exiting now');
      process.exit(EXIT.interrupted);
    }
    logger.info({ signal: name }, 'Shutting down: suspending running jobs');
    startup.abort(new SuspendSignalReason(name));
    stopping = service?.stop({ graceMs: SHUTDOWN_GRACE_MS });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const runtime = await createRuntime(loaded, {
    logger,
    metrics,
    signal: startup.signal,
    statsIntervalMs: config.service.job_stats_interval * 1000,
    cancelPollIntervalMs: config.service.job_cancel_poll_interval * 1000,
  });
  let endpoint: HttpEndpoint | undefined;
  try {
    service = createConnectorService({
      controlPlane: runtime.controlPlane,
      registry: runtime.registry,
      connectorIds: runtime.connectorIds,
      serviceTypes: runtime.serviceTypes,
      settings: config.service,
      logger,
      metrics,
      maxFileSize: config.service.max_file_download_size,
      scratchDir: runtime.scratchDir,
      executeJob: async (job, signal) => {
        await runtime.executeJob(job, signal);
      },
    });
    if (config.service.http.port !== undefined) {
      const current = service;
      endpoint = await startHttpEndpoint({
        host: config.service.http.host,
        port: config.service.http.port,
        metrics,
        ready: () => current.ready,
      });
      logger.info({ url: endpoint.url }, 'Health and metrics endpoint listening');
    }
    logger.info(
      { mode: runtime.mode, connectors: runtime.connectorIds, host: runtime.workerHostname },
      `Connector service started (${runtime.mode} mode)`,
    );
    if (startup.signal.aborted) return EXIT.ok;
    await service.run();
    await stopping;
  } finally {
    await endpoint?.close();
    await runtime.close();
    logger.info('Connector service stopped');
  }
  return EXIT.ok;
}
