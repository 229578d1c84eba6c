import {
  allowKeys,
  checkConnectorTransition,
  connectorSource,
  deleteConnector,
  getConnector,
  listConnectors,
  nullableCount,
  nullableDate,
  nullableString,
  objectField,
  patchConnector,
  putConnector,
  SYNC_STATUSES,
  validateCron,
} from '../connector-api.js';
import { esError, resourceNotFound, statusException } from '../es-error.js';
import type { EsRequest } from '../es-request.js';
import type { FakeContext, Handler } from '../fake-context.js';
import { validateIndexName } from '../index-store.js';
import { isPlainObject } from '../mapping.js';
import {
  cancelSyncJob,
  checkInSyncJob,
  claimSyncJob,
  deleteSyncJob,
  errorSyncJob,
  getSyncJob,
  listSyncJobs,
  postSyncJob,
  statsSyncJob,
} from '../sync-job-api.js';

function update(
  req: EsRequest,
  ctx: FakeContext,
  patch: Record<string, unknown>,
  replace: readonly string[] = [],
): ReturnType<Handler> {
  req.requireCluster(['manage_connector']);
  return patchConnector(ctx, req.part('connector_id'), patch, replace);
}

const checkIn: Handler = (req, ctx) => update(req, ctx, { last_seen: ctx.isoNow() });

const updateStatus: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['status'], 'connector_update_status_request');
  if (typeof body.status !== 'string')
    throw esError(400, 'x_content_parse_exception', '[1:1] Required [status]');
  const current = connectorSource(ctx, req.part('connector_id'));
  checkConnectorTransition(String(current.status), body.status);
  return update(req, ctx, { status: body.status });
};

const updateError: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['error'], 'connector_update_error_request');
  if (!('error' in body)) throw esError(400, 'x_content_parse_exception', '[1:1] Required [error]');
  nullableString(body, 'error');
  const error = body.error === '' ? null : (body.error as string | null);
  return update(req, ctx, { error, status: error === null ? 'connected' : 'error' });
};

const LAST_SYNC_STATUS_KEYS = ['last_sync_status', 'last_access_control_sync_status'];
const LAST_SYNC_STRING_KEYS = ['last_sync_error', 'last_access_control_sync_error'];
const LAST_SYNC_DATE_KEYS = [
  'last_synced',
  'last_sync_scheduled_at',
  'last_incremental_sync_scheduled_at',
  'last_access_control_sync_scheduled_at',
  'last_seen',
];
const LAST_SYNC_COUNT_KEYS = ['last_indexed_document_count', 'last_deleted_document_count'];

const lastSync: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(
    body,
    [
      ...LAST_SYNC_STATUS_KEYS,
      ...LAST_SYNC_STRING_KEYS,
      ...LAST_SYNC_DATE_KEYS,
      ...LAST_SYNC_COUNT_KEYS,
      'sync_cursor',
    ],
    'connector_update_last_sync_stats_request',
  );
  for (const k of LAST_SYNC_STATUS_KEYS) {
    const v = body[k];
    if (v !== undefined && v !== null && !(SYNC_STATUSES as readonly unknown[]).includes(v)) {
      throw esError(
        400,
        'x_content_parse_exception',
        `[1:2] [connector_update_last_sync_stats_request] failed to parse field [${k}]: Unknown ConnectorSyncStatus [${String(v)}]`,
      );
    }
  }
  for (const k of LAST_SYNC_STRING_KEYS) nullableString(body, k);
  for (const k of LAST_SYNC_DATE_KEYS) nullableDate(body, k);
  for (const k of LAST_SYNC_COUNT_KEYS) nullableCount(body, k);
  return update(req, ctx, body, body.sync_cursor !== undefined ? ['sync_cursor'] : []);
};

const CONFIG_PROPS = [
  'category',
  'default_value',
  'depends_on',
  'display',
  'label',
  'options',
  'order',
  'placeholder',
  'required',
  'sensitive',
  'tooltip',
  'type',
  'ui_restrictions',
  'validations',
  'value',
];
const DISPLAYS = ['text', 'textbox', 'textarea', 'numeric', 'toggle', 'dropdown'];
const TYPES = ['str', 'int', 'list', 'bool'];

