import type { ConnectorDoc, Filter } from './records.js';

/** The default filter: only the catch-all `DEFAULT` rule (spec 2.5). */
export function createDefaultFilter(now: string): Filter {
  return {
    rules: [
      {
        id: 'DEFAULT',
        policy: 'include',
        field: '_',
        rule: 'regex',
        value: '.*',
        order: 0,
        created_at: now,
        updated_at: now,
      },
    ],
    advanced_snippet: { value: {}, created_at: now, updated_at: now },
    validation: { state: 'valid', errors: [] },
  };
}

/**
 * A complete connector record as the Connector API creates one (every field Kibana reads present, schedules
 * off, the DEFAULT filtering domain), with `overrides` applied.
 */
export function createConnectorDoc(
  overrides: Partial<ConnectorDoc> = {},
  now = new Date().toISOString(),
): ConnectorDoc {
  const disabled = { enabled: false, interval: '0 0 0 * * ?' };
  return {
    configuration: {},
    description: null,
    error: null,
    features: {},
    filtering: [{ domain: 'DEFAULT', draft: createDefaultFilter(now), active: createDefaultFilter(now) }],
    index_name: null,
    is_native: false,
    language: null,
    last_access_control_sync_error: null,
    last_access_control_sync_scheduled_at: null,
    last_access_control_sync_status: null,
    last_deleted_document_count: null,
    last_incremental_sync_scheduled_at: null,
    last_indexed_document_count: null,
    last_seen: null,
    last_sync_error: null,
    last_sync_scheduled_at: null,
    last_sync_status: null,
    last_synced: null,
    name: '',
    pipeline: null,
    scheduling: { full: { ...disabled }, incremental: { ...disabled }, access_control: { ...disabled } },
    service_type: null,
    status: 'created',
    sync_cursor: null,
    ...overrides,
  };
}
