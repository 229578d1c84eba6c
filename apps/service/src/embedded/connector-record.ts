import {
  createConnectorDoc,
  toConfigurationSchema,
  type ConnectorDoc,
  type ConnectorFeatures,
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
  return createConnectorDoc(
    {
      configuration,
      features: featuresOf(options.source),
      index_name: options.indexName,
      language: 'en',
      name: options.name,
      pipeline: { ...DEFAULT_PIPELINE },
      scheduling: {
        full: options.scheduling?.full ?? { enabled: false, interval: '0 0 0 * * ?' },
        incremental: options.scheduling?.incremental ?? { enabled: false, interval: '0 0 0 * * ?' },
        access_control: options.scheduling?.access_control ?? { enabled: false, interval: '0 0 0 * * ?' },
      },
      service_type: options.source.id,
      status: 'configured',
    },
    options.now,
  );
}
