// The public surface of @connectors/framework: an explicit list, nothing else.

export { AbortError, isAbortLike, throwIfAborted } from './errors/abort-error.js';
export { AuthError } from './errors/auth-error.js';
export { ConfigError } from './errors/config-error.js';
export { ConnectorError } from './errors/connector-error.js';
export type { ConnectorErrorCode, ConnectorErrorOptions, ErrorDetails } from './errors/connector-error.js';
export { CursorExpiredError } from './errors/cursor-expired-error.js';
export { RateLimitError } from './errors/rate-limit-error.js';
export {
  REDACTED,
  clearRegisteredSecrets,
  redactText,
  redactValue,
  registerSecrets,
} from './errors/redact.js';
export { SinkError } from './errors/sink-error.js';
export { toConnectorError } from './errors/to-connector-error.js';
export { UpstreamError, isRetryableStatus } from './errors/upstream-error.js';

export { noopLogger } from './logging/logger.js';
export type { LogFn, Logger } from './logging/logger.js';

export type { JsonObject, JsonValue } from './document/json.js';
export type { ContentSource, IdentityDocument, SourceDocument } from './document/document.js';

export { defineConfigFields, field } from './config/config-field.js';
export type {
  ConfigField,
  ConfigFields,
  ConfigOf,
  FieldDependency,
  FieldDisplay,
  FieldOption,
  FieldOptions,
  FieldType,
  FieldValidation,
} from './config/config-field.js';

export { SOURCE_API_VERSION, defineSource } from './source/define-source.js';
export type {
  Clock,
  FullListingOptions,
  IdentityListingOptions,
  IncrementalListingOptions,
  RuleValidationResult,
  SourceCapabilities,
  SourceContext,
  SourceDefinition,
  SourceInstance,
} from './source/define-source.js';
export { checkpoint, cursor, remove, skip, upsert } from './source/listing.js';
export { readAhead } from './source/read-ahead.js';
export type { ReadAhead, ReadAheadOptions } from './source/read-ahead.js';
export type {
  CheckpointEvent,
  CursorEvent,
  DeleteEvent,
  ListingEvent,
  SkipEvent,
  UpsertEvent,
} from './source/listing.js';

export type {
  BatchOutcome,
  ExistingDocument,
  IndexKind,
  IndexWriter,
  OpenIndexOptions,
  PipelineSettings,
  Sink,
  SinkItemFailure,
  SinkOperation,
} from './sink/sink.js';

export type { ControlPlane, JobQuery, JobStats } from './control-plane/control-plane.js';
export { createConnectorDoc, createDefaultFilter } from './control-plane/create-connector-doc.js';
export type {
  ConfigurationEntry,
  ConnectorDoc,
  ConnectorFeatures,
  ConnectorStatus,
  Filter,
  FilteringDomain,
  FilteringValidation,
  JobConnectorSnapshot,
  JobStatus,
  JobType,
  Schedule,
  SyncJobDoc,
  SyncRule,
  TriggerMethod,
  Versioned,
} from './control-plane/records.js';

// Sync rules, DLS helpers and the sync engine (engine owner).
export { createBasicRuleEvaluator } from './rules/evaluate-basic-rules.js';
export type { BasicRuleEvaluator, RuleDecision } from './rules/evaluate-basic-rules.js';
export { DEFAULT_RULE_ID, parseBasicRules } from './rules/parse-basic-rules.js';
export type { BasicRule } from './rules/parse-basic-rules.js';
export { validateBasicRules } from './rules/validate-basic-rules.js';
export { ADVANCED_RULES_ID, hasAdvancedRules, validateFilter } from './rules/validate-filter.js';
export type { ValidateFilterOptions } from './rules/validate-filter.js';

export { parseConfig, coerceFieldValue, maskConfig, sensitiveValues } from './config/parse-config.js';
export type { ParseConfigOptions } from './config/parse-config.js';
export { configValuesFromEntries, toConfigurationSchema } from './config/configuration-schema.js';

