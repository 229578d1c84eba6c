import type { Client } from '@elastic/elasticsearch';
import type { SourceDefinition } from '@connectors/framework';
import { newConnectorDoc } from '../embedded/connector-record.js';

/**
 * Creates (or updates) a connector record through the Connector API the way Kibana does: `PUT _connector/<id>`,
 * then the source's full configuration schema with the given values (`PUT _connector/<id>/_configuration`).
 */
export async function createConnectorThroughApi(
  client: Client,
  options: {
    readonly id: string;
    readonly source: SourceDefinition;
    readonly indexName: string;
    readonly name?: string;
    readonly values?: Readonly<Record<string, unknown>>;
  },
): Promise<void> {
  const doc = newConnectorDoc({
    source: options.source,
    name: options.name ?? options.id,
    indexName: options.indexName,
    values: options.values ?? {},
    now: new Date().toISOString(),
  });
  await client.connector.put({
    connector_id: options.id,
    index_name: options.indexName,
    name: doc.name,
    service_type: options.source.id,
    is_native: false,
    language: 'en',
  });
  await client.connector.updateConfiguration({
    connector_id: options.id,
    configuration: doc.configuration as never,
  });
}
