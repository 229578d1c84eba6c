import type { Client, estypes } from '@elastic/elasticsearch';
import {
  ConnectorError,
  noopLogger,
  toConfigurationSchema,
  type ConnectorDoc,
  type ControlPlane,
  type FilteringValidation,
  type JobQuery,
  type JobStats,
  type JobStatus,
  type JobType,
  type JsonValue,
  type Logger,
  type SourceDefinition,
  type SyncJobDoc,
  type Versioned,
} from '@connectors/framework';
import { isIndexNotFound, paginateWithPit } from './paginate-with-pit.js';
import { planConnectorPreparation, sameJson, toConnectorFeatures } from './plan-connector-preparation.js';
import { DEFAULT_RETRY_POLICY, isRejectedUnapplied, withRetry, type RetryPolicy } from './retry-policy.js';
import { errorStatus } from './to-elasticsearch-error.js';
import { toConnectorDoc, toSyncJobDoc } from './to-connector-doc.js';

/** The alias of the connector index. */
export const CONNECTORS_INDEX = '.elastic-connectors';
/** The alias of the sync-job index. */
export const JOBS_INDEX = '.elastic-connectors-sync-jobs';

/** License levels in the order the service compares them (spec framework 4.5). */
export const LICENSE_ORDER = ['basic', 'gold', 'platinum', 'enterprise', 'trial'] as const;
/** A license level. */
export type LicenseLevel = (typeof LICENSE_ORDER)[number];

/** The cluster license as `GET _license` reports it. */
export interface LicenseInfo {
  readonly type: string;
  readonly status: string;
}

/** Options of {@link createConnectorApiControlPlane}. */
export interface ConnectorApiControlPlaneOptions {
  /** Retries of transient failures. @default DEFAULT_RETRY_POLICY */
  readonly retry?: RetryPolicy;
  /** Jobs per page when listing. @default 100 */
  readonly pageSize?: number;
  readonly logger?: Logger;
}

/** The Elasticsearch control plane plus what the service needs beyond the framework contract. */
export interface ConnectorApiControlPlane extends ControlPlane {
  readonly kind: 'elasticsearch';
  /**
   * Registers a source on its connector (first run and upgrades, spec framework 2.3): configuration schema,
   * `needs_configuration` status, `service_type`, `features`; never replaces a value a user entered.
   * OCC-guarded (re-read and retried on conflict). Returns the connector as stored afterwards, or undefined
   * when the connector does not exist.
   */
  prepareConnector(
    id: string,
    source: Pick<SourceDefinition, 'configuration' | 'capabilities'>,
    options: { readonly serviceType: string; readonly signal: AbortSignal },
  ): Promise<Versioned<ConnectorDoc> | undefined>;
  /** Writes the draft filtering validation (`PUT _connector/<id>/_filtering/_validation`). */
  writeFilteringValidation(id: string, validation: FilteringValidation, signal: AbortSignal): Promise<void>;
  /** Promotes a valid draft to active (`PUT _connector/<id>/_filtering/_activate`). */
  activateFiltering(id: string, signal: AbortSignal): Promise<void>;
  /** The cluster license (`GET _license`). */
  license(signal: AbortSignal): Promise<LicenseInfo>;
  /** True when the license is active and at least `level` (basic < gold < platinum < enterprise < trial). */
  hasLicense(level: LicenseLevel, signal: AbortSignal): Promise<boolean>;
  /** Non-deleted, self-managed connectors of these service types (worker mode, spec framework 5.2). */
  listConnectorsByServiceType(
    serviceTypes: readonly string[],
    signal: AbortSignal,
  ): Promise<Versioned<ConnectorDoc>[]>;
}

interface RawDoc {
  _id: string;
  _seq_no?: number;
  _primary_term?: number;
  _source?: Record<string, unknown>;
  found?: boolean;
}

/**
 * Creates the control plane that talks to Kibana's Connector API and the two connector indices exactly as
 * the Python service does: connectors are read from `.elastic-connectors` (real-time `_mget`/`_doc`, with
 * `version` = `"<seq_no>:<primary_term>"`; soft-deleted ones excluded) and updated with `if_seq_no` /
 * `if_primary_term` (a conflict returns `'conflict'`; patches merge like a partial update, except that
 * `sync_cursor` is replaced whole); heartbeats, job creation, claims, stats, cancel
 * and filtering go through `_connector` APIs; job termination is a direct `_update` on the jobs index.
 * Checkpoints live in the job's `metadata.checkpoint` as a JSON string (Kibana ignores `metadata`; a string
 * is replaced atomically, where an object would be merged key by key by `_update`).
 * @example
 * const controlPlane = createConnectorApiControlPlane(client, { logger });
 * const connectors = await controlPlane.listConnectors(['my-connector'], signal);
 */