export { sleep, systemClock } from './http/clock.js';
export { createKeyedLimiter, createLimiter } from './http/limiter.js';
export { linkSignals } from './http/any-signal.js';
export type { LinkedSignal } from './http/any-signal.js';
export type { KeyedLimiter, Limiter } from './http/limiter.js';
export { backoffDelay, defaultRetryPolicy, parseRetryAfter } from './http/retry-policy.js';
export type { RetryPolicy } from './http/retry-policy.js';
export { createRetryingFetch } from './http/create-retrying-fetch.js';
export { bufferedBody, createNodeFetch } from './http/create-node-fetch.js';
export type { NodeFetchOptions } from './http/create-node-fetch.js';
export type { RetryInfo, RetryingFetchOptions } from './http/create-retrying-fetch.js';

export type { ContentExtractor, ExtractionResult } from './extract/content-extractor.js';
export {
  ACCESS_CONTROL_INDEX_PREFIX,
  accessControlIndexName,
} from './access-control/access-control-index-name.js';
export { ACCESS_CONTROL_UNDETERMINED, checkDocumentAccess } from './access-control/check-document-access.js';
export {
  ACCESS_CONTROL_PREFIXES,
  combineAccessControl,
  toAccessControl,
} from './access-control/to-access-control.js';
export { ACCESS_CONTROL_QUERY_TEMPLATE, toIdentityRecord } from './access-control/to-identity-record.js';
export type { IdentityRecord } from './access-control/to-identity-record.js';

export {
  DEFAULT_MAX_FILE_SIZE,
  ELASTIC_SUPPORTED_EXTENSIONS,
  IN_PROCESS_EXTENSIONS,
  canExtract,
  fileExtension,
} from './extract/can-extract.js';
export type { ExtractionLimits, GateDecision } from './extract/can-extract.js';
export { chooseExtractionMode } from './extract/choose-extraction-mode.js';
export type { ExtractionMode, ExtractionModeSettings } from './extract/choose-extraction-mode.js';
export { DEFAULT_MAX_TEXT_LENGTH, createContentExtractor } from './extract/create-content-extractor.js';
export type {
  ConfiguredContentExtractor,
  ContentExtractorOptions,
  ExtractionOverrides,
} from './extract/create-content-extractor.js';
export { createExtractionServiceClient } from './extract/extraction-service-client.js';
export type {
  ExtractionServiceClient,
  ExtractionServiceOptions,
  ServiceExtraction,
} from './extract/extraction-service-client.js';
export { normalizeText } from './extract/normalize-text.mjs';

export { EmbeddedStore, openEmbeddedStore } from './embedded/embedded-store.js';
export type { EmbeddedSearchOptions, EmbeddedStoreOptions } from './embedded/embedded-store.js';
export type {
  EmbeddedDocumentRow,
  EmbeddedIndexInfo,
  EmbeddedSearchHit,
  EmbeddedSearchResult,
} from './embedded/document-table.js';
export type { StoreSynchronous } from './embedded/open-sqlite-database.js';
export type { SearchOperator } from './embedded/to-fts-query.js';
export { STORE_SCHEMA_VERSION } from './embedded/store-schema.js';

export { runSync } from './engine/run-sync.js';
export type { RunSyncOptions, SyncLimits } from './engine/run-sync.js';
export type { ItemReport, SyncResult } from './engine/sync-result.js';
export type { SyncEvents, SyncTotals } from './engine/sync-events.js';
export { createTypedEmitter } from './engine/typed-emitter.js';
export type { EventMap, Listener, TypedEmitter } from './engine/typed-emitter.js';
export { SuspendSignalReason } from './engine/suspend-signal-reason.js';
export { MAX_ID_BYTES, toDocumentId } from './engine/to-document-id.js';
export { createErrorBudget, defaultErrorBudget } from './engine/error-budget.js';
export type { ErrorBudget, ErrorBudgetOptions } from './engine/error-budget.js';
export { runJob } from './engine/run-job.js';
export type { RunJobOptions, RunJobOutcome, SourceRegistry } from './engine/run-job.js';
