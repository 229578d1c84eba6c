import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import {
  createElasticsearchClient,
  createConnectorApiControlPlane,
  createElasticsearchSink,
  preflight,
} from '@connectors/elasticsearch';
import {
  chooseExtractionMode,
  createContentExtractor,
  createRetryingFetch,
  openEmbeddedStore,
  runJob,
  type ConfiguredContentExtractor,
  type ContentExtractor,
  type ControlPlane,
  type EmbeddedStore,
  type ExtractionMode,
  type Logger,
  type Sink,
  type SyncEvents,
  type SyncJobDoc,
  type SyncResult,
  type TypedEmitter,
  type Versioned,
} from '@connectors/framework';
import type { LoadedServiceConfig } from './config/load-service-config.js';
import type { ControlPlaneExtras } from './daemon/connector-service.js';
import type { ServiceMetrics } from './daemon/metrics.js';
import { declareConnectors } from './embedded/declare-connectors.js';
import { createSourceRegistry, type SourceRegistry } from './registry.js';

/** Hooks of one job execution (progress bars, metrics). */
export interface ExecuteJobHooks {
  readonly events?: TypedEmitter<SyncEvents>;
}

/** What a mode (embedded or Elasticsearch) provides to the daemon and the CLI. */
export interface Runtime {
  readonly mode: 'embedded' | 'elasticsearch';
  readonly controlPlane: ControlPlane & ControlPlaneExtras;
  readonly registry: SourceRegistry;
  /** The embedded store (embedded mode only). */
  readonly store: EmbeddedStore | undefined;
  /** Connectors this process handles. */
  readonly connectorIds: readonly string[];
  readonly serviceTypes: ReadonlyMap<string, string>;
  readonly workerHostname: string;
  /** Per-job reconciliation tables of the engine. */
  readonly scratchDir: string;
  /** Runs one job to its end: connector lock, claim, sync, stats, terminal writes. */
  executeJob(
    job: Versioned<SyncJobDoc>,
    signal: AbortSignal,
    hooks?: ExecuteJobHooks,
  ): Promise<SyncResult | undefined>;
  close(): Promise<void>;
}

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly signal: AbortSignal;
  /** How often a running job writes its counters (ms). @default 10000 */
  readonly statsIntervalMs?: number;
  /** How often a running job checks for cancellation (ms). @default 5000 */
  readonly cancelPollIntervalMs?: number;
}

