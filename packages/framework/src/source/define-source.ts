import type { ConfigFields, ConfigOf } from '../config/config-field.js';
import type { IdentityDocument } from '../document/document.js';
import type { JsonValue } from '../document/json.js';
import type { Logger } from '../logging/logger.js';
import type { ListingEvent } from './listing.js';

/** The source contract version this framework speaks. A contract change bumps it (and gets an ADR). */
export const SOURCE_API_VERSION = 1;

/** What a source can do; the engine reads these flags, it never sniffs methods. */
export interface SourceCapabilities {
  /** Cursor-based incremental syncs through `listChanges`. */
  readonly incrementalSync: boolean;
  /** Document-level security: `_allow_access_control` on documents and `listIdentities`. */
  readonly accessControl: boolean;
  /** Advanced sync rules validated by `validateAdvancedRules`. */
  readonly advancedRules: boolean;
  /** Basic sync rules applied by the engine. @default true */
  readonly basicRules?: boolean;
  /** Documents may carry binary content for extraction. */
  readonly binaryContent: boolean;
}

/** A clock the framework hands to sources (tests control time through it). */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What the framework hands a source instance: sources never read process.env, log to console or sleep alone. */
export interface SourceContext {
  readonly logger: Logger;
  /** The fetch to use for HTTP (the framework may wrap it for metrics or fault injection). */
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  /** Aborted when the instance is no longer needed. */
  readonly signal: AbortSignal;
  /** Largest file (bytes) worth downloading for extraction. */
  readonly maxFileSize: number;
  /** Registers secret values so that errors and logs redact them. */
  registerSecrets(values: Iterable<string | undefined | null>): void;
}

/** Options of a full listing. */
export interface FullListingOptions {
  readonly signal: AbortSignal;
  /** Resume point saved by an earlier, interrupted run of the same job. */
  readonly checkpoint?: JsonValue;
  /** The active advanced rules (source-defined shape), when the source supports them and some are set. */
  readonly advancedRules?: JsonValue;
}

/** Options of an incremental listing. */
export interface IncrementalListingOptions extends FullListingOptions {
  /** Cursor stored by the previous successful sync. */
  readonly cursor: JsonValue;
}

/** Options of an access-control listing. */
export interface IdentityListingOptions {
  readonly signal: AbortSignal;
}

/** Result of validating advanced rules: empty `errors` means valid. */
export interface RuleValidationResult {
  readonly errors: readonly string[];
}

/** A live, configured source. */
export interface SourceInstance {
  /** Checks that the configuration reaches the remote system (credentials, paths). Throws a ConnectorError. */
  check(signal: AbortSignal): Promise<void>;
  /** Lists everything. Must end with a `cursor` event when the source supports incremental syncs. */
  listAll(options: FullListingOptions): AsyncIterable<ListingEvent>;
  /** Lists changes since `cursor`; throws CursorExpiredError when the cursor is no longer valid. */
  listChanges?(options: IncrementalListingOptions): AsyncIterable<ListingEvent>;
  /** Lists identities for the access-control index. */
  listIdentities?(options: IdentityListingOptions): AsyncIterable<IdentityDocument>;
  /** Validates advanced rules against the remote system. */
  validateAdvancedRules?(rules: JsonValue, signal: AbortSignal): Promise<RuleValidationResult>;
  /** Releases resources. */
  close(): Promise<void>;
}

/** A source declaration: what `defineSource` takes and returns. */
export interface SourceDefinition<F extends ConfigFields = ConfigFields> {
  readonly apiVersion: typeof SOURCE_API_VERSION;
  /** The `service_type`, e.g. `dropbox`. */
  readonly id: string;
  /** Display name, e.g. `Dropbox`. */
  readonly name: string;
  readonly description?: string;
  readonly capabilities: SourceCapabilities;
  /** Configuration field declarations. */
  readonly configuration: F;
  /** Creates a live instance from a validated configuration. */
  create(config: ConfigOf<F>, context: SourceContext): SourceInstance | Promise<SourceInstance>;
}

/**
 * Declares a source. The engine refuses definitions whose `apiVersion` it does not know.
 * @example
 * export const filesSource = defineSource({
 *   apiVersion: 1, id: 'files', name: 'Files',
 *   capabilities: { incrementalSync: false, accessControl: false, advancedRules: false, binaryContent: true },
 *   configuration: defineConfigFields({ root: field.str({ label: 'Root folder' }) }),
 *   create: (config, ctx) => createFilesInstance(config, ctx),
 * });
 */
export function defineSource<const F extends ConfigFields>(
  definition: SourceDefinition<F>,
): SourceDefinition<F> {
  return definition;
}
