import type { AuthOptions, Privileges } from './auth.js';
import type { EsRequest } from './es-request.js';
import type { Faults } from './faults.js';
import type { IndexStore } from './index-store.js';
import type { SeededRandom } from './random.js';
import type { SearchContexts } from './search.js';

/** A stored ingest pipeline definition. */
export type PipelineDefinition = Record<string, unknown>;

/** Everything route handlers share: the store, contexts, pipelines, cluster identity. */
export interface FakeContext {
  readonly store: IndexStore;
  readonly contexts: SearchContexts;
  readonly pipelines: Map<string, PipelineDefinition>;
  readonly secrets: Map<string, string>;
  readonly faults: Faults;
  readonly random: SeededRandom;
  /** Mutable credential table (API keys created through `_security/api_key` are added here). */
  readonly auth: {
    apiKeys: Record<string, { key: string; name?: string; privileges?: Privileges }>;
    users: NonNullable<AuthOptions['users']>;
  };
  /** Whether requests must authenticate (decided at start from the configured credentials). */
  readonly authEnabled: boolean;
  readonly version: string;
  readonly licenseType: string;
  readonly clusterUuid: string;
  readonly clusterName: string;
  /** ISO-8601 `Z` timestamp of now (injectable clock). */
  isoNow(): string;
}

/** A handler's answer (status defaults to 200). */
export interface EsResponse {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route handler for one REST API. */
export type Handler = (req: EsRequest, ctx: FakeContext) => EsResponse | Promise<EsResponse>;
