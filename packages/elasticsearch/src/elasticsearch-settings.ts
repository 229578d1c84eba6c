import { ConfigError } from '@connectors/framework';
import { z } from 'zod';

const MIB = 1024 * 1024;

const bulkSchema = z
  .strictObject({
    queue_max_size: z.number().int().positive().default(1024),
    queue_max_mem_size: z.number().positive().default(25),
    queue_refresh_interval: z.number().positive().default(1),
    queue_refresh_timeout: z.number().positive().default(1300),
    chunk_size: z.number().int().positive().default(500),
    chunk_max_mem_size: z.number().positive().default(3),
    max_text_document_size: z.number().min(0, 'must be 0 (disabled) or a positive number of MiB').default(3),
    max_concurrency: z.number().int().positive().default(5),
    concurrent_downloads: z.number().int().positive().default(10),
    display_every: z.number().int().positive().default(100),
    max_retries: z.number().int().min(0).default(5),
    retry_interval: z.number().min(0).default(10),
    enable_operations_logging: z.boolean().default(false),
    error_monitor: z
      .strictObject({
        enabled: z.boolean().default(true),
        max_total_errors: z.number().int().min(0).default(1000),
        max_consecutive_errors: z.number().int().min(0).default(10),
        max_error_rate: z.number().min(0).max(1).default(0.15),
        error_window_size: z.number().int().positive().default(100),
        error_queue_size: z.number().int().positive().default(10),
      })
      .prefault({}),
  })
  .prefault({});

const hostSchema = z.string().trim().min(1, 'must not be empty');

/** The zod schema of the `elasticsearch` section of config.yml (spec 9); every key has its Python default. */
export const elasticsearchSettingsSchema = z
  .strictObject({
    host: hostSchema.optional(),
    hosts: z.array(hostSchema).min(1, 'must list at least one host').optional(),
    api_key: z.string().min(1, 'must not be empty').optional(),
    username: z.string().min(1, 'must not be empty').optional(),
    password: z.string().optional(),
    ssl: z.boolean().default(true),
    verify_certs: z.boolean().default(true),
    ca_certs: z.string().min(1, 'must be a path to a PEM file').optional(),
    ca_fingerprint: z
      .string()
      .regex(/^([0-9a-fA-F]{2}:?){32}$/, 'must be a SHA-256 fingerprint (64 hex digits, colons allowed)')
      .optional(),
    headers: z.record(z.string(), z.string()).default({}),
    request_timeout: z.number().positive().default(240),
    retry_on_timeout: z.boolean().default(true),
    max_retries: z.number().int().min(0).default(5),
    retry_interval: z.number().min(0).default(10),
    max_wait_duration: z.number().min(0).default(240),
    initial_backoff_duration: z.number().positive().default(1),
    backoff_multiplier: z.number().min(1).default(2),
    log_level: z.string().default('info'),
    feature_use_connectors_api: z.boolean().default(true),
    bulk: bulkSchema,
  })
  .superRefine((value, ctx) => {
    if (value.password !== undefined && value.username === undefined && value.api_key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'is required when password is set',
      });
    }
  });

/** The `elasticsearch` section of config.yml with defaults applied (durations in seconds, sizes in MiB). */
export type ElasticsearchSettings = z.output<typeof elasticsearchSettingsSchema>;

/** What a caller may write in config.yml's `elasticsearch` section (every key optional). */
export type ElasticsearchSettingsInput = z.input<typeof elasticsearchSettingsSchema>;

/**
 * Parses the `elasticsearch` section of config.yml. Unknown keys are rejected; every problem is reported at
 * once with its path (e.g. `elasticsearch.bulk.chunk_size: expected number`). Dotted keys must already be
 * expanded into nested objects by the config loader.
 * @example
 * const settings = parseElasticsearchSettings({ host: 'https://es:9200', api_key: process.env.ES_KEY });
 */
export function parseElasticsearchSettings(raw: unknown, path = 'elasticsearch'): ElasticsearchSettings {
  const result = elasticsearchSettingsSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const where = [path, ...issue.path.map(String)].join('.');
    return `${where}: ${issue.message}`;
  });
  throw new ConfigError(`[elasticsearch] Invalid settings in ${path}`, issues);
}

/** The hosts named by the settings (`hosts` wins over `host`; default `http://localhost:9200`). */
export function settingsHosts(settings: Pick<ElasticsearchSettings, 'host' | 'hosts'>): string[] {
  if (settings.hosts?.length) return [...settings.hosts];
  return [settings.host ?? 'http://localhost:9200'];
}

/** Bulk limits derived from `elasticsearch.bulk.*`: operations, bytes and requests in flight. */
export interface BulkLimits {
  /** Operations per bulk request (`chunk_size`; counted in operations, not NDJSON lines). */
  readonly maxOperations: number;
  /** Serialized bytes per bulk request (`chunk_max_mem_size` MiB). */
  readonly maxBytes: number;
  /** Concurrent bulk requests (`max_concurrency`). */
  readonly maxInFlight: number;
  /** Largest serialized non-attachment document (`max_text_document_size` MiB; 0 disables the cap). */
  readonly maxDocumentBytes: number;
}

/** Derives the sink's bulk limits from the `bulk` settings. */
export function toBulkLimits(bulk: ElasticsearchSettings['bulk']): BulkLimits {
  return {
    maxOperations: bulk.chunk_size,
    maxBytes: Math.max(1, Math.round(bulk.chunk_max_mem_size * MIB)),
    maxInFlight: bulk.max_concurrency,
    maxDocumentBytes: Math.max(0, Math.round(bulk.max_text_document_size * MIB)),
  };
}