export function createConnectorApiControlPlane(
  client: Client,
  options: ConnectorApiControlPlaneOptions = {},
): ConnectorApiControlPlane {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const pageSize = options.pageSize ?? 100;
  const logger = options.logger ?? noopLogger;

  const call = <T>(
    action: string,
    signal: AbortSignal,
    fn: () => Promise<T>,
    retryIf?: (error: ConnectorError) => boolean,
  ): Promise<T> =>
    withRetry(action, fn, {
      policy,
      signal,
      ...(retryIf ? { retryIf } : {}),
      onRetry: ({ attempt, delayMs, error }) =>
        logger.warn({ attempt, delayMs, error: error.message }, `Retrying: ${action}`),
    });

  const api = <T>(
    action: string,
    method: 'GET' | 'PUT' | 'POST',
    path: string,
    signal: AbortSignal,
    body?: Record<string, unknown>,
  ): Promise<T> =>
    call(
      action,
      signal,
      () =>
        client.transport.request<T>({ method, path, ...(body === undefined ? {} : { body }) }, { signal }),
      // A POST creates something: repeat it only when the cluster proved it did not apply it.
      method === 'POST' ? isRejectedUnapplied : undefined,
    );

  function toVersioned<T>(raw: RawDoc, map: (source: Record<string, unknown>) => T): Versioned<T> {
    return {
      id: raw._id,
      doc: map(raw._source ?? {}),
      version: `${raw._seq_no ?? 0}:${raw._primary_term ?? 0}`,
    };
  }

  /** The `if_seq_no`/`if_primary_term` of a version made by {@link toVersioned}; throws on anything else. */
  function toConcurrencyParams(version: string): { if_seq_no: number; if_primary_term: number } {
    const [seqNo, primaryTerm, extra] = version.split(':').map(Number);
    if (extra !== undefined || !Number.isInteger(seqNo) || !Number.isInteger(primaryTerm)) {
      throw new TypeError(`[elasticsearch] Not a document version (seq_no:primary_term): "${version}"`);
    }
    return { if_seq_no: seqNo as number, if_primary_term: primaryTerm as number };
  }

  async function readConnector(id: string, signal: AbortSignal): Promise<RawDoc | undefined> {
    const raw = await call(`Reading connector [${id}]`, signal, () =>
      client.get<Record<string, unknown>>({ index: CONNECTORS_INDEX, id }, { signal, ignore: [404] }),
    );
    if (!raw.found || !raw._source || raw._source.deleted === true) return undefined;
    return raw as RawDoc;
  }

  async function getConnector(id: string, signal: AbortSignal): Promise<Versioned<ConnectorDoc> | undefined> {
    const raw = await readConnector(id, signal);
    return raw ? toVersioned(raw, toConnectorDoc) : undefined;
  }

  async function updateConnector(
    id: string,
    patch: Partial<ConnectorDoc>,
    updateOptions: { readonly ifVersion?: string; readonly signal: AbortSignal },
  ): Promise<'ok' | 'conflict'> {
    const { signal, ifVersion } = updateOptions;
    for (let attempt = 1; ; attempt++) {
      const current = await readConnector(id, signal);
      if (!current) {
        throw new ConnectorError(
          'NOT_FOUND',
          `[elasticsearch] Connector [${id}] not found in ${CONNECTORS_INDEX}`,
        );
      }
      const version = `${current._seq_no ?? 0}:${current._primary_term ?? 0}`;
      if (ifVersion !== undefined && version !== ifVersion) return 'conflict';
      const document = mergePatch(current._source ?? {}, patch);
      try {
        await call(`Updating connector [${id}]`, signal, () =>
          client.index(
            {
              index: CONNECTORS_INDEX,
              id,
              document,
              if_seq_no: current._seq_no ?? 0,
              if_primary_term: current._primary_term ?? 1,
              refresh: true,
            },
            { signal },
          ),
        );
        return 'ok';
      } catch (error) {
        if (errorStatus(causeOf(error)) !== 409) throw error;
        // A conditional write is a lock: another worker writing the very same document (the same lock) is
        // not us, so a conflict is a conflict. (Had a retry of ours been applied, the lock looks orphaned
        // and the cleanup releases it after job_stale_after: safe, where taking it twice is not.)
        if (ifVersion !== undefined) return 'conflict';
        // An unconditional update retried after it had in fact been applied conflicts with itself: a success.
        const now = await readConnector(id, signal);
        if (now && sameJson(now._source, document)) return 'ok';
        if (attempt >= 3) return 'conflict';
      }
    }
  }

  async function getJob(id: string, signal: AbortSignal): Promise<Versioned<SyncJobDoc> | undefined> {
    const raw = await call(`Reading sync job [${id}]`, signal, () =>
      client.get<Record<string, unknown>>({ index: JOBS_INDEX, id }, { signal, ignore: [404] }),
    );
    if (!raw.found || !raw._source) return undefined;
    return toVersioned(raw as RawDoc, toSyncJobDoc);
  }

  async function updateJob(
    id: string,
    patch: Partial<SyncJobDoc>,
    signal: AbortSignal,
    options: { readonly ifVersion?: string } = {},
  ): Promise<'ok' | 'conflict'> {
    // With a version, the update applies only to that version of the document.
    const conditional = options.ifVersion === undefined ? {} : toConcurrencyParams(options.ifVersion);
    try {
      await call(`Updating sync job [${id}]`, signal, () =>
        client.update(
          { index: JOBS_INDEX, id, doc: stripUndefined(patch), refresh: true, ...conditional },
          { signal },
        ),
      );
      return 'ok';
    } catch (error) {
      if (options.ifVersion !== undefined && errorStatus(causeOf(error)) === 409) return 'conflict';
      if (errorStatus(causeOf(error)) === 404) {
        throw new ConnectorError('NOT_FOUND', `[elasticsearch] Sync job [${id}] not found in ${JOBS_INDEX}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async function license(signal: AbortSignal): Promise<LicenseInfo> {
    const response = await call('Reading the license (GET _license)', signal, () =>
      client.license.get({}, { signal }),
    );
    return { type: response.license.type, status: response.license.status };
  }

  return {
    kind: 'elasticsearch',

    async listConnectors(ids, signal) {
      if (!ids.length) return [];
      let response: estypes.MgetResponse<Record<string, unknown>>;
      try {
        response = await call('Listing connectors', signal, () =>
          client.mget<Record<string, unknown>>({ index: CONNECTORS_INDEX, ids: [...ids] }, { signal }),
        );
      } catch (error) {
        if (isIndexNotFound(error)) return [];
        throw error;
      }
      const out: Versioned<ConnectorDoc>[] = [];
      for (const item of response.docs) {
        if (!('found' in item) || !item.found || !item._source || item._source.deleted === true) continue;
        out.push(toVersioned(item as RawDoc, toConnectorDoc));
      }
      return out;
    },

    getConnector,
    updateConnector,

    async checkIn(id, signal) {
      await api(
        `Check-in of connector [${id}]`,
        'PUT',
        `/_connector/${encodeURIComponent(id)}/_check_in`,
        signal,
      );
    },

    async createJob(request, signal) {
      const response = await api<{ id: string }>(
        `Creating a ${request.jobType} sync job for connector [${request.connectorId}]`,
        'POST',
        '/_connector/_sync_job',
        signal,
        { id: request.connectorId, job_type: request.jobType, trigger_method: request.triggerMethod },
      );
      return response.id;
    },

    getJob,

    async *listJobs(query: JobQuery, signal: AbortSignal) {
      for await (const hit of paginateWithPit<Record<string, unknown>>(client, {
        index: JOBS_INDEX,
        query: jobQuery(query),
        sort: [{ created_at: { order: 'asc' } }],
        seqNoPrimaryTerm: true,
        pageSize,
        policy,
        signal,
        logger,
      })) {
        if (!hit._source || hit._id === undefined) continue;
        yield toVersioned({ ...hit, _id: hit._id } as RawDoc, toSyncJobDoc);
      }
    },

    async claimJob(id, claim, signal) {
      await api(
        `Claiming sync job [${id}]`,
        'PUT',
        `/_connector/_sync_job/${encodeURIComponent(id)}/_claim`,
        signal,
        {
          worker_hostname: claim.workerHostname,
          ...(claim.syncCursor === undefined ? {} : { sync_cursor: claim.syncCursor }),
        },
      );
    },

    async updateJobStats(id: string, stats: JobStats, signal: AbortSignal) {
      await api(
        `Updating stats of sync job [${id}]`,
        'PUT',
        `/_connector/_sync_job/${encodeURIComponent(id)}/_stats`,
        signal,
        {
          deleted_document_count: stats.deleted_document_count,
          indexed_document_count: stats.indexed_document_count,
          indexed_document_volume: stats.indexed_document_volume,
          ...(stats.total_document_count === undefined
            ? {}
            : { total_document_count: stats.total_document_count }),
        },
      );
    },

    updateJob,

    async cancelJob(id, signal) {
      await api(
        `Canceling sync job [${id}]`,
        'PUT',
        `/_connector/_sync_job/${encodeURIComponent(id)}/_cancel`,
        signal,
      );
    },

    async loadCheckpoint(jobId, signal) {
      const job = await getJob(jobId, signal);
      const stored = (job?.doc.metadata as Record<string, JsonValue> | undefined)?.checkpoint;
      if (typeof stored !== 'string') return undefined;
      try {
        return JSON.parse(stored) as JsonValue;
      } catch {
        logger.warn({ jobId }, 'Ignoring an unreadable checkpoint on the sync job');
        return undefined;
      }
    },

    async saveCheckpoint(jobId, checkpoint, signal) {
      await updateJob(
        jobId,
        { metadata: { checkpoint: checkpoint === null ? null : JSON.stringify(checkpoint) } },
        signal,
      );
    },

    async prepareConnector(id, source, prepareOptions) {
      const { signal, serviceType } = prepareOptions;
      const schema = toConfigurationSchema(source.configuration);
      const features = toConnectorFeatures(source.capabilities);
      for (let attempt = 1; attempt <= 3; attempt++) {
        const current = await getConnector(id, signal);
        if (!current) return undefined;
        const patch = planConnectorPreparation(current.doc, schema, features, serviceType);
        if (!patch) return current;
        const result = await updateConnector(id, patch, { ifVersion: current.version, signal });
        if (result === 'ok') {
          logger.info(
            { connectorId: id, fields: Object.keys(patch) },
            'Prepared the connector for its source',
          );
          return getConnector(id, signal);
        }
      }
      throw new ConnectorError(
        'CONFLICT',
        `[elasticsearch] Connector [${id}] kept changing while registering its source; retry later`,
        { retryable: true },
      );
    },

    async writeFilteringValidation(id, validation, signal) {
      await api(
        `Writing the filtering validation of connector [${id}]`,
        'PUT',
        `/_connector/${encodeURIComponent(id)}/_filtering/_validation`,
        signal,
        {
          validation,
        },
      );
    },

    async activateFiltering(id, signal) {
      await api(
        `Activating the filtering draft of connector [${id}]`,
        'PUT',
        `/_connector/${encodeURIComponent(id)}/_filtering/_activate`,
        signal,
      );
    },

    license,

    async hasLicense(level, signal) {
      return isLicenseAtLeast(await license(signal), level);
    },

    async listConnectorsByServiceType(serviceTypes, signal) {
      const out: Versioned<ConnectorDoc>[] = [];
      if (!serviceTypes.length) return out;
      for await (const hit of paginateWithPit<Record<string, unknown>>(client, {
        index: CONNECTORS_INDEX,
        query: {
          bool: {
            filter: [{ terms: { service_type: [...serviceTypes] } }, { term: { is_native: false } }],
            must_not: [{ term: { deleted: true } }],
          },
        },
        seqNoPrimaryTerm: true,
        pageSize,
        policy,
        signal,
        logger,
      })) {
        if (hit._source && hit._id !== undefined)
          out.push(toVersioned({ ...hit, _id: hit._id } as RawDoc, toConnectorDoc));
      }
      return out;
    },
  };
}

/** True when `info` is an active license of at least `level` (an expired license is never enough). */
export function isLicenseAtLeast(info: LicenseInfo, level: LicenseLevel): boolean {
  if (info.status !== 'active') return false;
  const have = LICENSE_ORDER.indexOf(info.type as LicenseLevel);
  return have >= 0 && have >= LICENSE_ORDER.indexOf(level);
}

function jobQuery(query: JobQuery): estypes.QueryDslQueryContainer {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (query.statuses?.length) filter.push({ terms: { status: [...query.statuses] as JobStatus[] } });
  if (query.connectorIds?.length) filter.push({ terms: { 'connector.id': [...query.connectorIds] } });
  if (query.jobTypes?.length) filter.push({ terms: { job_type: [...query.jobTypes] as JobType[] } });
  if (query.lastSeenBefore) filter.push({ range: { last_seen: { lte: query.lastSeenBefore } } });
  return filter.length ? { bool: { filter } } : { match_all: {} };
}

/** Top-level fields replaced whole by {@link mergePatch}: an opaque cursor must never keep stale keys. */
const REPLACED_WHOLE = new Set(['sync_cursor']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies `patch` like an Elasticsearch partial update (nested objects merge, arrays and scalars replace,
 * `undefined` is ignored), except that `sync_cursor` is replaced whole.
 */
export function mergePatch(
  target: Record<string, unknown>,
  patch: object,
  topLevel = true,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) && !(topLevel && REPLACED_WHOLE.has(key))
        ? mergePatch(current, value, false)
        : structuredClone(value);
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = inner;
  return out;
}

function causeOf(error: unknown): unknown {
  return ConnectorError.isInstance(error) && error.cause !== undefined ? error.cause : error;
}
