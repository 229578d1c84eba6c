import type {
  ConnectorDoc,
  Filter,
  JobConnectorSnapshot,
  JsonObject,
  Schedule,
  SyncJobDoc,
} from '@connectors/framework';

const DEFAULT_SCHEDULE: Schedule = { enabled: false, interval: '0 0 0 * * ?' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function schedule(value: unknown): Schedule {
  if (!isObject(value)) return { ...DEFAULT_SCHEDULE };
  return {
    enabled: value.enabled === true,
    interval: typeof value.interval === 'string' ? value.interval : DEFAULT_SCHEDULE.interval,
  };
}

function filter(value: unknown): Filter {
  const raw = isObject(value) ? value : {};
  const validation = isObject(raw.validation) ? raw.validation : {};
  return {
    ...raw,
    rules: Array.isArray(raw.rules) ? (raw.rules as Filter['rules']) : [],
    advanced_snippet: isObject(raw.advanced_snippet)
      ? (raw.advanced_snippet as Filter['advanced_snippet'])
      : { value: {} },
    validation: {
      state: (validation.state as Filter['validation']['state'] | undefined) ?? 'valid',
      errors: Array.isArray(validation.errors) ? (validation.errors as Filter['validation']['errors']) : [],
    },
  };
}

/**
 * Reads a `.elastic-connectors` document leniently: every field the framework reads is present (null or
 * the Connector API default when absent); unknown fields are kept as they are.
 */
export function toConnectorDoc(source: Record<string, unknown>): ConnectorDoc {
  const scheduling = isObject(source.scheduling) ? source.scheduling : {};
  return {
    ...(source as Partial<ConnectorDoc>),
    configuration: isObject(source.configuration)
      ? (source.configuration as ConnectorDoc['configuration'])
      : {},
    error: str(source.error),
    features: isObject(source.features) ? (source.features as ConnectorDoc['features']) : {},
    filtering: Array.isArray(source.filtering) ? (source.filtering as ConnectorDoc['filtering']) : [],
    index_name: str(source.index_name),
    is_native: source.is_native === true,
    language: str(source.language),
    last_access_control_sync_error: str(source.last_access_control_sync_error),
    last_access_control_sync_scheduled_at: str(source.last_access_control_sync_scheduled_at),
    last_access_control_sync_status: str(
      source.last_access_control_sync_status,
    ) as ConnectorDoc['last_access_control_sync_status'],
    last_deleted_document_count: num(source.last_deleted_document_count),
    last_incremental_sync_scheduled_at: str(source.last_incremental_sync_scheduled_at),
    last_indexed_document_count: num(source.last_indexed_document_count),
    last_seen: str(source.last_seen),
    last_sync_error: str(source.last_sync_error),
    last_sync_scheduled_at: str(source.last_sync_scheduled_at),
    last_sync_status: str(source.last_sync_status) as ConnectorDoc['last_sync_status'],
    last_synced: str(source.last_synced),
    name: typeof source.name === 'string' ? source.name : '',
    pipeline: isObject(source.pipeline) ? (source.pipeline as unknown as ConnectorDoc['pipeline']) : null,
    scheduling: {
      full: schedule(scheduling.full),
      incremental: schedule(scheduling.incremental),
      access_control: schedule(scheduling.access_control),
    },
    service_type: str(source.service_type),
    status: (str(source.status) ?? 'created') as ConnectorDoc['status'],
    sync_cursor: (source.sync_cursor ?? null) as ConnectorDoc['sync_cursor'],
  };
}

/** Reads a `.elastic-connectors-sync-jobs` document leniently (counters default to 0, dates to null). */
export function toSyncJobDoc(source: Record<string, unknown>): SyncJobDoc {
  const connector = isObject(source.connector) ? source.connector : {};
  const snapshot: JobConnectorSnapshot = {
    ...(connector as Partial<JobConnectorSnapshot>),
    id: typeof connector.id === 'string' ? connector.id : '',
    index_name: typeof connector.index_name === 'string' ? connector.index_name : '',
    language: str(connector.language),
    pipeline: isObject(connector.pipeline)
      ? (connector.pipeline as unknown as JobConnectorSnapshot['pipeline'])
      : null,
    service_type: typeof connector.service_type === 'string' ? connector.service_type : '',
    configuration: isObject(connector.configuration)
      ? (connector.configuration as JobConnectorSnapshot['configuration'])
      : {},
    filtering: filter(Array.isArray(connector.filtering) ? connector.filtering[0] : connector.filtering),
  };
  return {
    ...(source as Partial<SyncJobDoc>),
    job_type: (str(source.job_type) ?? 'full') as SyncJobDoc['job_type'],
    trigger_method: (str(source.trigger_method) ?? 'on_demand') as SyncJobDoc['trigger_method'],
    status: (str(source.status) ?? 'pending') as SyncJobDoc['status'],
    connector: snapshot,
    created_at: str(source.created_at) ?? '',
    started_at: str(source.started_at),
    last_seen: str(source.last_seen),
    completed_at: str(source.completed_at),
    cancelation_requested_at: str(source.cancelation_requested_at),
    canceled_at: str(source.canceled_at),
    worker_hostname: str(source.worker_hostname),
    indexed_document_count: num(source.indexed_document_count) ?? 0,
    indexed_document_volume: num(source.indexed_document_volume) ?? 0,
    deleted_document_count: num(source.deleted_document_count) ?? 0,
    total_document_count: num(source.total_document_count),
    error: str(source.error),
    metadata: isObject(source.metadata) ? (source.metadata as JsonObject) : {},
  };
}
