import { createConnectorDoc } from '../control-plane/create-connector-doc.js';
import type { ControlPlane, JobQuery, JobStats } from '../control-plane/control-plane.js';
import type {
  ConnectorDoc,
  JobType,
  SyncJobDoc,
  TriggerMethod,
  Versioned,
} from '../control-plane/records.js';
import type { JsonValue } from '../document/json.js';
import { ConnectorError } from '../errors/connector-error.js';

/** An in-memory control plane for tests, with helpers to seed connectors and inspect records. */
export interface MemoryControlPlane extends ControlPlane {
  /** Adds a connector (defaults filled in) and returns its id. */
  addConnector(id: string, doc: Partial<ConnectorDoc>): string;
  /** Current connector document (throws when missing). */
  connector(id: string): ConnectorDoc;
  /** Current job document (throws when missing). */
  job(id: string): SyncJobDoc;
  /** Saved checkpoints by job id. */
  readonly checkpoints: Map<string, JsonValue>;
  /** Every `updateJobStats` call, in order. */
  readonly statsUpdates: { jobId: string; stats: JobStats }[];
  /** Makes the next `n` conditional connector updates return `conflict` (simulates another worker). */
  conflictNext(n: number): void;
}

/** The connector document every connector starts from. */
export function defaultConnectorDoc(overrides: Partial<ConnectorDoc> = {}): ConnectorDoc {
  return createConnectorDoc({
    filtering: [],
    index_name: 'search-test',
    name: 'test',
    service_type: 'synthetic',
    status: 'configured',
    ...overrides,
  });
}

