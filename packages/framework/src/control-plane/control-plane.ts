import type { JsonValue } from '../document/json.js';
import type { ConnectorDoc, JobStatus, JobType, SyncJobDoc, TriggerMethod, Versioned } from './records.js';

/** Which jobs to list. */
export interface JobQuery {
  readonly statuses?: readonly JobStatus[];
  readonly connectorIds?: readonly string[];
  readonly jobTypes?: readonly JobType[];
  /** Only jobs whose `last_seen` is at or before this instant (idle-job cleanup). */
  readonly lastSeenBefore?: string;
}

/** Counters written to a job while it runs and when it ends. */
export interface JobStats {
  readonly indexed_document_count: number;
  readonly indexed_document_volume: number;
  readonly deleted_document_count: number;
  readonly total_document_count?: number;
}

/**
 * Where connectors, jobs, cursors and checkpoints live: the Connector API on Elasticsearch, or the embedded
 * store. The service's loops and the job runner are written once against this contract.
 */
export interface ControlPlane {
  readonly kind: 'elasticsearch' | 'embedded';
  /** Connectors by id (missing ids are left out; soft-deleted ones too). */
  listConnectors(ids: readonly string[], signal: AbortSignal): Promise<Versioned<ConnectorDoc>[]>;
  getConnector(id: string, signal: AbortSignal): Promise<Versioned<ConnectorDoc> | undefined>;
  /**
   * Merges `patch` into the connector. With `ifVersion`, applies only if unchanged since that version and
   * returns `'conflict'` otherwise.
   */
  updateConnector(
    id: string,
    patch: Partial<ConnectorDoc>,
    options: { readonly ifVersion?: string; readonly signal: AbortSignal },
  ): Promise<'ok' | 'conflict'>;
  /** Heartbeat: sets the connector's `last_seen` to now. */
  checkIn(id: string, signal: AbortSignal): Promise<void>;

  /** Creates a pending job with a snapshot of the connector; returns its id. */
  createJob(
    request: {
      readonly connectorId: string;
      readonly jobType: JobType;
      readonly triggerMethod: TriggerMethod;
    },
    signal: AbortSignal,
  ): Promise<string>;
  getJob(id: string, signal: AbortSignal): Promise<Versioned<SyncJobDoc> | undefined>;
  /** Jobs matching `query`, oldest `created_at` first. */
  listJobs(query: JobQuery, signal: AbortSignal): AsyncIterable<Versioned<SyncJobDoc>>;
  /** Marks a job `in_progress` for this worker (the caller holds the connector lock). */
  claimJob(
    id: string,
    claim: { readonly workerHostname: string; readonly syncCursor?: JsonValue },
    signal: AbortSignal,
  ): Promise<void>;
  /** Writes running counters and refreshes the job's `last_seen`. */
  updateJobStats(id: string, stats: JobStats, signal: AbortSignal): Promise<void>;
  /**
   * Writes a status change and any of the terminal fields (`error`, `completed_at`, counters...). With
   * `ifVersion`, applies only if the job is unchanged since that version (a heartbeat counts as a change)
   * and returns `'conflict'` otherwise.
   */
  updateJob(
    id: string,
    patch: Partial<SyncJobDoc>,
    signal: AbortSignal,
    options?: { readonly ifVersion?: string },
  ): Promise<'ok' | 'conflict'>;
  /** Requests cancellation (pending/suspended → canceled, in_progress → canceling). */
  cancelJob(id: string, signal: AbortSignal): Promise<void>;

  /** Loads the resume point of an interrupted job. */
  loadCheckpoint(jobId: string, signal: AbortSignal): Promise<JsonValue | undefined>;
  /** Persists a resume point (called only after the sink acknowledged the writes before it). */
  saveCheckpoint(jobId: string, checkpoint: JsonValue | null, signal: AbortSignal): Promise<void>;
}