function validateConfigEntry(key: string, entry: unknown): void {
  if (!isPlainObject(entry))
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_configuration] [${key}] must be an object`,
    );
  allowKeys(entry, CONFIG_PROPS, 'connector_configuration');
  if (entry.label === undefined)
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_configuration] Required [label] for [${key}]`,
    );
  if (entry.display !== undefined && entry.display !== null && !DISPLAYS.includes(String(entry.display))) {
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_configuration] failed to parse field [display]: Unknown ConfigurationDisplayType [${String(entry.display)}]`,
    );
  }
  if (entry.type !== undefined && entry.type !== null && !TYPES.includes(String(entry.type))) {
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_configuration] failed to parse field [type]: Unknown ConfigurationFieldType [${String(entry.type)}]`,
    );
  }
  if (Array.isArray(entry.value))
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_configuration] failed to parse field [value]: arrays are not supported`,
    );
}

const updateConfiguration: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['configuration', 'values'], 'connector_update_configuration_request');
  const configuration = objectField(body, 'configuration', false);
  const values = objectField(body, 'values', false);
  if (configuration === undefined && values === undefined) {
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [configuration] and [values] cannot both be null.;',
    );
  }
  const id = req.part('connector_id');
  const current = connectorSource(ctx, id);
  let next: Record<string, unknown>;
  if (configuration !== undefined) {
    for (const [k, v] of Object.entries(configuration)) validateConfigEntry(k, v);
    next = structuredClone(configuration);
  } else next = isPlainObject(current.configuration) ? current.configuration : {};
  if (values !== undefined) {
    const unknown = Object.keys(values).filter((k) => !(k in next));
    if (unknown.length > 0) {
      throw esError(
        400,
        'illegal_argument_exception',
        `Unknown [configuration] fields in the request payload: [${unknown.join(', ')}]. Remove them from request or register their schema first.`,
      );
    }
    for (const [k, v] of Object.entries(values)) {
      const entry = next[k];
      if (isPlainObject(entry)) entry.value = v;
    }
  }
  return update(req, ctx, { configuration: next, status: 'configured' }, ['configuration']);
};

const JOB_KINDS = ['full', 'incremental', 'access_control'];

const updateScheduling: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['scheduling'], 'connector_update_scheduling_request');
  const scheduling = objectField(body, 'scheduling', true) ?? {};
  allowKeys(scheduling, JOB_KINDS, 'connector_scheduling');
  const current = connectorSource(ctx, req.part('connector_id'));
  const merged: Record<string, unknown> = isPlainObject(current.scheduling) ? current.scheduling : {};
  for (const [kind, spec] of Object.entries(scheduling)) {
    if (!isPlainObject(spec))
      throw esError(
        400,
        'x_content_parse_exception',
        `[1:2] [connector_scheduling] [${kind}] must be an object`,
      );
    allowKeys(spec, ['enabled', 'interval'], 'schedule_config');
    if (spec.enabled !== undefined && typeof spec.enabled !== 'boolean')
      throw esError(
        400,
        'x_content_parse_exception',
        '[1:2] [schedule_config] failed to parse field [enabled]',
      );
    if (spec.interval !== undefined) validateCron(spec.interval, 'interval');
    const before = isPlainObject(merged[kind])
      ? (merged[kind] as Record<string, unknown>)
      : { enabled: false, interval: '0 0 0 * * ?' };
    merged[kind] = { ...before, ...spec };
  }
  return update(req, ctx, { scheduling: merged }, ['scheduling']);
};

const RULE_POLICIES = ['include', 'exclude'];
const RULE_KINDS = ['equals', 'contains', 'starts_with', 'ends_with', 'regex', '>', '<'];

function validateRule(rule: unknown, now: string): Record<string, unknown> {
  if (!isPlainObject(rule))
    throw esError(400, 'x_content_parse_exception', '[1:2] [connector_filtering_rule] must be an object');
  allowKeys(
    rule,
    ['id', 'field', 'order', 'policy', 'rule', 'value', 'created_at', 'updated_at'],
    'connector_filtering_rule',
  );
  for (const k of ['id', 'field', 'order', 'policy', 'rule', 'value']) {
    if (rule[k] === undefined || rule[k] === null)
      throw esError(400, 'x_content_parse_exception', `[1:2] [connector_filtering_rule] Required [${k}]`);
  }
  if (!RULE_POLICIES.includes(String(rule.policy).toLowerCase()))
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_filtering_rule] failed to parse field [policy]: Unknown FilteringPolicy [${String(rule.policy)}]`,
    );
  if (!RULE_KINDS.includes(String(rule.rule).toLowerCase()))
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_filtering_rule] failed to parse field [rule]: Unknown FilteringRuleCondition [${String(rule.rule)}]`,
    );
  if (typeof rule.order !== 'number')
    throw esError(
      400,
      'x_content_parse_exception',
      '[1:2] [connector_filtering_rule] failed to parse field [order]',
    );
  return { created_at: now, updated_at: now, ...rule };
}

const updateFiltering: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['filtering', 'rules', 'advanced_snippet'], 'connector_update_filtering_request');
  const id = req.part('connector_id');
  const current = connectorSource(ctx, id);
  const now = ctx.isoNow();
  if (body.filtering !== undefined) {
    if (!Array.isArray(body.filtering))
      throw esError(400, 'x_content_parse_exception', '[1:2] [filtering] must be an array');
    return update(req, ctx, { filtering: body.filtering }, ['filtering']);
  }
  if (body.rules === undefined && body.advanced_snippet === undefined) {
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [advanced_snippet] and [rules] cannot be both null.;',
    );
  }
  const filtering = Array.isArray(current.filtering) ? (current.filtering as Record<string, unknown>[]) : [];
  let entry = filtering.find((f) => f.domain === 'DEFAULT');
  if (entry === undefined) {
    entry = { domain: 'DEFAULT', active: {}, draft: {} };
    filtering.push(entry);
  }
  const draft: Record<string, unknown> = isPlainObject(entry.draft) ? entry.draft : {};
  if (body.rules !== undefined) {
    if (!Array.isArray(body.rules))
      throw esError(400, 'x_content_parse_exception', '[1:2] [rules] must be an array');
    const rules = body.rules.map((r) => validateRule(r, now));
    const custom = rules.filter((r) => r.id !== 'DEFAULT').sort((a, b) => Number(a.order) - Number(b.order));
    const existingDefault = rules.find((r) => r.id === 'DEFAULT');
    const defaultRule = {
      created_at: now,
      field: '_',
      id: 'DEFAULT',
      order: 0,
      policy: 'include',
      rule: 'regex',
      updated_at: now,
      value: '.*',
    };
    draft.rules = [...custom, { ...(existingDefault ?? defaultRule), order: custom.length }];
  }
  if (body.advanced_snippet !== undefined) {
    const snippet = body.advanced_snippet;
    if (!isPlainObject(snippet))
      throw esError(400, 'x_content_parse_exception', '[1:2] [advanced_snippet] must be an object');
    allowKeys(snippet, ['value', 'created_at', 'updated_at'], 'connector_filtering_advanced_snippet');
    const prev = isPlainObject(draft.advanced_snippet) ? draft.advanced_snippet : {};
    draft.advanced_snippet = {
      created_at: prev.created_at ?? now,
      updated_at: now,
      value: snippet.value ?? {},
    };
  }
  draft.validation = { errors: [], state: 'edited' };
  entry.draft = draft;
  return update(req, ctx, { filtering }, ['filtering']);
};

const updateFilteringValidation: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['validation'], 'connector_update_filtering_validation_request');
  const validation = objectField(body, 'validation', true) ?? {};
  allowKeys(validation, ['state', 'errors'], 'filtering_validation');
  if (!['valid', 'invalid', 'edited'].includes(String(validation.state))) {
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [filtering_validation] failed to parse field [state]: Unknown FilteringValidationState [${String(validation.state)}]`,
    );
  }
  if (validation.errors !== undefined && !Array.isArray(validation.errors))
    throw esError(400, 'x_content_parse_exception', '[1:2] [errors] must be an array');
  const current = connectorSource(ctx, req.part('connector_id'));
  const filtering = Array.isArray(current.filtering) ? (current.filtering as Record<string, unknown>[]) : [];
  const entry = filtering.find((f) => f.domain === 'DEFAULT') ?? filtering[0];
  if (entry === undefined)
    throw statusException(`Connector [${req.part('connector_id')}] has no filtering configuration.`);
  const draft: Record<string, unknown> = isPlainObject(entry.draft) ? entry.draft : {};
  draft.validation = { errors: validation.errors ?? [], state: validation.state };
  entry.draft = draft;
  return update(req, ctx, { filtering }, ['filtering']);
};