/** Builds the control plane, sinks and job executor of the configured mode. */
export async function createRuntime(loaded: LoadedServiceConfig, options: RuntimeOptions): Promise<Runtime> {
  const { config } = loaded;
  const { logger, signal } = options;
  const registry = await createSourceRegistry(config.sources, { baseDir: path.dirname(loaded.file) });
  const connectorIds = config.connectors.map((entry) => entry.connector_id);
  const serviceTypes = new Map(
    config.connectors
      .filter((entry) => entry.service_type)
      .map((entry) => [entry.connector_id, entry.service_type as string]),
  );
  await mkdir(loaded.dataDir, { recursive: true });
  const scratchDir = path.join(loaded.dataDir, 'scratch');
  await mkdir(scratchDir, { recursive: true });
  const workerHostname = hostname();
  const maxFileSize = config.service.max_file_download_size;

  let controlPlane: ControlPlane & ControlPlaneExtras;
  let store: EmbeddedStore | undefined;
  let sinkFor: (connectorId: string) => Sink;
  const closers: (() => Promise<void>)[] = [];

  if (config.elasticsearch) {
    const settings = config.elasticsearch;
    const client = createElasticsearchClient(settings, { role: 'service' });
    closers.push(() => client.close());
    await preflight(client, {
      signal,
      logger,
      maxWaitMs: settings.max_wait_duration * 1000,
      initialBackoffMs: settings.initial_backoff_duration * 1000,
      backoffMultiplier: settings.backoff_multiplier,
      allowVersionMismatch: process.env.ALLOW_ES_VERSION_MISMATCH === 'true',
    });
    controlPlane = createConnectorApiControlPlane(client, { logger });
    const sinks = new Map<string, Sink>();
    const defaultSink = createElasticsearchSink(client, { bulk: settings.bulk, logger });
    for (const entry of config.connectors) {
      if (!entry.api_key) continue;
      // A connector's own API key is used for its data (index creation, bulk, existing ids).
      const dataClient = createElasticsearchClient(settings, { role: 'service', apiKey: entry.api_key });
      closers.push(() => dataClient.close());
      sinks.set(entry.connector_id, createElasticsearchSink(dataClient, { bulk: settings.bulk, logger }));
    }
    sinkFor = (connectorId) => sinks.get(connectorId) ?? defaultSink;
  } else {
    store = await openEmbeddedStore(path.join(loaded.dataDir, 'store.db'), { logger });
    const opened = store;
    closers.push(() => opened.close());
    await declareConnectors({ store, entries: config.connectors, registry, logger, signal });
    controlPlane = store;
    sinkFor = () => opened;
  }
  // One extractor per mode, created on first use and shared by every job (the worker pool is per process).
  const extractors = new Map<ExtractionMode, ConfiguredContentExtractor>();
  const tempDir = path.join(loaded.dataDir, 'tmp');
  const extractorFor = (job: Versioned<SyncJobDoc>): ContentExtractor | undefined => {
    const useService = job.doc.connector.configuration?.use_text_extraction_service?.value;
    const mode = chooseExtractionMode({
      extractionServiceHost: config.extraction_service?.host,
      useTextExtractionService: useService === true || useService === 'true',
      pipelineExtractBinaryContent: job.doc.connector.pipeline?.extract_binary_content ?? true,
      embedded: !config.elasticsearch,
    });
    if (mode === 'none') return undefined;
    let extractor = extractors.get(mode);
    if (!extractor) {
      const service = config.extraction_service;
      extractor = createContentExtractor({
        mode,
        maxFileSize,
        tempDir,
        logger,
        ...(mode === 'service' && service
          ? {
              service: {
                host: service.host,
                timeoutMs: service.timeout * 1000,
                useFilePointers: service.use_file_pointers,
                sharedVolumeDir: service.shared_volume_dir,
                streamChunkSize: service.stream_chunk_size,
              },
            }
          : {}),
      });
      extractors.set(mode, extractor);
    }
    // The connector's pipeline decides whitespace reduction, as the ingest pipeline would.
    const reduceWhitespace = job.doc.connector.pipeline?.reduce_whitespace ?? true;
    return reduceWhitespace ? extractor : extractor.withLimits({ reduceWhitespace: false });
  };
  closers.unshift(async () => {
    for (const extractor of extractors.values()) await extractor.close();
  });
  const fetch = createRetryingFetch({
    onRetry: (info) => {
      logger.debug(
        { url: info.url, status: info.status, attempt: info.attempt, delay_ms: info.delayMs },
        `Retrying: ${info.reason}`,
      );
      options.metrics?.retry(info.throttled, info.delayMs);
    },
  });

  return {
    mode: config.elasticsearch ? 'elasticsearch' : 'embedded',
    controlPlane,
    registry,
    store,
    connectorIds,
    serviceTypes,
    workerHostname,
    scratchDir,
    async executeJob(job, jobSignal, hooks = {}) {
      const started = Date.now();
      // Download concurrency: the connector's own `concurrent_downloads` when its source declares one, else
      // `elasticsearch.bulk.concurrent_downloads` (10 by default, as in the Python service).
      const declared = Number(job.doc.connector.configuration?.concurrent_downloads?.value);
      const bulk = config.elasticsearch?.bulk;
      const limits = {
        concurrentDownloads:
          Number.isInteger(declared) && declared > 0 ? declared : (bulk?.concurrent_downloads ?? 10),
        ...(bulk ? { maxDocumentBytes: Math.round(bulk.max_text_document_size * 1024 * 1024) } : {}),
      };
      const errorBudget = bulk
        ? {
            enabled: bulk.error_monitor.enabled,
            maxConsecutiveErrors: bulk.error_monitor.max_consecutive_errors,
            maxTotalErrors: bulk.error_monitor.max_total_errors,
            windowSize: bulk.error_monitor.error_window_size,
            maxErrorRatio: bulk.error_monitor.max_error_rate,
          }
        : undefined;
      const outcome = await runJob({
        limits,
        ...(errorBudget ? { errorBudget } : {}),
        controlPlane,
        jobId: job.id,
        sources: (serviceType: string) => registry.get(serviceType),
        sink: sinkFor(job.doc.connector.id),
        extractor: extractorFor,
        fetch,
        workerHostname,
        signal: jobSignal,
        logger: logger.child({ connector: job.doc.connector.id, job_type: job.doc.job_type }),
        scratchDir,
        maxFileSize,
        ...(hooks.events ? { events: hooks.events } : {}),
        ...(options.statsIntervalMs ? { statsIntervalMs: options.statsIntervalMs } : {}),
        ...(options.cancelPollIntervalMs ? { pollIntervalMs: options.cancelPollIntervalMs } : {}),
      });
      if (!outcome.ran) {
        logger.info({ job: job.id, reason: outcome.reason }, 'Job not run');
        return undefined;
      }
      const result = outcome.result;
      if (result) {
        options.metrics?.jobFinished(job.doc.job_type, result.status, (Date.now() - started) / 1000);
        options.metrics?.documents(result.indexed, result.deleted, result.volumeBytes);
      }
      return result;
    },
    async close() {
      for (const close of closers)
        await close().catch((error: unknown) => logger.warn({ err: String(error) }, 'close failed'));
    },
  };
}
