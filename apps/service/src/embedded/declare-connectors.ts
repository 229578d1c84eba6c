import {
  ConfigError,
  parseConfig,
  sensitiveValues,
  registerSecrets,
  type EmbeddedStore,
  type Logger,
} from '@connectors/framework';
import type { ConnectorEntry } from '../config/service-config-schema.js';
import type { SourceRegistry } from '../registry.js';
import { newConnectorDoc } from './connector-record.js';

/**
 * Embedded mode has no Kibana: the connectors declared in config.yml become records in the store. Declared
 * fields (name, index, configuration, schedules) are overwritten on every start; runtime fields (last sync,
 * cursor, status of running jobs) are kept. A connector whose configuration is invalid is recorded in
 * `error` with the reasons, so the others keep running.
 */
export async function declareConnectors(options: {
  readonly store: EmbeddedStore;
  readonly entries: readonly ConnectorEntry[];
  readonly registry: SourceRegistry;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}): Promise<void> {
  const { store, registry, logger, signal } = options;
  for (const entry of options.entries) {
    const id = entry.connector_id;
    const source = entry.service_type ? registry.get(entry.service_type) : undefined;
    const existing = await store.getConnector(id, signal);
    const now = new Date().toISOString();
    if (!source) {
      const message = `Unknown service type '${entry.service_type ?? ''}': no such source in this service`;
      logger.error({ connector: id }, message);
      if (existing) await store.updateConnector(id, { status: 'error', error: message }, { signal });
      continue;
    }
    const values = entry.configuration ?? {};
    registerSecrets(sensitiveValues(source.configuration, values as Record<string, unknown>));
    let problem: string | null = null;
    try {
      parseConfig(source.configuration, values, {
        source: source.id,
        path: `connectors[${id}].configuration`,
      });
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      problem = error.message;
      logger.error({ connector: id, issues: error.issues }, `Connector ${id} has an invalid configuration`);
    }
    const declared = newConnectorDoc({
      source,
      name: entry.name ?? id,
      indexName: entry.index_name ?? `search-${id}`,
      values,
      scheduling: entry.scheduling,
      now,
    });
    const doc = existing
      ? {
          ...existing.doc,
          name: declared.name,
          index_name: declared.index_name,
          service_type: declared.service_type,
          configuration: declared.configuration,
          features: declared.features,
          scheduling: {
            full: { ...declared.scheduling.full },
            incremental: { ...declared.scheduling.incremental },
            access_control: { ...declared.scheduling.access_control },
          },
          status: problem
            ? ('error' as const)
            : existing.doc.status === 'error'
              ? ('configured' as const)
              : existing.doc.status,
          error: problem,
        }
      : { ...declared, status: problem ? ('error' as const) : ('configured' as const), error: problem };
    await store.upsertConnector(id, doc, signal);
  }
}