const activateFiltering: Handler = (req, ctx) => {
  const current = connectorSource(ctx, req.part('connector_id'));
  const filtering = Array.isArray(current.filtering) ? (current.filtering as Record<string, unknown>[]) : [];
  const entry = filtering.find((f) => f.domain === 'DEFAULT') ?? filtering[0];
  const draft = entry !== undefined && isPlainObject(entry.draft) ? entry.draft : undefined;
  const state =
    draft !== undefined && isPlainObject(draft.validation) ? String(draft.validation.state) : 'edited';
  if (entry === undefined || draft === undefined || state !== 'valid') {
    throw statusException(
      `Filtering draft needs to be validated by the connector service before activation. Current filtering draft validation state [${state}] is not equal to [valid].`,
    );
  }
  entry.active = structuredClone(draft);
  return update(req, ctx, { filtering }, ['filtering']);
};

const FEATURE_KEYS = [
  'document_level_security',
  'incremental_sync',
  'native_connector_api_keys',
  'sync_rules',
];

const updateFeatures: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['features'], 'connector_update_features_request');
  const features = objectField(body, 'features', true) ?? {};
  allowKeys(features, FEATURE_KEYS, 'connector_features');
  for (const [k, v] of Object.entries(features)) {
    if (!isPlainObject(v))
      throw esError(400, 'x_content_parse_exception', `[1:2] [connector_features] [${k}] must be an object`);
    if (k === 'sync_rules') allowKeys(v, ['basic', 'advanced'], 'sync_rules_features');
    else allowKeys(v, ['enabled'], 'feature_enabled');
  }
  return update(req, ctx, { features });
};

