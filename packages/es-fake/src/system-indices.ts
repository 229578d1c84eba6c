import type { IndexMappings } from './mapping.js';

const kw = { type: 'keyword' };
const date = { type: 'date' };
const long = { type: 'long' };
const bool = { type: 'boolean' };
const opaque = { type: 'object', enabled: false };

/** Mappings of `.elastic-connectors-v1` (close to the built-in template: `dynamic: false`, keyword ids and statuses). */
export const CONNECTORS_MAPPINGS: IndexMappings = {
  dynamic: false,
  _meta: {
    version: 1,
    pipeline: {
      default_name: 'search-default-ingestion',
      default_extract_binary_content: true,
      default_reduce_whitespace: true,
      default_run_ml_inference: true,
    },
  },
  properties: {
    api_key_id: kw,
    api_key_secret_id: kw,
    configuration: opaque,
    custom_scheduling: opaque,
    deleted: bool,
    description: { type: 'text' },
    error: kw,
    features: opaque,
    filtering: opaque,
    index_name: kw,
    is_native: bool,
    language: kw,
    last_access_control_sync_error: kw,
    last_access_control_sync_scheduled_at: date,
    last_access_control_sync_status: kw,
    last_deleted_document_count: long,
    last_incremental_sync_scheduled_at: date,
    last_indexed_document_count: long,
    last_seen: date,
    last_sync_error: kw,
    last_sync_scheduled_at: date,
    last_sync_status: kw,
    last_synced: date,
    name: kw,
    pipeline: opaque,
    scheduling: opaque,
    service_type: kw,
    status: kw,
    sync_cursor: opaque,
    sync_now: bool,
  },
};

/** Mappings of `.elastic-connectors-sync-jobs-v1`. */
export const SYNC_JOBS_MAPPINGS: IndexMappings = {
  dynamic: false,
  _meta: { version: 1 },
  properties: {
    cancelation_requested_at: date,
    canceled_at: date,
    completed_at: date,
    connector: {
      properties: {
        configuration: opaque,
        filtering: opaque,
        id: kw,
        index_name: kw,
        language: kw,
        pipeline: opaque,
        service_type: kw,
        sync_cursor: opaque,
      },
    },
    created_at: date,
    deleted_document_count: long,
    error: kw,
    indexed_document_count: long,
    indexed_document_volume: long,
    job_type: kw,
    last_seen: date,
    metadata: opaque,
    started_at: date,
    status: kw,
    total_document_count: long,
    trigger_method: kw,
    worker_hostname: kw,
  },
};

/** Connector system indices by alias. */
export const SYSTEM_INDICES: Readonly<Record<string, { index: string; mappings: IndexMappings }>> = {
  '.elastic-connectors': { index: '.elastic-connectors-v1', mappings: CONNECTORS_MAPPINGS },
  '.elastic-connectors-sync-jobs': {
    index: '.elastic-connectors-sync-jobs-v1',
    mappings: SYNC_JOBS_MAPPINGS,
  },
};

/** Alias of the connectors index. */
export const CONNECTORS_ALIAS = '.elastic-connectors';
/** Alias of the sync-jobs index. */
export const SYNC_JOBS_ALIAS = '.elastic-connectors-sync-jobs';
