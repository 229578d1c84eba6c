import { configValuesFromEntries } from '../config/configuration-schema.js';
import { parseConfig, sensitiveValues } from '../config/parse-config.js';
import type { ControlPlane, JobStats } from '../control-plane/control-plane.js';
import type { ConnectorDoc, JobStatus, SyncJobDoc, Versioned } from '../control-plane/records.js';
import type { JsonValue } from '../document/json.js';
import { ConnectorError } from '../errors/connector-error.js';
import { registerSecrets } from '../errors/redact.js';
import { toConnectorError } from '../errors/to-connector-error.js';
import type { ContentExtractor } from '../extract/content-extractor.js';
import { systemClock } from '../http/clock.js';
import { noopLogger, type Logger } from '../logging/logger.js';
import { validateFilter } from '../rules/validate-filter.js';
import type { Sink } from '../sink/sink.js';
import type { Clock, SourceDefinition, SourceInstance } from '../source/define-source.js';
import type { ErrorBudgetOptions } from './error-budget.js';
import { runSync, type SyncLimits } from './run-sync.js';
import { SuspendSignalReason } from './suspend-signal-reason.js';
import type { SyncEvents } from './sync-events.js';
import type { SyncResult } from './sync-result.js';
import { createTypedEmitter, type TypedEmitter } from './typed-emitter.js';

/** Finds the source declaration of a `service_type`. */
export type SourceRegistry = (serviceType: string) => SourceDefinition | undefined;

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /** Where the job and its connector live (Elasticsearch or the embedded store). */
  readonly controlPlane: ControlPlane;
  /** The job to run; it must be `pending` or `suspended`. */
  readonly jobId: string;
  /** Looks the job's `service_type` up. */
  readonly sources: SourceRegistry;
  /** Where the documents go. */
  readonly sink: Sink;
  /** Written on the claimed job. */
  readonly workerHostname: string;
  /** Process shutdown: aborting suspends the job (it resumes from its checkpoint later). */
  readonly signal: AbortSignal;
  /** Lifecycle lines of the job. @default noopLogger */
  readonly logger?: Logger;
  /** Progress events of the sync (metrics, progress bars). */
  readonly events?: TypedEmitter<SyncEvents>;
  /** Directory of the sync's on-disk reconciliation tables. @default os.tmpdir() */
  readonly scratchDir?: string;
  /** The content extractor, or a function choosing one per job (undefined: content is never downloaded). */
  readonly extractor?: ContentExtractor | ((job: Versioned<SyncJobDoc>) => ContentExtractor | undefined);
  /** The fetch handed to sources. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Time source (tests). @default systemClock */
  readonly clock?: Clock;
  /** Largest file worth downloading (`service.max_file_download_size`). @default 10 MiB */
  readonly maxFileSize?: number;
  /** How often running counters are written to the job. @default 10000 */
  readonly statsIntervalMs?: number;
  /** How often the job is re-read to notice a cancelation request. @default 5000 */
  readonly pollIntervalMs?: number;
  /** Batch sizes, concurrency and caps of the sync (defaults from the sink). */
  readonly limits?: Partial<SyncLimits>;
  /** Error monitor of sink item failures (`false` counts only). */
  readonly errorBudget?: Partial<ErrorBudgetOptions> | false;
}

/** What {@link runJob} did. */
export type RunJobOutcome =
  /** The job was not run (not pending, connector busy or gone, lock lost); it was left untouched. */
  | { readonly ran: false; readonly reason: string }
  /** The job ran and ended with `status`. */
  | { readonly ran: true; readonly status: JobStatus; readonly result?: SyncResult; readonly error?: string };

const LOCK_ATTEMPTS = 3;
const MIB = 1024 * 1024;

class CancelReason extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CancelReason';
  }
}

type StatusField = 'last_sync_status' | 'last_access_control_sync_status';
type ErrorField = 'last_sync_error' | 'last_access_control_sync_error';

function statsOf(result: Pick<SyncResult, 'indexed' | 'deleted' | 'volumeBytes'> | undefined): JobStats {
  return {
    indexed_document_count: result?.indexed ?? 0,
    deleted_document_count: result?.deleted ?? 0,
    indexed_document_volume: Math.round((result?.volumeBytes ?? 0) / MIB),
  };
}