const updatePipeline: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['pipeline'], 'connector_update_pipeline_request');
  const pipeline = objectField(body, 'pipeline', true) ?? {};
  allowKeys(
    pipeline,
    ['extract_binary_content', 'name', 'reduce_whitespace', 'run_ml_inference'],
    'connector_ingest_pipeline',
  );
  for (const k of ['extract_binary_content', 'reduce_whitespace', 'run_ml_inference']) {
    if (typeof pipeline[k] !== 'boolean')
      throw esError(
        400,
        'x_content_parse_exception',
        `[1:2] [connector_ingest_pipeline] Required boolean [${k}]`,
      );
  }
  if (typeof pipeline.name !== 'string')
    throw esError(400, 'x_content_parse_exception', '[1:2] [connector_ingest_pipeline] Required [name]');
  return update(req, ctx, { pipeline }, ['pipeline']);
};

const updateIndexName: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['index_name'], 'connector_update_index_name_request');
  if (!('index_name' in body)) throw esError(400, 'x_content_parse_exception', '[1:1] Required [index_name]');
  const id = req.part('connector_id');
  const current = connectorSource(ctx, id);
  const name = body.index_name;
  if (name !== null) {
    if (typeof name !== 'string')
      throw esError(400, 'x_content_parse_exception', '[1:2] [index_name] must be a string');
    validateIndexName(name);
  }
  if (current.index_name === name) return { body: { result: 'noop' } };
  for (const doc of ctx.store.indices.get('.elastic-connectors-v1')?.docs.values() ?? []) {
    if (doc.id !== id && doc.source.deleted !== true && doc.source.index_name === name && name !== null) {
      throw statusException(`Index name [${String(name)}] is used by another connector.`);
    }
  }
  return update(req, ctx, { index_name: name });
};

const updateName: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['name', 'description'], 'connector_update_name_request');
  nullableString(body, 'name');
  nullableString(body, 'description');
  if (body.name === undefined && body.description === undefined) {
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [name] and [description] cannot both be null.;',
    );
  }
  return update(req, ctx, body);
};

const updateServiceType: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['service_type'], 'connector_update_service_type_request');
  if (typeof body.service_type !== 'string' || body.service_type === '') {
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [service_type] cannot be [null] or [""].;',
    );
  }
  const current = connectorSource(ctx, req.part('connector_id'));
  return update(req, ctx, {
    service_type: body.service_type,
    status: current.status === 'created' ? 'created' : 'needs_configuration',
  });
};

const updateNative: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['is_native'], 'connector_update_native_request');
  if (typeof body.is_native !== 'boolean')
    throw esError(400, 'x_content_parse_exception', '[1:1] Required [is_native]');
  const current = connectorSource(ctx, req.part('connector_id'));
  const patch: Record<string, unknown> = { is_native: body.is_native };
  if (body.is_native && current.status === 'created') patch.status = 'needs_configuration';
  return update(req, ctx, patch);
};

