import {
  toConfigurationSchema,
  type ConnectorDoc,
  type ConnectorFeatures,
  type Filter,
  type SourceDefinition,
} from '@connectors/framework';

/** Default pipeline settings (spec 2.7). */
export const DEFAULT_PIPELINE = {
  name: 'search-default-ingestion',
  extract_binary_content: true,
  reduce_whitespace: true,
  run_ml_inference: true,
} as const;

/** The `features` map Kibana reads, from a source's capabilities (spec 2.4). */
export function featuresOf(source: SourceDefinition): ConnectorFeatures {
  return {
    sync_rules: {
      basic: { enabled: source.capabilities.basicRules !== false },
      advanced: { enabled: source.capabilities.advancedRules },
    },
    document_level_security: { enabled: source.capabilities.accessControl },
    incremental_sync: { enabled: source.capabilities.incrementalSync },
    native_connector_api_keys: { enabled: false },
  };
}

/** The default filter: only the catch-all DEFAULT rule. */
export function defaultFilter(now: string): Filter {
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

function toStored(value: unknown): ConnectorDoc['configuration'][string]['value'] {
  if (Array.isArray(value)) return value.map(String).join(',');
  if (value === undefined) return null;
  return value as ConnectorDoc['configuration'][string]['value'];
}

/** A complete connector record, as Kibana would create and the service would prepare it. */
export function newConnectorDoc(options: {
  readonly source: SourceDefinition;
  readonly name: string;
  readonly indexName: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly scheduling?: Partial<ConnectorDoc['scheduling']>;
  readonly now: string;
}): ConnectorDoc {
  const configuration = toConfigurationSchema(options.source.configuration);
  for (const [key, value] of Object.entries(options.values)) {
    const entry = configuration[key];
    if (entry) entry.value = toStored(value);
  }
  const disabled = { enabled: false, interval: '0 0 0 * * ?' };
  return {
    configuration,
    description: null,
    error: null,
    features: featuresOf(options.source),
    filtering: [{ domain: 'DEFAULT', draft: defaultFilter(options.now), active: defaultFilter(options.now) }],
    index_name: options.indexName,
    is_native: false,
    language: 'en',
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
    name: options.name,
    pipeline: { ...DEFAULT_PIPELINE },
    scheduling: {
      full: options.scheduling?.full ?? disabled,
      incremental: options.scheduling?.incremental ?? disabled,
      access_control: options.scheduling?.access_control ?? disabled,
    },
    service_type: options.source.id,
    status: 'configured',
    sync_cursor: null,
  };
}
