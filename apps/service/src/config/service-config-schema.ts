import { elasticsearchSettingsSchema } from '@connectors/elasticsearch';
import { z } from 'zod';

const positiveSeconds = z.number().positive();

const schedule = z
  .object({
    enabled: z.boolean().describe('Whether this schedule creates jobs.'),
    interval: z.string().min(1).describe('Quartz cron expression, e.g. "0 0 * * * ?" (every hour).'),
  })
  .strict();

/** `service.*` (spec 9), plus our `data_dir` and `http`. */
export const serviceSettingsSchema = z
  .object({
    worker_mode: z.boolean().default(false),
    service_types: z.array(z.string()).default([]),
    idling: positiveSeconds.default(30).describe('Poll interval (s) of the scheduling and execution loops.'),
    heartbeat: positiveSeconds
      .default(300)
      .describe('Connector check-in interval (s); Kibana wants < 30 min.'),
    preflight_max_attempts: z.number().int().positive().default(10),
    preflight_idle: positiveSeconds.default(30),
    max_errors: z.number().int().positive().default(20),
    max_errors_span: positiveSeconds.default(600),
    max_concurrent_content_syncs: z.number().int().positive().default(1),
    max_concurrent_access_control_syncs: z.number().int().positive().default(1),
    max_concurrent_scheduling_tasks: z.number().int().positive().default(4),
    max_file_download_size: z.number().int().positive().default(10_485_760),
    job_cleanup_interval: positiveSeconds.default(300),
    log_level: z
      .string()
      .transform((level) => level.toLowerCase())
      .pipe(z.enum(['trace', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'fatal']))
      .default('info'),
    fips_mode: z.boolean().default(false),
    job_stats_interval: positiveSeconds
      .default(10)
      .describe('How often a running job writes its counters and heartbeat (s; our addition).'),
    job_cancel_poll_interval: positiveSeconds
      .default(5)
      .describe('How often a running job checks for a cancelation request (s; our addition).'),
    job_stale_after: positiveSeconds
      .default(60)
      .describe(
        'A running job whose heartbeat is older than this (s) lost its worker: it is suspended and resumed from its checkpoint (our addition; the Python service fails it after 300 s).',
      ),
    data_dir: z
      .string()
      .default('.connectors-data')
      .describe('Directory of the embedded store, scratch files and temporary downloads (our addition).'),
    http: z
      .object({
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .optional()
          .describe('Port of /healthz, /readyz and /metrics; off when unset.'),
        host: z.string().default('127.0.0.1'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((service) => service.job_stale_after >= 3 * service.job_stats_interval, {
    message:
      'job_stale_after must be at least 3 times job_stats_interval, or live jobs would be taken for dead ones',
    path: ['job_stale_after'],
  });

/** `extraction_service.*` (spec 9): presence enables Elastic's data extraction service. */
export const extractionServiceSchema = z
  .object({
    host: z.string().url(),
    timeout: positiveSeconds.default(30),
    use_file_pointers: z.boolean().default(false),
    stream_chunk_size: z.number().int().positive().default(65_536),
    shared_volume_dir: z.string().default('/app/files'),
  })
  .strict();

/** One entry of `connectors:` (spec 9), plus our embedded-mode additions. */
export const connectorEntrySchema = z
  .object({
    connector_id: z
      .union([z.string().min(1), z.number()])
      .transform(String)
      .describe('Connector id (numbers in YAML are read as strings).'),
    service_type: z.string().min(1).optional().describe('Source key, e.g. "dropbox".'),
    api_key: z
      .string()
      .min(1)
      .optional()
      .describe('API key used for this connector’s data (Elasticsearch mode).'),
    name: z.string().optional().describe('Display name (embedded mode).'),
    index_name: z
      .string()
      .optional()
      .describe('Content index (embedded mode). @default search-<connector_id>'),
    configuration: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Source configuration values (embedded mode; in Elasticsearch mode Kibana holds them).'),
    scheduling: z
      .object({
        full: schedule.optional(),
        incremental: schedule.optional(),
        access_control: schedule.optional(),
      })
      .strict()
      .optional()
      .describe('Schedules (embedded mode).'),
  })
  .strict();

/** The whole config.yml. */
export const serviceConfigSchema = z
  .object({
    connectors: z.array(connectorEntrySchema).default([]),
    connector_id: z
      .union([z.string(), z.number()])
      .transform(String)
      .optional()
      .describe('Deprecated single-connector form.'),
    service_type: z.string().optional().describe('Deprecated single-connector form.'),
    elasticsearch: elasticsearchSettingsSchema.optional(),
    service: serviceSettingsSchema.prefault({}),
    extraction_service: extractionServiceSchema.nullable().optional(),
    sources: z
      .record(z.string(), z.string())
      .default({})
      .describe('service_type → "module:export" of a source definition; built-in sources need no entry.'),
  })
  .strict();

/** The validated config.yml. */
export type ServiceConfig = z.infer<typeof serviceConfigSchema>;
/** One validated `connectors:` entry. */
export type ConnectorEntry = z.infer<typeof connectorEntrySchema>;
