import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  configValuesFromEntries,
  parseConfig,
  sensitiveValues,
  sleep,
  SuspendSignalReason,
  toConnectorError,
  validateFilter,
  type ConnectorDoc,
  type ControlPlane,
  type FilteringValidation,
  type JobType,
  type Logger,
  type SourceDefinition,
  type SyncJobDoc,
  type Versioned,
} from '@connectors/framework';
import type { SourceRegistry } from '../registry.js';
import type { ServiceMetrics } from './metrics.js';
import { parseQuartzCron } from './quartz-cron.js';
import { createSourceContext } from './source-context.js';

/** Extra control-plane operations only Elasticsearch mode has (draft sync rules, schema registration). */
export interface ControlPlaneExtras {
  prepareConnector?(
    id: string,
    source: SourceDefinition,
    options: { serviceType: string; signal: AbortSignal },
  ): Promise<unknown>;
  writeFilteringValidation?(id: string, validation: FilteringValidation, signal: AbortSignal): Promise<void>;
  activateFiltering?(id: string, signal: AbortSignal): Promise<void>;
}

/** Settings of the loops (seconds, as config.yml has them). */
export interface LoopSettings {
  readonly idling: number;
  readonly heartbeat: number;
  readonly job_cleanup_interval: number;
  /** Seconds without a heartbeat after which a running job is considered lost and resumed. */
  readonly job_stale_after: number;
  readonly max_concurrent_content_syncs: number;
  readonly max_concurrent_access_control_syncs: number;
  readonly max_errors: number;
  readonly max_errors_span: number;
}

/** Options of {@link createConnectorService}. */
export interface ConnectorServiceOptions {
  readonly controlPlane: ControlPlane & ControlPlaneExtras;
  readonly registry: SourceRegistry;
  /** Connectors this process handles (list mode). */
  readonly connectorIds: readonly string[];
  /** service_type of each listed connector, from config.yml (set on the record when missing). */
  readonly serviceTypes: ReadonlyMap<string, string>;
  readonly settings: LoopSettings;
  readonly logger: Logger;
  /** Runs one claimed-to-be job to its end (lock, claim, sync, terminal writes). */
  readonly executeJob: (job: Versioned<SyncJobDoc>, signal: AbortSignal) => Promise<void>;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
  /** Largest file worth downloading (bytes). */
  readonly maxFileSize: number;
  /** Where the engine keeps its per-job reconciliation tables; leftovers of finished jobs are removed. */
  readonly scratchDir?: string;
}

/** The daemon: scheduling, content-sync, access-control-sync and cleanup loops (spec 5). */
export interface ConnectorService {
  /** Starts the loops; resolves when they have stopped. */
  run(): Promise<void>;
  /** Runs one scheduling pass, one execution pass and one cleanup pass now (tests, `connectors sync`). */
  tick(): Promise<void>;
  /** Stops the loops; running jobs are suspended (checkpoints kept) and awaited up to `graceMs`. */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
  /** Jobs running in this process. */
  readonly runningJobs: number;
  /** True once the first scheduling pass has completed. */
  readonly ready: boolean;
}

const SCHEDULE_ORDER: readonly JobType[] = ['access_control', 'incremental', 'full'];
const SCHEDULED_AT_FIELD = {
  full: 'last_sync_scheduled_at',
  incremental: 'last_incremental_sync_scheduled_at',
  access_control: 'last_access_control_sync_scheduled_at',
} as const;

