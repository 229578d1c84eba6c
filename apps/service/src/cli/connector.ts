import { createElasticsearchClient } from '@connectors/elasticsearch';
import { readFile } from 'node:fs/promises';
import {
  ConfigError,
  configValuesFromEntries,
  maskConfig,
  parseConfig,
  registerSecrets,
  sensitiveValues,
} from '@connectors/framework';
import { loadServiceConfig } from '../config/load-service-config.js';
import { createConnectorThroughApi } from '../elasticsearch/create-connector-through-api.js';
import { createServiceLogger } from '../logging/create-logger.js';
import { createSourceRegistry } from '../registry.js';
import { createRuntime } from '../runtime.js';
import { EXIT } from './exit-codes.js';

/** `connectors connector create`: creates a connector through the Connector API (Elasticsearch mode). */
export async function connectorCreateCommand(options: {
  config: string;
  id: string;
  serviceType: string;
  indexName?: string;
  name?: string;
  configValues?: string;
  configFile?: string;
}): Promise<number> {
  const loaded = await loadServiceConfig(options.config);
  const settings = loaded.config.elasticsearch;
  if (!settings) {
    process.stderr.write(
      'error: embedded mode has no Connector API: declare the connector under `connectors:` in config.yml\n',
    );
    return EXIT.usage;
  }
  const registry = await createSourceRegistry(loaded.config.sources);
  const source = registry.get(options.serviceType);
  if (!source) {
    throw new ConfigError('Unknown service type', [
      `--service-type: '${options.serviceType}' (known: ${registry
        .list()
        .map((s) => s.id)
        .join(', ')})`,
    ]);
  }
  let values: Record<string, unknown> = {};
  const raw =
    options.configFile !== undefined
      ? await readFile(options.configFile === '-' ? '/dev/stdin' : options.configFile, 'utf8')
      : options.configValues;
  if (raw !== undefined) {
    try {
      values = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      // The message of JSON.parse may quote the input, which holds secrets: only its position is kept.
      const at = /position \d+/.exec((error as Error).message)?.[0] ?? 'somewhere';
      throw new ConfigError('Invalid configuration values', [`not valid JSON (${at})`]);
    }
    if (!values || typeof values !== 'object' || Array.isArray(values)) {
      throw new ConfigError('Invalid configuration values', ['expected a JSON object of field values']);
    }
    registerSecrets(sensitiveValues(source.configuration, values));
    parseConfig(source.configuration, values, { source: source.id, path: 'configuration' });
  }
  const indexName = options.indexName ?? `search-${options.id}`;
  const client = createElasticsearchClient(settings, { role: 'cli' });
  try {
    await createConnectorThroughApi(client, {
      id: options.id,
      source,
      indexName,
      values,
      ...(options.name ? { name: options.name } : {}),
    });
    process.stdout.write(
      `Created connector '${options.id}' (${source.name}) writing to ${indexName}.\n` +
        `Add it to config.yml under connectors: with connector_id: ${options.id} and service_type: ${source.id}.\n`,
    );
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** `connectors connector list`. */
export async function connectorListCommand(options: { config: string; json?: boolean }): Promise<number> {
  const loaded = await loadServiceConfig(options.config);
  const controller = new AbortController();
  const runtime = await createRuntime(loaded, {
    logger: createServiceLogger({ level: 'warn' }),
    signal: controller.signal,
  });
  try {
    const connectors = await runtime.controlPlane.listConnectors(runtime.connectorIds, controller.signal);
    const rows = connectors.map(({ id, doc }) => ({
      id,
      service_type: doc.service_type,
      index_name: doc.index_name,
      status: doc.status,
      last_sync_status: doc.last_sync_status,
      last_synced: doc.last_synced,
      error: doc.error,
    }));
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const row of rows) {
      process.stdout.write(
        `${row.id}  ${row.service_type ?? '?'}  ${row.index_name ?? '-'}  ${row.status}  last sync: ${row.last_sync_status ?? 'never'}` +
          `${row.last_synced ? ` at ${row.last_synced}` : ''}${row.error ? `  error: ${row.error}` : ''}\n`,
      );
    }
    const missing = runtime.connectorIds.filter((id) => !connectors.some((c) => c.id === id));
    for (const id of missing)
      process.stdout.write(
        `${id}  (not found: create it in Kibana or with \`connectors connector create\`)\n`,
      );
    return EXIT.ok;
  } finally {
    await runtime.close();
  }
}

/** `connectors connector show ID`: configuration (sensitive values masked) and recent jobs. */
export async function connectorShowCommand(
  id: string,
  options: { config: string; json?: boolean },
): Promise<number> {
  const loaded = await loadServiceConfig(options.config);
  const controller = new AbortController();
  const runtime = await createRuntime(loaded, {
    logger: createServiceLogger({ level: 'warn' }),
    signal: controller.signal,
  });
  try {
    const connector = await runtime.controlPlane.getConnector(id, controller.signal);
    if (!connector) {
      process.stderr.write(`error: unknown connector '${id}'\n`);
      return EXIT.usage;
    }
    const source = connector.doc.service_type ? runtime.registry.get(connector.doc.service_type) : undefined;
    const values = configValuesFromEntries(connector.doc.configuration);
    const masked = source
      ? maskConfig(source.configuration, values)
      : Object.fromEntries(
          Object.entries(values).map(([key, value]) => [
            key,
            connector.doc.configuration[key]?.sensitive ? '********' : value,
          ]),
        );
    const jobs = [];
    for await (const job of runtime.controlPlane.listJobs({ connectorIds: [id] }, controller.signal))
      jobs.push(job);
    const recent = jobs.slice(-10).map(({ id: jobId, doc }) => ({
      id: jobId,
      job_type: doc.job_type,
      trigger_method: doc.trigger_method,
      status: doc.status,
      indexed_document_count: doc.indexed_document_count,
      deleted_document_count: doc.deleted_document_count,
      started_at: doc.started_at,
      completed_at: doc.completed_at,
      error: doc.error,
    }));
    const view = {
      id,
      name: connector.doc.name,
      service_type: connector.doc.service_type,
      index_name: connector.doc.index_name,
      status: connector.doc.status,
      error: connector.doc.error,
      configuration: masked,
      scheduling: connector.doc.scheduling,
      last_sync_status: connector.doc.last_sync_status,
      last_synced: connector.doc.last_synced,
      jobs: recent,
    };
    process.stdout.write(
      options.json ? `${JSON.stringify(view, null, 2)}\n` : `${JSON.stringify(view, null, 2)}\n`,
    );
    return EXIT.ok;
  } finally {
    await runtime.close();
  }
}
