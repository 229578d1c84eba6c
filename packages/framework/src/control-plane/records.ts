import type { JsonObject, JsonValue } from '../document/json.js';
import type { PipelineSettings } from '../sink/sink.js';

/** Connector status values (spec 2.2). */
export type ConnectorStatus = 'created' | 'needs_configuration' | 'configured' | 'connected' | 'error';
/** Job types (spec 3.2). */
export type JobType = 'full' | 'incremental' | 'access_control';
/** Job triggers. */
export type TriggerMethod = 'on_demand' | 'scheduled';
/** Job status values (spec 3.3). */
export type JobStatus =
  'pending' | 'in_progress' | 'canceling' | 'canceled' | 'suspended' | 'completed' | 'error';

/** One `configuration.<key>` entry as Kibana reads and writes it (spec 2.3). */
export interface ConfigurationEntry {
  label: string;
  display: string;
  type: 'str' | 'int' | 'bool' | 'list';
  value: JsonValue;
  default_value: JsonValue;
  required: boolean;
  sensitive: boolean;
  order: number;
  depends_on: { field: string; value: JsonValue }[];
  validations: { type: string; constraint: JsonValue }[];
  tooltip: string | null;
  ui_restrictions: string[];
  options?: { label: string; value: JsonValue }[];
  placeholder?: string;
  category?: string;
}

/** A basic sync rule (spec 2.5). */
export interface SyncRule {
  id: string;
  policy: 'include' | 'exclude';
  field: string;
  rule: 'equals' | 'contains' | 'starts_with' | 'ends_with' | 'regex' | '<' | '>';
  value: string;
  order: number;
  created_at?: string;
  updated_at?: string;
}

/** Validation state of a filter. */
export interface FilteringValidation {
  state: 'valid' | 'invalid' | 'edited';
  errors: { ids: string[]; messages: string[] }[];
}

/** One filter (draft or active). */
export interface Filter {
  rules: SyncRule[];
  advanced_snippet: { value: JsonValue; created_at?: string; updated_at?: string };
  validation: FilteringValidation;
}

/** One filtering domain entry (only `DEFAULT` is used). */
export interface FilteringDomain {
  domain: string;
  draft: Filter;
  active: Filter;
}

/** A schedule (Quartz cron). */
export interface Schedule {
  enabled: boolean;
  interval: string;
}

/** Capability flags written from the source (spec 2.4). */
export interface ConnectorFeatures {
  sync_rules?: { basic?: { enabled: boolean }; advanced?: { enabled: boolean } };
  document_level_security?: { enabled: boolean };
  incremental_sync?: { enabled: boolean };
  native_connector_api_keys?: { enabled: boolean };
  [legacy: string]: unknown;
}

/** The connector record (`.elastic-connectors`, spec 2.1), field names as on the wire. */
export interface ConnectorDoc {
  api_key_id?: string | null;
  api_key_secret_id?: string | null;
  configuration: Record<string, ConfigurationEntry>;
  custom_scheduling?: JsonObject;
  description?: string | null;
  error: string | null;
  features: ConnectorFeatures;
  filtering: FilteringDomain[];
  index_name: string | null;
  is_native: boolean;
  language: string | null;
  last_access_control_sync_error: string | null;
  last_access_control_sync_scheduled_at: string | null;
  last_access_control_sync_status: JobStatus | null;
  last_deleted_document_count: number | null;
  last_incremental_sync_scheduled_at: string | null;
  last_indexed_document_count: number | null;
  last_seen: string | null;
  last_sync_error: string | null;
  last_sync_scheduled_at: string | null;
  last_sync_status: JobStatus | null;
  last_synced: string | null;
  name: string;
  pipeline: PipelineSettings | null;
  scheduling: { full: Schedule; incremental: Schedule; access_control: Schedule };
  service_type: string | null;
  status: ConnectorStatus;
  sync_cursor: JsonValue;
  sync_now?: boolean;
  deleted?: boolean;
}

/** The connector snapshot stored in a job (spec 3.1). */
export interface JobConnectorSnapshot {
  id: string;
  index_name: string;
  language: string | null;
  pipeline: PipelineSettings | null;
  service_type: string;
  configuration: Record<string, ConfigurationEntry>;
  filtering: Filter;
  sync_cursor?: JsonValue;
}

/** The sync job record (`.elastic-connectors-sync-jobs`, spec 3.1). */
export interface SyncJobDoc {
  job_type: JobType;
  trigger_method: TriggerMethod;
  status: JobStatus;
  connector: JobConnectorSnapshot;
  created_at: string;
  started_at: string | null;
  last_seen: string | null;
  completed_at: string | null;
  cancelation_requested_at: string | null;
  canceled_at: string | null;
  worker_hostname: string | null;
  indexed_document_count: number;
  indexed_document_volume: number;
  deleted_document_count: number;
  total_document_count: number | null;
  error: string | null;
  metadata: JsonObject;
}

/** A record with its id and an opaque optimistic-concurrency version. */
export interface Versioned<T> {
  readonly id: string;
  readonly doc: T;
  /** Opaque version for conditional updates (`seq_no:primary_term` on Elasticsearch). */
  readonly version: string;
}