const updateApiKeyId: Handler = (req, ctx) => {
  const body = req.requiredObject();
  allowKeys(body, ['api_key_id', 'api_key_secret_id'], 'connector_update_api_key_id_request');
  nullableString(body, 'api_key_id');
  nullableString(body, 'api_key_secret_id');
  if (body.api_key_id === undefined && body.api_key_secret_id === undefined) {
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [api_key_id] and [api_key_secret_id] cannot both be null.;',
    );
  }
  return update(req, ctx, body);
};

const secretPost: Handler = (req, ctx) => {
  req.requireCluster(['write_connector_secrets']);
  const body = req.requiredObject();
  allowKeys(body, ['value'], 'post_secret_request');
  if (typeof body.value !== 'string')
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [value] of the connector secret cannot be [null] or [""];',
    );
  const id = ctx.store.newId(20);
  ctx.secrets.set(id, body.value);
  return { body: { id } };
};

const secretPut: Handler = (req, ctx) => {
  req.requireCluster(['write_connector_secrets']);
  const body = req.requiredObject();
  allowKeys(body, ['value'], 'put_secret_request');
  if (typeof body.value !== 'string')
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [value] of the connector secret cannot be [null] or [""];',
    );
  const id = req.part('id');
  const existed = ctx.secrets.has(id);
  ctx.secrets.set(id, body.value);
  return { body: { result: existed ? 'updated' : 'created' } };
};

const secretGet: Handler = (req, ctx) => {
  req.requireCluster(['read_connector_secrets']);
  const id = req.part('id');
  const value = ctx.secrets.get(id);
  if (value === undefined) throw resourceNotFound(`No secret with id [${id}]`);
  return { body: { id, value } };
};

const secretDelete: Handler = (req, ctx) => {
  req.requireCluster(['write_connector_secrets']);
  const id = req.part('id');
  if (!ctx.secrets.delete(id)) throw resourceNotFound(`No secret with id [${id}]`);
  return { body: { deleted: true } };
};

/** Extra query params real 9.x clusters accept on connector APIs (soft deletes), absent from the 8.19 spec. */
export const SOFT_DELETE_PARAMS: Readonly<Record<string, readonly string[]>> = {
  'connector.delete': ['hard'],
  'connector.get': ['include_deleted'],
  'connector.list': ['include_deleted'],
};

/** Connector API handlers by REST API name. */
export const CONNECTOR_HANDLERS: Readonly<Record<string, Handler>> = {
  'connector.put': (req, ctx) => putConnector(req, ctx, req.parts.connector_id),
  'connector.post': (req, ctx) => putConnector(req, ctx, undefined),
  'connector.get': getConnector,
  'connector.list': listConnectors,
  'connector.delete': deleteConnector,
  'connector.check_in': checkIn,
  'connector.update_status': updateStatus,
  'connector.update_error': updateError,
  'connector.last_sync': lastSync,
  'connector.update_configuration': updateConfiguration,
  'connector.update_scheduling': updateScheduling,
  'connector.update_filtering': updateFiltering,
  'connector.update_filtering_validation': updateFilteringValidation,
  'connector.update_active_filtering': activateFiltering,
  'connector.update_features': updateFeatures,
  'connector.update_pipeline': updatePipeline,
  'connector.update_index_name': updateIndexName,
  'connector.update_name': updateName,
  'connector.update_service_type': updateServiceType,
  'connector.update_native': updateNative,
  'connector.update_api_key_id': updateApiKeyId,
  'connector.sync_job_post': postSyncJob,
  'connector.sync_job_get': getSyncJob,
  'connector.sync_job_list': listSyncJobs,
  'connector.sync_job_delete': deleteSyncJob,
  'connector.sync_job_check_in': checkInSyncJob,
  'connector.sync_job_claim': claimSyncJob,
  'connector.sync_job_update_stats': statsSyncJob,
  'connector.sync_job_error': errorSyncJob,
  'connector.sync_job_cancel': cancelSyncJob,
  'connector.secret_post': secretPost,
  'connector.secret_put': secretPut,
  'connector.secret_get': secretGet,
  'connector.secret_delete': secretDelete,
};
