// The public surface of @connectors/elasticsearch: an explicit list, nothing else.

export {
  elasticsearchSettingsSchema,
  parseElasticsearchSettings,
  settingsHosts,
  toBulkLimits,
} from './elasticsearch-settings.js';
export type {
  BulkLimits,
  ElasticsearchSettings,
  ElasticsearchSettingsInput,
} from './elasticsearch-settings.js';

export { CONNECTORS_VERSION, createElasticsearchClient, redactUrl } from './create-elasticsearch-client.js';
export type { CreateClientOptions, ElasticsearchConnectionSettings } from './create-elasticsearch-client.js';

export { describeErrorBody, parseRetryAfter, toElasticsearchError } from './to-elasticsearch-error.js';
export { DEFAULT_RETRY_POLICY, toRetryPolicy, withRetry } from './retry-policy.js';
export type { OnRetry, RetryPolicy } from './retry-policy.js';

export { getClusterInfo } from './cluster-info.js';
export type { ClusterInfo } from './cluster-info.js';
export { assertValidIndexName, validateIndexName } from './index-name.js';
export { contentIndexBody, ensureContentIndex } from './content-index.js';
export type { EnsureIndexOptions } from './content-index.js';

export { createElasticsearchSink } from './elasticsearch-sink.js';
export type { ElasticsearchSink, ElasticsearchSinkOptions } from './elasticsearch-sink.js';

export {
  CONNECTORS_INDEX,
  JOBS_INDEX,
  LICENSE_ORDER,
  createConnectorApiControlPlane,
  isLicenseAtLeast,
} from './connector-api-control-plane.js';
export type {
  ConnectorApiControlPlane,
  ConnectorApiControlPlaneOptions,
  LicenseInfo,
  LicenseLevel,
} from './connector-api-control-plane.js';
export {
  planConnectorPreparation,
  toConnectorFeatures,
  withStandardProperties,
} from './plan-connector-preparation.js';
export { toConnectorDoc, toSyncJobDoc } from './to-connector-doc.js';

export {
  MINIMUM_CLUSTER_VERSION,
  checkClusterVersion,
  ensureSystemIndices,
  preflight,
  waitForElasticsearch,
} from './preflight.js';
export type { PreflightOptions, VersionCheck, WaitOptions } from './preflight.js';
