/**
 * What Kibana's Connectors UI reads from the connector and sync-job documents, written by hand from
 * spec framework.md §2.1–2.5 (connector), §3.1 (sync job) and §12 (checklist), and elasticsearch-wire.md
 * §5.2/§5.5 — not from this package's output.
 */
import { z } from 'zod';

const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO date');
const nullableIso = isoDate.nullable();
const jobStatus = z.enum([
  'pending',
  'in_progress',
  'canceling',
  'canceled',
  'suspended',
  'completed',
  'error',
]);

/** A configuration value: string, number, boolean, object or null, never an array (§2.3). */
const configValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.record(z.string(), z.unknown()),
]);

/** A `configuration.<key>` entry with every standard property present (§2.3, §12). */
export const configurationEntrySchema = z.object({
  label: z.string(),
  display: z.enum(['text', 'textbox', 'textarea', 'numeric', 'toggle', 'dropdown']),
  type: z.enum(['str', 'int', 'bool', 'list']),
  value: configValue,
  default_value: configValue,
  required: z.boolean(),
  sensitive: z.boolean(),
  order: z.number().int(),
  depends_on: z.array(z.object({ field: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) })),
  validations: z.array(
    z.object({
      type: z.enum(['less_than', 'greater_than', 'list_type', 'included_in', 'regex']),
      constraint: z.unknown(),
    }),
  ),
  tooltip: z.string().nullable(),
  ui_restrictions: z.array(z.string()),
  options: z.array(z.object({ label: z.string(), value: z.unknown() })),
});

const enabled = z.strictObject({ enabled: z.boolean() });

/** `features` exactly as §2.4 lists them. */
export const featuresSchema = z.strictObject({
  sync_rules: z.strictObject({ basic: enabled, advanced: enabled }),
  document_level_security: enabled,
  incremental_sync: enabled,
  native_connector_api_keys: enabled,
});

const validation = z.object({
  state: z.enum(['valid', 'invalid', 'edited']),
  errors: z.array(z.object({ ids: z.array(z.string()), messages: z.array(z.string()) })),
});
const filter = z.object({
  rules: z.array(
    z.object({
      id: z.string(),
      policy: z.enum(['include', 'exclude']),
      field: z.string(),
      rule: z.string(),
      value: z.string(),
      order: z.number(),
    }),
  ),
  advanced_snippet: z.object({ value: z.unknown() }),
  validation,
});
const schedule = z.object({ enabled: z.boolean(), interval: z.string() });

/** The connector document after a successful sync (§2.1, §12). */
export const connectorDocSchema = z.object({
  configuration: z.record(z.string(), configurationEntrySchema),
  features: featuresSchema,
  filtering: z.array(z.object({ domain: z.string(), draft: filter, active: filter })).min(1),
  index_name: z.string(),
  is_native: z.boolean(),
  name: z.string(),
  service_type: z.string(),
  status: z.enum(['created', 'needs_configuration', 'configured', 'connected', 'error']),
  error: z.string().nullable(),
  last_seen: nullableIso,
  last_synced: isoDate,
  last_sync_status: jobStatus,
  last_sync_error: z.string().nullable(),
  last_indexed_document_count: z.number().int().nonnegative(),
  last_deleted_document_count: z.number().int().nonnegative(),
  last_access_control_sync_status: jobStatus.nullable(),
  last_access_control_sync_error: z.string().nullable(),
  scheduling: z.object({ full: schedule, incremental: schedule, access_control: schedule }),
  pipeline: z
    .object({
      name: z.string(),
      extract_binary_content: z.boolean(),
      reduce_whitespace: z.boolean(),
      run_ml_inference: z.boolean(),
    })
    .nullable(),
});

/** A terminated sync job document (§3.1, §12: the sync history columns). */
export const syncJobDocSchema = z.object({
  job_type: z.enum(['full', 'incremental', 'access_control']),
  trigger_method: z.enum(['on_demand', 'scheduled']),
  status: jobStatus,
  created_at: isoDate,
  started_at: isoDate,
  last_seen: isoDate,
  completed_at: isoDate,
  cancelation_requested_at: nullableIso,
  canceled_at: nullableIso,
  worker_hostname: z.string().min(1),
  indexed_document_count: z.number().int().nonnegative(),
  indexed_document_volume: z.number().int().nonnegative(),
  deleted_document_count: z.number().int().nonnegative(),
  total_document_count: z.number().int().nonnegative(),
  error: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  connector: z.object({
    id: z.string(),
    index_name: z.string(),
    service_type: z.string(),
    configuration: z.record(z.string(), z.unknown()),
    filtering: z.unknown(),
  }),
});
