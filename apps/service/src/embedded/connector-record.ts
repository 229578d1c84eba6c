import { toConnectorFeatures } from '@connectors/elasticsearch';
import {
  createConnectorDoc,
  toConfigurationSchema,
  type ConnectorDoc,
  type SourceDefinition,
} from '@connectors/framework';

/** Default pipeline settings (spec 2.7). */
export const DEFAULT_PIPELINE = {
  name: 'search-default-ingestion',
  extract_binary_content: true,
  reduce_whitespace: true,
  run_ml_inference: true,
} as const;

/** A complete connector record, as Kibana would create and the service would prepare it. */
export function newConnectorDoc(options: {
  readonly source: SourceDefinition;
  readonly name: string;
  readonly indexName: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly scheduling?: Partial<ConnectorDoc['scheduling']>;
  readonly now: string;
}): ConnectorDoc {
  return createConnectorDoc(
    {
      configuration: toConfigurationSchema(options.source.configuration, options.values),
      features: toConnectorFeatures(options.source.capabilities),
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
