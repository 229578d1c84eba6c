import type { ConnectorDoc, Filter, JobConnectorSnapshot, JobType } from '../control-plane/records.js';
import { ConfigError } from '../errors/config-error.js';
import { accessControlIndexName } from '../access-control/access-control-index-name.js';

/** The filter a job gets when the connector has no DEFAULT filtering domain. */
function emptyFilter(): Filter {
  return { rules: [], advanced_snippet: { value: {} }, validation: { state: 'valid', errors: [] } };
}

/**
 * The connector snapshot stored in a new job (spec 3.1): `index_name` already prefixed with
 * `.search-acl-filter-` for access-control jobs, `filtering` = the DEFAULT domain's active filter. Like
 * Elasticsearch's `POST _connector/_sync_job`, refuses a connector without `index_name` or `service_type`.
 * Unlike it, leaves the values of sensitive configuration fields out of the job.
 */
export function toJobConnectorSnapshot(
  connectorId: string,
  connector: ConnectorDoc,
  jobType: JobType,
): JobConnectorSnapshot {
  const issues: string[] = [];
  if (typeof connector.index_name !== 'string' || connector.index_name === '') {
    issues.push(`connector ${connectorId}: index_name is not set`);
  }
  if (typeof connector.service_type !== 'string' || connector.service_type === '') {
    issues.push(`connector ${connectorId}: service_type is not set`);
  }
  if (issues.length > 0) throw new ConfigError('Cannot create a sync job', issues);
  const indexName = connector.index_name as string;
  const domain = (connector.filtering ?? []).find((entry) => entry.domain === 'DEFAULT');
  return structuredClone({
    id: connectorId,
    index_name: jobType === 'access_control' ? accessControlIndexName(indexName) : indexName,
    language: connector.language ?? null,
    pipeline: connector.pipeline ?? null,
    service_type: connector.service_type as string,
    // Sensitive values stay on the connector record only (job records are listed and shown freely); the job
    // runner reads them from the connector when the job starts.
    configuration: Object.fromEntries(
      Object.entries(connector.configuration ?? {}).map(([key, entry]) => [
        key,
        entry.sensitive ? { ...entry, value: null } : entry,
      ]),
    ),
    filtering: domain?.active ?? emptyFilter(),
  });
}