/**
 * Runs one sync job against a control plane, like the reference's job runner (spec 5.5, 3.3, 3.6): takes the
 * connector lock (optimistic concurrency, 3 attempts), claims the job, builds the source from the job's
 * connector snapshot, checks the connection, validates the sync rules, runs {@link runSync}, reports counters,
 * notices cancelation, writes the terminal job and connector fields, and always closes the source.
 * @example
 * await runJob({ controlPlane, jobId, sources: (type) => registry[type], sink, workerHostname: hostname(), signal });
 */
export async function runJob(options: RunJobOptions): Promise<RunJobOutcome> {
  const { controlPlane, jobId, signal } = options;
  const logger = (options.logger ?? noopLogger).child({ jobId });
  const clock = options.clock ?? systemClock;
  const nowIso = () => new Date(clock.now()).toISOString();
  // Terminal writes must happen even after the run signal aborted.
  const finalSignal = () => AbortSignal.timeout(30_000);

  const job = await controlPlane.getJob(jobId, signal);
  if (!job) return { ran: false, reason: `job ${jobId} not found` };
  if (job.doc.status !== 'pending' && job.doc.status !== 'suspended') {
    return { ran: false, reason: `job ${jobId} is ${job.doc.status}` };
  }
  const snapshot = job.doc.connector;
  const jobType = job.doc.job_type;
  const statusField: StatusField =
    jobType === 'access_control' ? 'last_access_control_sync_status' : 'last_sync_status';
  const errorField: ErrorField =
    jobType === 'access_control' ? 'last_access_control_sync_error' : 'last_sync_error';

  // 1. The connector lock (spec 3.6).
  let connector: Versioned<ConnectorDoc> | undefined;
  let locked = false;
  for (let attempt = 0; attempt < LOCK_ATTEMPTS && !locked; attempt += 1) {
    connector = await controlPlane.getConnector(snapshot.id, signal);
    if (!connector) return { ran: false, reason: `connector ${snapshot.id} not found` };
    if (connector.doc[statusField] === 'in_progress') {
      return {
        ran: false,
        reason: `connector ${snapshot.id} already runs a ${jobType === 'access_control' ? 'access control' : 'content'} sync`,
      };
    }
    const outcome = await controlPlane.updateConnector(
      snapshot.id,
      { status: 'connected', error: null, [statusField]: 'in_progress', [errorField]: null },
      { ifVersion: connector.version, signal },
    );
    locked = outcome === 'ok';
  }
  if (!locked || !connector)
    return { ran: false, reason: `connector ${snapshot.id} lock lost to another worker` };

  // The job was read before the lock: another worker may have run it to its end and released the lock in
  // between. Under the lock, the job must still be waiting; otherwise the lock is given back untouched.
  const underLock = await controlPlane.getJob(jobId, signal);
  if (!underLock || (underLock.doc.status !== 'pending' && underLock.doc.status !== 'suspended')) {
    await controlPlane.updateConnector(
      snapshot.id,
      { [statusField]: connector.doc[statusField], [errorField]: connector.doc[errorField] },
      { signal: finalSignal() },
    );
    return { ran: false, reason: `job ${jobId} is ${underLock?.doc.status ?? 'gone'}` };
  }

  // 2. Claim.
  try {
    await controlPlane.claimJob(
      jobId,
      jobType === 'incremental'
        ? { workerHostname: options.workerHostname, syncCursor: connector.doc.sync_cursor }
        : { workerHostname: options.workerHostname },
      signal,
    );
  } catch (error) {
    const message = toConnectorError(error).message || 'unknown error';
    await controlPlane
      .updateConnector(
        snapshot.id,
        { [statusField]: 'error', [errorField]: message },
        { signal: finalSignal() },
      )
      .catch(() => undefined);
    throw toConnectorError(error, `Claiming job ${jobId}`);
  }
  logger.info({ jobType, connectorId: snapshot.id, indexName: snapshot.index_name }, 'Job claimed');

  const stop = new AbortController();
  const onShutdown = () =>
    stop.abort(
      SuspendSignalReason.isInstance(signal.reason) ? signal.reason : new SuspendSignalReason('shutdown'),
    );
  if (signal.aborted) onShutdown();
  else signal.addEventListener('abort', onShutdown, { once: true });

  const events = options.events ?? createTypedEmitter<SyncEvents>();
  let running: JobStats = statsOf(undefined);
  const offProgress = events.on('batch:committed', ({ totals }) => {
    running = statsOf(totals);
  });
  const timers: NodeJS.Timeout[] = [];
  let instance: SourceInstance | undefined;
  let result: SyncResult | undefined;
  let failure: string | undefined;
  let status: JobStatus;

  try {
    const definition = options.sources(snapshot.service_type);
    if (!definition) {
      throw new ConnectorError(
        'CONFIG_INVALID',
        `No source is registered for service type '${snapshot.service_type}'`,
      );
    }
    // 3. Configuration from the job's snapshot (secrets registered before anything can print them).
    // Sensitive values come from the live connector record: the embedded store keeps them out of job records
    // (a Kibana-created job on Elasticsearch carries them, and they are the same values).
    const liveConfiguration = connector.doc.configuration ?? {};
    const values = configValuesFromEntries(
      Object.fromEntries(
        Object.entries(snapshot.configuration ?? {}).map(([key, entry]) => [
          key,
          entry.sensitive && liveConfiguration[key]
            ? { ...entry, value: liveConfiguration[key].value }
            : entry,
        ]),
      ),
    );
    registerSecrets(sensitiveValues(definition.configuration, values));
    const config = parseConfig(definition.configuration, values, { source: definition.id, strict: false });
    // Counters (the job's heartbeat) and cancelation checks run from here on: also while the source is
    // created (a token refresh may take a while), checked and its rules validated, so that no other worker
    // takes this job for a dead one.
    timers.push(
      setInterval(() => {
        controlPlane.updateJobStats(jobId, running, stop.signal).catch((error: unknown) => {
          logger.warn(
            { err: toConnectorError(error).message },
            'Reporting job counters failed; retrying next tick',
          );
        });
      }, options.statsIntervalMs ?? 10_000),
      setInterval(() => {
        controlPlane
          .getJob(jobId, stop.signal)
          .then((current) => {
            if (stop.signal.aborted) return;
            if (!current) stop.abort(new CancelReason(`The job ${jobId} no longer exists`));
            else if (current.doc.status === 'canceling') stop.abort(new CancelReason('canceled'));
            else if (current.doc.status !== 'in_progress') {
              stop.abort(new CancelReason(`The job was set to '${current.doc.status}' by someone else`));
            }
          })
          .catch((error: unknown) => {
            logger.warn(
              { err: toConnectorError(error).message },
              'Checking the job status failed; retrying next tick',
            );
          });
      }, options.pollIntervalMs ?? 5_000),
    );

    const sourceLogger = logger.child({ source: definition.id });
    instance = await definition.create(config, {
      logger: sourceLogger,
      fetch: options.fetch ?? globalThis.fetch,
      clock,
      signal: stop.signal,
      maxFileSize: options.maxFileSize ?? 10 * MIB,
      registerSecrets,
    });

    await instance.check(stop.signal);

    const features = connector.doc.features ?? {};
    const dlsFeature = features.document_level_security?.enabled === true;
    const dlsToggle = (config as Record<string, unknown>)['use_document_level_security'];
    const dls = definition.capabilities.accessControl && dlsFeature && dlsToggle !== false;

    if (jobType !== 'access_control') {
      const validation = await validateFilter({
        filter: snapshot.filtering,
        capabilities: definition.capabilities,
        instance,
        signal: stop.signal,
      });
      if (validation.state !== 'valid') {
        const messages = validation.errors.flatMap((error) => error.messages).join('; ');
        throw new ConnectorError(
          'CONFIG_INVALID',
          `Filtering in state ${validation.state}, errors: ${messages}`,
        );
      }
    }

    const checkpoint = await controlPlane.loadCheckpoint(jobId, stop.signal);
    const extractor = typeof options.extractor === 'function' ? options.extractor(job) : options.extractor;
    result = await runSync({
      source: definition,
      instance,
      sink: options.sink,
      indexName: snapshot.index_name,
      jobType,
      cursor: (connector.doc.sync_cursor ?? null) as JsonValue | null,
      checkpoint: checkpoint ?? null,
      saveCheckpoint: (value) => controlPlane.saveCheckpoint(jobId, value, stop.signal),
      filter: snapshot.filtering,
      pipeline: snapshot.pipeline,
      ...(extractor ? { extractor } : {}),
      dls,
      signal: stop.signal,
      logger,
      events,
      ...(options.scratchDir !== undefined ? { scratchDir: options.scratchDir } : {}),
      jobKey: jobId,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.errorBudget !== undefined ? { errorBudget: options.errorBudget } : {}),
      now: () => clock.now(),
    });
    status = result.status;
    if (status === 'error') failure = result.error?.message || 'unknown error';
    if (
      status === 'canceled' &&
      stop.signal.reason instanceof CancelReason &&
      stop.signal.reason.message !== 'canceled'
    ) {
      status = 'error';
      failure = stop.signal.reason.message;
    }
  } catch (error) {
    if (
      stop.signal.aborted &&
      !(stop.signal.reason instanceof CancelReason && stop.signal.reason.message !== 'canceled')
    ) {
      status = SuspendSignalReason.isInstance(stop.signal.reason) ? 'suspended' : 'canceled';
    } else if (stop.signal.aborted) {
      status = 'error';
      failure = (stop.signal.reason as Error).message;
    } else {
      status = 'error';
      failure = toConnectorError(error).message || 'unknown error';
    }
  } finally {
    for (const timer of timers) clearInterval(timer);
    offProgress();
    signal.removeEventListener('abort', onShutdown);
    try {
      await instance?.close();
    } catch (error) {
      logger.warn({ err: toConnectorError(error).message }, 'Closing the source failed');
    }
  }

  // Terminal writes (spec 3.3).
  const now = nowIso();
  // Counters of the run (the last reported ones when the sync never returned); no total when not counted.
  const counters: JobStats = result
    ? { ...statsOf(result), ...(result.total !== null ? { total_document_count: result.total } : {}) }
    : { ...running };
  // A read that fails is retried; only a job that really is gone counts as gone.
  let current: Versioned<SyncJobDoc> | undefined;
  let readFailed = false;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      current = await controlPlane.getJob(jobId, finalSignal());
      readFailed = false;
      break;
    } catch (error) {
      readFailed = true;
      logger.warn(
        { err: toConnectorError(error).message, attempt },
        'Reading the job before its final write failed',
      );
      await clock.sleep(500 * (attempt + 1)).catch(() => undefined);
    }
  }
  if (!current && !readFailed) {
    await controlPlane
      .updateConnector(
        snapshot.id,
        { error: "Couldn't find the job", [statusField]: 'error', [errorField]: "Couldn't find the job" },
        { signal: finalSignal() },
      )
      .catch((error: unknown) => {
        logger.error({ err: toConnectorError(error).message }, 'Writing the connector status failed');
      });
    return { ran: true, status: 'error', ...(result ? { result } : {}), error: "Couldn't find the job" };
  }

  const jobPatch: Partial<SyncJobDoc> = { status, last_seen: now, ...counters };
  const connectorPatch: Partial<ConnectorDoc> = {};
  switch (status) {
    case 'completed':
      Object.assign(jobPatch, { completed_at: now, error: null });
      Object.assign(connectorPatch, {
        last_synced: now,
        status: 'connected',
        error: null,
        [statusField]: 'completed',
        [errorField]: null,
        last_indexed_document_count: counters.indexed_document_count,
        last_deleted_document_count: counters.deleted_document_count,
      });
      if (jobType !== 'access_control') connectorPatch.sync_cursor = result?.cursor ?? null;
      break;
    case 'error':
      Object.assign(jobPatch, { completed_at: now, error: failure ?? 'unknown error' });
      Object.assign(connectorPatch, {
        last_synced: now,
        status: 'error',
        error: failure ?? 'unknown error',
        [statusField]: 'error',
        [errorField]: failure ?? 'unknown error',
        last_indexed_document_count: counters.indexed_document_count,
        last_deleted_document_count: counters.deleted_document_count,
      });
      break;
    case 'canceled':
      Object.assign(jobPatch, { completed_at: now, canceled_at: now });
      Object.assign(connectorPatch, { status: 'connected', [statusField]: 'canceled' });
      break;
    default:
      Object.assign(connectorPatch, { [statusField]: 'suspended' });
      break;
  }
  // Each write is attempted even when the other fails, so the connector lock is never left behind.
  await controlPlane.updateJob(jobId, jobPatch, finalSignal()).catch((error: unknown) => {
    logger.error({ err: toConnectorError(error).message }, 'Writing the final job status failed');
  });
  await controlPlane
    .updateConnector(snapshot.id, connectorPatch, { signal: finalSignal() })
    .catch((error: unknown) => {
      logger.error({ err: toConnectorError(error).message }, 'Writing the final connector status failed');
    });
  if (status !== 'suspended') {
    await controlPlane.saveCheckpoint(jobId, null, finalSignal()).catch((error: unknown) => {
      logger.warn({ err: toConnectorError(error).message }, 'Clearing the job checkpoint failed');
    });
  }
  logger.info({ status, ...counters, ...(failure ? { error: failure } : {}) }, 'Job ended');
  return { ran: true, status, ...(result ? { result } : {}), ...(failure ? { error: failure } : {}) };
}