/** Creates the daemon's loops over a control plane (Elasticsearch or embedded). */
export function createConnectorService(options: ConnectorServiceOptions): ConnectorService {
  const { controlPlane, registry, settings, logger } = options;
  const now = options.now ?? (() => new Date());
  const lifetime = new AbortController();
  const running = new Map<
    string,
    { controller: AbortController; promise: Promise<void>; jobType: JobType; connectorId: string }
  >();
  const lastErrorLogged = new Map<string, number>();
  const heartbeatForced = new Set<string>();
  /**
   * Connector locks seen held by no live job: since when, and at which connector version. A lock taken
   * again (a new version) is a new lock: its clock starts over.
   */
  const orphanLocksSince = new Map<string, { readonly since: number; readonly version: string }>();
  let lastWakeUp = now();
  let ready = false;

  /** Logs a loop failure once per interval instead of in a tight loop. */
  function logLoopError(loop: string, error: unknown): void {
    const message = toConnectorError(error).message;
    const key = `${loop}:${message}`;
    const last = lastErrorLogged.get(key) ?? 0;
    if (now().getTime() - last >= settings.idling * 1000) {
      lastErrorLogged.set(key, now().getTime());
      logger.error({ loop, err: message }, `${loop} loop failed; retrying in ${settings.idling}s`);
    }
  }

  /** Writes `status`/`error` only when the record says otherwise (the reference rewrites them every pass, §13.7). */
  async function setConnectorState(
    current: Versioned<ConnectorDoc>,
    status: 'connected' | 'error',
    error: string | null,
  ): Promise<void> {
    if (current.doc.status === status && (current.doc.error ?? null) === error) return;
    await controlPlane.updateConnector(current.id, { status, error }, { signal: lifetime.signal });
  }

  async function scheduleConnector(connector: Versioned<ConnectorDoc>): Promise<void> {
    const { id } = connector;
    const signal = lifetime.signal;
    const serviceType = connector.doc.service_type ?? options.serviceTypes.get(id);
    const source = serviceType ? registry.get(serviceType) : undefined;
    if (!serviceType || !source) {
      await setConnectorState(
        connector,
        'error',
        `Unknown service type '${serviceType ?? '(none)'}': no such source in this service`,
      );
      return;
    }
    if (controlPlane.prepareConnector)
      await controlPlane.prepareConnector(id, source, { serviceType, signal });

    const lastSeen = connector.doc.last_seen ? Date.parse(connector.doc.last_seen) : 0;
    if (!heartbeatForced.has(id) || now().getTime() - lastSeen >= settings.heartbeat * 1000) {
      await controlPlane.checkIn(id, signal);
      heartbeatForced.add(id);
    }
    const fresh = (await controlPlane.getConnector(id, signal)) ?? connector;
    if (fresh.doc.status === 'created' || fresh.doc.status === 'needs_configuration') return;

    // Validate configuration and reach the remote system.
    const context = createSourceContext({
      logger: logger.child({ connector: id, service_type: serviceType }),
      signal,
      maxFileSize: options.maxFileSize,
    });
    let instance;
    try {
      // Secrets are registered before anything (validation messages included) can print them.
      const rawValues = configValuesFromEntries(fresh.doc.configuration);
      context.registerSecrets(sensitiveValues(source.configuration, rawValues));
      const config = parseConfig(source.configuration, rawValues, { source: source.id, strict: false });
      instance = await source.create(config as never, context);
      await instance.check(signal);
      const draft = fresh.doc.filtering?.[0]?.draft;
      if (draft?.validation?.state === 'edited' && controlPlane.writeFilteringValidation) {
        const validation = await validateFilter({
          filter: draft,
          capabilities: source.capabilities,
          instance,
          signal,
        });
        await controlPlane.writeFilteringValidation(id, validation, signal);
        if (validation.state === 'valid') await controlPlane.activateFiltering?.(id, signal);
        logger.info({ connector: id, state: validation.state }, 'Validated draft sync rules');
      }
      // An enabled schedule that does not parse is a configuration error of the connector too.
      for (const type of SCHEDULE_ORDER) {
        const schedule = fresh.doc.scheduling?.[type];
        if (schedule?.enabled) parseQuartzCron(schedule.interval);
      }
      await setConnectorState(fresh, 'connected', null);
    } catch (error) {
      const normalized = toConnectorError(error);
      if (normalized.code === 'ABORTED') throw normalized;
      logger.warn({ connector: id, err: normalized.message }, 'Connector check failed');
      await setConnectorState(fresh, 'error', normalized.message);
      return;
    } finally {
      context.dispose();
      await instance?.close().catch(() => undefined);
    }

    for (const jobType of SCHEDULE_ORDER) {
      if (
        jobType === 'access_control' &&
        !(source.capabilities.accessControl && fresh.doc.features?.document_level_security?.enabled)
      )
        continue;
      if (
        jobType === 'incremental' &&
        !(source.capabilities.incrementalSync && fresh.doc.features?.incremental_sync?.enabled)
      )
        continue;
      await trySchedule(id, jobType);
    }
  }

  async function trySchedule(id: string, jobType: JobType): Promise<void> {
    const signal = lifetime.signal;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const connector = await controlPlane.getConnector(id, signal);
      if (!connector) return;
      const schedule = connector.doc.scheduling?.[jobType];
      if (!schedule?.enabled) return;
      const field = SCHEDULED_AT_FIELD[jobType];
      const lastScheduled = connector.doc[field] ? new Date(connector.doc[field] as string) : undefined;
      if (lastScheduled && lastScheduled > lastWakeUp) return; // another instance did it this round
      let next: Date | undefined;
      try {
        next = parseQuartzCron(schedule.interval).nextAfter(lastWakeUp);
      } catch (error) {
        await setConnectorState(connector, 'error', toConnectorError(error).message);
        return;
      }
      if (!next || now() < next) return;
      const outcome = await controlPlane.updateConnector(
        id,
        { [field]: next.toISOString() },
        { ifVersion: connector.version, signal },
      );
      if (outcome === 'conflict') continue;
      // Weakness 5: do not pile jobs up behind one that is still queued or running.
      for await (const job of controlPlane.listJobs(
        {
          connectorIds: [id],
          jobTypes: [jobType],
          statuses: ['pending', 'in_progress', 'canceling', 'suspended'],
        },
        signal,
      )) {
        logger.info(
          { connector: id, job_type: jobType, job: job.id },
          'Skipping scheduled sync: a job of this type is still queued or running',
        );
        return;
      }
      const jobId = await controlPlane.createJob(
        { connectorId: id, jobType, triggerMethod: 'scheduled' },
        signal,
      );
      logger.info(
        { connector: id, job_type: jobType, job: jobId, occurrence: next.toISOString() },
        'Scheduled a sync',
      );
      return;
    }
  }

  async function schedulingPass(): Promise<void> {
    const connectors = await controlPlane.listConnectors(options.connectorIds, lifetime.signal);
    for (const connector of connectors) {
      try {
        await scheduleConnector(connector);
      } catch (error) {
        if (lifetime.signal.aborted) return;
        logLoopError(`schedule:${connector.id}`, error);
      }
    }
    lastWakeUp = now();
    ready = true;
  }

  function capacity(jobType: JobType): boolean {
    const acl = jobType === 'access_control';
    const limit = acl ? settings.max_concurrent_access_control_syncs : settings.max_concurrent_content_syncs;
    let count = 0;
    for (const job of running.values()) if ((job.jobType === 'access_control') === acl) count += 1;
    return count < limit;
  }

  async function executionPass(): Promise<void> {
    const signal = lifetime.signal;
    let waiting = 0;
    for await (const job of controlPlane.listJobs(
      { statuses: ['pending', 'suspended'], connectorIds: options.connectorIds },
      signal,
    )) {
      if (signal.aborted) return;
      waiting += 1;
      if (running.has(job.id) || !capacity(job.doc.job_type)) continue;
      const isAcl = job.doc.job_type === 'access_control';
      const busy = [...running.values()].some(
        (r) => r.connectorId === job.doc.connector.id && (r.jobType === 'access_control') === isAcl,
      );
      if (busy) continue; // the connector lock allows one content and one ACL job per connector
      const controller = new AbortController();
      const promise = options
        .executeJob(job, controller.signal)
        .catch((error: unknown) =>
          logger.error({ job: job.id, err: toConnectorError(error).message }, 'Job runner failed'),
        )
        .finally(() => running.delete(job.id));
      running.set(job.id, {
        controller,
        promise,
        jobType: job.doc.job_type,
        connectorId: job.doc.connector.id,
      });
      options.metrics?.jobStarted(job.doc.job_type);
      waiting -= 1;
    }
    options.metrics?.setQueueDepth(waiting);
  }

  async function cleanupPass(): Promise<void> {
    const signal = lifetime.signal;
    const staleBefore = new Date(now().getTime() - settings.job_stale_after * 1000).toISOString();
    for await (const job of controlPlane.listJobs({ statuses: ['in_progress', 'canceling'] }, signal)) {
      if (running.has(job.id)) continue;
      const connector = await controlPlane.getConnector(job.doc.connector.id, signal);
      const acl = job.doc.job_type === 'access_control';
      const statusField = acl ? 'last_access_control_sync_status' : 'last_sync_status';
      const errorField = acl ? 'last_access_control_sync_error' : 'last_sync_error';
      const at = now().toISOString();
      if (!connector || connector.doc.deleted === true) {
        // Orphaned: its connector is gone (soft-deleted ones included, unlike the reference: §13.14).
        const message = 'The job has not seen any update for some time.';
        await controlPlane.updateJob(job.id, { status: 'error', error: message, completed_at: at }, signal);
        logger.warn(
          { job: job.id, connector: job.doc.connector.id },
          'Marked a job of a deleted connector as failed',
        );
        continue;
      }
      const isStale = (seen: string | null) => seen === null || seen <= staleBefore;
      if (!isStale(job.doc.last_seen) || !options.connectorIds.includes(job.doc.connector.id)) continue;
      // The listing is a search, which may lag behind the job's last heartbeat (Elasticsearch shows writes
      // to searches after a refresh). Decide on the job as it is now, and change it only if no heartbeat
      // lands in between: otherwise a live job of another worker would be suspended and run twice.
      const fresh = await controlPlane.getJob(job.id, signal);
      if (
        !fresh ||
        (fresh.doc.status !== 'in_progress' && fresh.doc.status !== 'canceling') ||
        !isStale(fresh.doc.last_seen)
      )
        continue;
      if (fresh.doc.status === 'canceling') {
        const outcome = await controlPlane.updateJob(
          job.id,
          { status: 'canceled', canceled_at: at, completed_at: at },
          signal,
          { ifVersion: fresh.version },
        );
        if (outcome === 'conflict') continue;
        await controlPlane.updateConnector(
          connector.id,
          { [statusField]: 'canceled', [errorField]: null },
          { signal },
        );
        logger.warn({ job: job.id }, 'Finished the cancelation of a job whose worker stopped reporting');
        continue;
      }
      // Its worker died (crash, kill -9, lost host): suspend it so that a worker resumes it from its
      // checkpoint, instead of failing it after five minutes like the reference.
      const outcome = await controlPlane.updateJob(job.id, { status: 'suspended' }, signal, {
        ifVersion: fresh.version,
      });
      if (outcome === 'conflict') continue;
      await controlPlane.updateConnector(connector.id, { [statusField]: 'suspended' }, { signal });
      logger.warn(
        { job: job.id, connector: connector.id, last_seen: fresh.doc.last_seen },
        'A running job stopped reporting: suspended it to resume from its checkpoint',
      );
    }
    await removeFinishedScratchFiles(signal);
    // Weakness 8: release a connector lock held by no live job (crash between lock and claim).
    for (const connector of await controlPlane.listConnectors(options.connectorIds, signal)) {
      for (const [statusField, types] of [
        ['last_sync_status', ['full', 'incremental']],
        ['last_access_control_sync_status', ['access_control']],
      ] as const) {
        if (connector.doc[statusField] !== 'in_progress') continue;
        let live = false;
        for await (const job of controlPlane.listJobs(
          { connectorIds: [connector.id], jobTypes: types, statuses: ['in_progress', 'canceling'] },
          signal,
        )) {
          if (job) live = true;
        }
        const key = `${connector.id}:${statusField}`;
        const localJob = [...running.values()].some(
          (r) => r.connectorId === connector.id && types.includes(r.jobType as never),
        );
        if (live || localJob) {
          orphanLocksSince.delete(key);
          continue;
        }
        // Another worker may be between taking the lock and claiming its job: release only the same lock
        // (the same connector version) seen orphaned for longer than a job may go without heartbeat. A
        // worker that finished its job and locked again for the next one holds a new lock, which gets its
        // own time to claim (releasing it would let a second worker claim that job too).
        const seen = orphanLocksSince.get(key);
        if (seen === undefined || seen.version !== connector.version) {
          orphanLocksSince.set(key, { since: now().getTime(), version: connector.version });
          continue;
        }
        if (now().getTime() - seen.since >= settings.job_stale_after * 1000) {
          orphanLocksSince.delete(key);
          await controlPlane.updateConnector(
            connector.id,
            { [statusField]: 'error' },
            { ifVersion: connector.version, signal },
          );
          logger.warn(
            { connector: connector.id, field: statusField },
            'Released a connector lock held by no running job',
          );
        }
      }
    }
  }

  /** Reconciliation tables of jobs that ended (or vanished) while their process was killed. */
  async function removeFinishedScratchFiles(signal: AbortSignal): Promise<void> {
    if (!options.scratchDir) return;
    const names = await readdir(options.scratchDir).catch(() => [] as string[]);
    for (const name of names) {
      const match = /^sync-scratch-(.+)\.sqlite$/.exec(name);
      if (!match?.[1] || running.has(match[1])) continue;
      const job = await controlPlane.getJob(match[1], signal);
      if (job && !['completed', 'error', 'canceled'].includes(job.doc.status)) continue;
      for (const suffix of ['', '-wal', '-shm', '-journal']) {
        await rm(path.join(options.scratchDir, `${name}${suffix}`), { force: true });
      }
      logger.debug({ file: name }, 'Removed the reconciliation table of a finished job');
    }
  }

  async function loop(name: string, intervalSeconds: number, pass: () => Promise<void>): Promise<void> {
    const failures: number[] = [];
    while (!lifetime.signal.aborted) {
      try {
        await pass();
      } catch (error) {
        if (lifetime.signal.aborted) break;
        logLoopError(name, error);
        const t = now().getTime();
        failures.push(t);
        while (failures.length && (failures[0] as number) < t - settings.max_errors_span * 1000)
          failures.shift();
        if (failures.length > settings.max_errors) {
          // The Python service exits here (§13.20); we keep running with a longer pause instead.
          logger.error({ loop: name, errors: failures.length }, `${name} loop keeps failing; backing off`);
          await sleep(Math.min(settings.idling * 4, 300) * 1000, lifetime.signal).catch(() => undefined);
        }
      }
      await sleep(intervalSeconds * 1000, lifetime.signal).catch(() => undefined);
    }
  }

  let runPromise: Promise<void> | undefined;
  return {
    get runningJobs() {
      return running.size;
    },
    get ready() {
      return ready;
    },
    async tick() {
      await schedulingPass();
      await executionPass();
      await cleanupPass();
    },
    run() {
      runPromise ??= Promise.all([
        loop('schedule', settings.idling, schedulingPass),
        loop('sync', Math.min(settings.idling, 5), executionPass),
        loop('cleanup', Math.min(settings.job_cleanup_interval, settings.job_stale_after), cleanupPass),
      ]).then(() => undefined);
      return runPromise;
    },
    async stop(stopOptions = {}) {
      lifetime.abort();
      for (const job of running.values()) job.controller.abort(new SuspendSignalReason('service shutdown'));
      const all = Promise.all([...running.values()].map((job) => job.promise));
      const grace = new AbortController();
      await Promise.race([all, sleep(stopOptions.graceMs ?? 8000, grace.signal).catch(() => undefined)]);
      grace.abort();
      await runPromise;
    },
  };
}