/** Creates an in-memory control plane. */
export function createMemoryControlPlane(): MemoryControlPlane {
  const connectors = new Map<string, { doc: ConnectorDoc; version: number }>();
  const jobs = new Map<string, { doc: SyncJobDoc; version: number }>();
  const checkpoints = new Map<string, JsonValue>();
  const statsUpdates: { jobId: string; stats: JobStats }[] = [];
  let conflicts = 0;
  let nextJob = 1;
  const now = () => new Date().toISOString();
  const clone = <T>(value: T): T => structuredClone(value);
  const getJobEntry = (id: string) => {
    const entry = jobs.get(id);
    if (!entry) throw new ConnectorError('NOT_FOUND', `Job ${id} not found`);
    return entry;
  };

  const plane: MemoryControlPlane = {
    kind: 'embedded',
    checkpoints,
    statsUpdates,
    conflictNext(n) {
      conflicts = n;
    },
    addConnector(id, doc) {
      connectors.set(id, { doc: defaultConnectorDoc(doc), version: 1 });
      return id;
    },
    connector(id) {
      const entry = connectors.get(id);
      if (!entry) throw new Error(`connector ${id} not found`);
      return clone(entry.doc);
    },
    job(id) {
      return clone(getJobEntry(id).doc);
    },
    listConnectors(ids) {
      return Promise.resolve(
        ids.flatMap((id) => {
          const entry = connectors.get(id);
          return entry && !entry.doc.deleted
            ? [{ id, doc: clone(entry.doc), version: String(entry.version) }]
            : [];
        }),
      );
    },
    getConnector(id) {
      const entry = connectors.get(id);
      return Promise.resolve(
        entry && !entry.doc.deleted
          ? { id, doc: clone(entry.doc), version: String(entry.version) }
          : undefined,
      );
    },
    updateConnector(id, patch, options) {
      const entry = connectors.get(id);
      if (!entry) return Promise.reject(new ConnectorError('NOT_FOUND', `Connector ${id} not found`));
      if (options.ifVersion !== undefined) {
        if (conflicts > 0) {
          conflicts -= 1;
          entry.version += 1;
          return Promise.resolve('conflict' as const);
        }
        if (options.ifVersion !== String(entry.version)) return Promise.resolve('conflict' as const);
      }
      entry.doc = { ...entry.doc, ...clone(patch) };
      entry.version += 1;
      return Promise.resolve('ok' as const);
    },
    checkIn(id) {
      const entry = connectors.get(id);
      if (entry) entry.doc.last_seen = now();
      return Promise.resolve();
    },
    createJob(request: { connectorId: string; jobType: JobType; triggerMethod: TriggerMethod }) {
      const entry = connectors.get(request.connectorId);
      if (!entry || !entry.doc.index_name || !entry.doc.service_type) {
        return Promise.reject(
          new ConnectorError('CONFIG_INVALID', 'Connector has no index_name or service_type'),
        );
      }
      const id = `job-${nextJob++}`;
      const created = now();
      const active = entry.doc.filtering.find((f) => f.domain === 'DEFAULT')?.active ?? {
        rules: [],
        advanced_snippet: { value: {} },
        validation: { state: 'valid', errors: [] },
      };
      jobs.set(id, {
        version: 1,
        doc: {
          job_type: request.jobType,
          trigger_method: request.triggerMethod,
          status: 'pending',
          connector: {
            id: request.connectorId,
            index_name:
              request.jobType === 'access_control'
                ? `.search-acl-filter-${entry.doc.index_name}`
                : entry.doc.index_name,
            language: entry.doc.language,
            pipeline: entry.doc.pipeline,
            service_type: entry.doc.service_type,
            configuration: clone(entry.doc.configuration),
            filtering: clone(active),
          },
          created_at: created,
          started_at: null,
          last_seen: created,
          completed_at: null,
          cancelation_requested_at: null,
          canceled_at: null,
          worker_hostname: null,
          indexed_document_count: 0,
          indexed_document_volume: 0,
          deleted_document_count: 0,
          total_document_count: null,
          error: null,
          metadata: {},
        },
      });
      return Promise.resolve(id);
    },
    getJob(id) {
      const entry = jobs.get(id);
      return Promise.resolve(
        entry ? { id, doc: clone(entry.doc), version: String(entry.version) } : undefined,
      );
    },
    async *listJobs(query: JobQuery) {
      const matching = [...jobs].filter(
        ([, { doc }]) =>
          (!query.statuses || query.statuses.includes(doc.status)) &&
          (!query.connectorIds || query.connectorIds.includes(doc.connector.id)) &&
          (!query.jobTypes || query.jobTypes.includes(doc.job_type)),
      );
      await Promise.resolve();
      for (const [id, { doc, version }] of matching)
        yield { id, doc: clone(doc), version: String(version) } as Versioned<SyncJobDoc>;
    },
    claimJob(id, claim) {
      const entry = getJobEntry(id);
      const at = now();
      entry.doc = {
        ...entry.doc,
        status: 'in_progress',
        started_at: at,
        last_seen: at,
        worker_hostname: claim.workerHostname,
        connector: {
          ...entry.doc.connector,
          ...(claim.syncCursor !== undefined ? { sync_cursor: clone(claim.syncCursor) } : {}),
        },
      };
      entry.version += 1;
      return Promise.resolve();
    },
    updateJobStats(id, stats) {
      const entry = getJobEntry(id);
      statsUpdates.push({ jobId: id, stats: { ...stats } });
      entry.doc = { ...entry.doc, ...stats, last_seen: now() };
      entry.version += 1;
      return Promise.resolve();
    },
    updateJob(id, patch, _signal, options = {}) {
      const entry = getJobEntry(id);
      if (options.ifVersion !== undefined && options.ifVersion !== String(entry.version))
        return Promise.resolve('conflict' as const);
      entry.doc = { ...entry.doc, ...clone(patch) };
      entry.version += 1;
      return Promise.resolve('ok' as const);
    },
    cancelJob(id) {
      const entry = getJobEntry(id);
      const at = now();
      if (entry.doc.status === 'pending' || entry.doc.status === 'suspended') {
        entry.doc = {
          ...entry.doc,
          status: 'canceled',
          cancelation_requested_at: at,
          canceled_at: at,
          completed_at: at,
        };
      } else if (entry.doc.status === 'in_progress') {
        entry.doc = { ...entry.doc, status: 'canceling', cancelation_requested_at: at };
      } else {
        return Promise.reject(
          new ConnectorError('CONFLICT', `Job ${id} is ${entry.doc.status}; it cannot be canceled`),
        );
      }
      entry.version += 1;
      return Promise.resolve();
    },
    loadCheckpoint(jobId) {
      return Promise.resolve(checkpoints.has(jobId) ? clone(checkpoints.get(jobId)) : undefined);
    },
    saveCheckpoint(jobId, checkpoint) {
      if (checkpoint === null) checkpoints.delete(jobId);
      else checkpoints.set(jobId, clone(checkpoint));
      return Promise.resolve();
    },
  };
  return plane;
}
