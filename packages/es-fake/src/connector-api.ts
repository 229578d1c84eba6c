import { esError, parseError, resourceNotFound, statusException } from './es-error.js';
import type { EsRequest } from './es-request.js';
import type { FakeContext, EsResponse } from './fake-context.js';
import { ItemError, validateIndexName, type IndexData, type StoredDoc } from './index-store.js';
import { isPlainObject } from './mapping.js';
import { wildcardRegExp } from './query.js';
import { CONNECTORS_ALIAS, SYNC_JOBS_ALIAS } from './system-indices.js';

/** Connector statuses. */
export const CONNECTOR_STATUSES = [
  'created',
  'needs_configuration',
  'configured',
  'connected',
  'error',
] as const;
/** Sync job statuses. */
export const SYNC_STATUSES = [
  'pending',
  'in_progress',
  'canceling',
  'canceled',
  'completed',
  'error',
  'suspended',
] as const;

const CONNECTOR_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  created: ['needs_configuration', 'error'],
  needs_configuration: ['configured'],
  configured: ['needs_configuration', 'connected', 'error'],
  connected: ['configured', 'error'],
  error: ['connected', 'configured'],
};

const DEFAULT_INTERVAL = '0 0 0 * * ?';

/** Throws 400 `x_content_parse_exception` for any body key outside `allowed`. */
export function allowKeys(body: Record<string, unknown>, allowed: readonly string[], parser: string): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k))
      throw esError(400, 'x_content_parse_exception', `[1:2] [${parser}] unknown field [${k}]`);
  }
}

function typeError(field: string, expected: string): never {
  throw esError(
    400,
    'x_content_parse_exception',
    `[1:2] [${field}] failed to parse field: expected ${expected}`,
  );
}

/** Soft delete exists from 9.0 (cluster feature `connector_soft_deletes`). */
export function softDeletes(ctx: FakeContext): boolean {
  return Number(ctx.version.split('.')[0]) >= 9;
}

function connectorsIndex(ctx: FakeContext): IndexData {
  const index = ctx.store.ensureSystem(CONNECTORS_ALIAS);
  if (index === undefined) throw new Error('connectors system index is not configured');
  return index;
}

/** The sync-jobs system index (created on demand). */
export function syncJobsIndex(ctx: FakeContext): IndexData {
  const index = ctx.store.ensureSystem(SYNC_JOBS_ALIAS);
  if (index === undefined) throw new Error('sync jobs system index is not configured');
  return index;
}

function defaultRule(now: string): Record<string, unknown> {
  return {
    created_at: now,
    field: '_',
    id: 'DEFAULT',
    order: 0,
    policy: 'include',
    rule: 'regex',
    updated_at: now,
    value: '.*',
  };
}

function defaultFilteringRules(now: string): Record<string, unknown> {
  return {
    advanced_snippet: { created_at: now, updated_at: now, value: {} },
    rules: [defaultRule(now)],
    validation: { errors: [], state: 'valid' },
  };
}

/** A new connector document with the cluster's defaults (§5.2). */
function newConnectorDoc(ctx: FakeContext, body: Record<string, unknown>): Record<string, unknown> {
  const now = ctx.isoNow();
  const isNative = body.is_native === true;
  const doc: Record<string, unknown> = {
    api_key_id: null,
    api_key_secret_id: null,
    configuration: {},
    custom_scheduling: {},
    description: body.description ?? null,
    error: null,
    features: null,
    filtering: [{ domain: 'DEFAULT', active: defaultFilteringRules(now), draft: defaultFilteringRules(now) }],
    index_name: body.index_name ?? null,
    is_native: isNative,
    language: body.language ?? null,
    last_access_control_sync_error: null,
    last_access_control_sync_scheduled_at: null,
    last_access_control_sync_status: null,
    last_deleted_document_count: null,
    last_incremental_sync_scheduled_at: null,
    last_indexed_document_count: null,
    last_seen: null,
    last_sync_error: null,
    last_sync_scheduled_at: null,
    last_sync_status: null,
    last_synced: null,
    name: body.name ?? '',
    pipeline: {
      extract_binary_content: true,
      name: 'search-default-ingestion',
      reduce_whitespace: true,
      run_ml_inference: true,
    },
    scheduling: {
      access_control: { enabled: false, interval: DEFAULT_INTERVAL },
      full: { enabled: false, interval: DEFAULT_INTERVAL },
      incremental: { enabled: false, interval: DEFAULT_INTERVAL },
    },
    service_type: body.service_type ?? null,
    status: isNative ? 'needs_configuration' : 'created',
    sync_cursor: null,
    sync_now: false,
  };
  if (softDeletes(ctx)) doc.deleted = false;
  return doc;
}

function liveConnector(ctx: FakeContext, id: string, includeDeleted = false): StoredDoc {
  const doc = connectorsIndex(ctx).docs.get(id);
  if (doc === undefined || (doc.source.deleted === true && !includeDeleted))
    throw resourceNotFound(`connector [${id}] not found`);
  return doc;
}

function checkIndexNameFree(ctx: FakeContext, indexName: unknown, selfId: string | undefined): void {
  if (indexName === null || indexName === undefined) return;
  if (typeof indexName !== 'string') typeError('index_name', 'a string');
  validateIndexName(indexName);
  for (const doc of connectorsIndex(ctx).docs.values()) {
    if (doc.id === selfId || doc.source.deleted === true) continue;
    if (doc.source.index_name === indexName)
      throw statusException(`Index name [${indexName}] is used by another connector.`);
  }
}

const CREATE_KEYS = ['description', 'index_name', 'is_native', 'language', 'name', 'service_type'];

function validateCreateBody(body: Record<string, unknown>): void {
  allowKeys(body, CREATE_KEYS, 'connector_put_request');
  for (const k of ['description', 'index_name', 'language', 'name', 'service_type']) {
    if (body[k] !== undefined && body[k] !== null && typeof body[k] !== 'string') typeError(k, 'a string');
  }
  if (body.is_native !== undefined && typeof body.is_native !== 'boolean')
    typeError('is_native', 'a boolean');
}

function writeConnector(
  ctx: FakeContext,
  id: string,
  source: Record<string, unknown>,
): 'created' | 'updated' {
  const index = connectorsIndex(ctx);
  const r = index.put(id, source);
  ctx.store.refresh([index]);
  return r.body.result === 'created' ? 'created' : 'updated';
}

/** `PUT /_connector/{id}` or `PUT|POST /_connector` (auto id). */
export function putConnector(req: EsRequest, ctx: FakeContext, id: string | undefined): EsResponse {
  req.requireCluster(['manage_connector']);
  const body = req.object();
  validateCreateBody(body);
  if (id !== undefined && id.trim() === '')
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [connector_id] cannot be [null] or [""];',
    );
  checkIndexNameFree(ctx, body.index_name, id);
  const connectorId = id ?? ctx.store.newId(20);
  const result = writeConnector(ctx, connectorId, newConnectorDoc(ctx, body));
  return { status: result === 'created' ? 201 : 200, body: { result, id: connectorId } };
}

function render(doc: StoredDoc): Record<string, unknown> {
  return { id: doc.id, ...doc.source };
}

/** `GET /_connector/{id}`. */
export function getConnector(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['monitor_connector', 'manage_connector']);
  const doc = liveConnector(ctx, req.part('connector_id'), req.flag('include_deleted'));
  return { body: render(doc) };
}

function csv(v: string | undefined): string[] | undefined {
  return v === undefined || v === '' ? undefined : v.split(',').map((s) => s.trim());
}

function paging(req: EsRequest): { from: number; size: number } {
  const from = req.int('from') ?? 0;
  const size = req.int('size') ?? 100;
  if (from < 0)
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [from] parameter cannot be negative, found [' + String(from) + '];',
    );
  if (size < 0)
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [size] parameter cannot be negative, found [' + String(size) + '];',
    );
  if (from + size > 10_000)
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: Sum of [from] and [size] cannot exceed 10000;',
    );
  return { from, size };
}

/** `GET /_connector`. */
export function listConnectors(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['monitor_connector', 'manage_connector']);
  const { from, size } = paging(req);
  const indexNames = csv(req.params.get('index_name'));
  for (const n of indexNames ?? []) validateIndexName(n);
  const names = csv(req.params.get('connector_name'));
  const types = csv(req.params.get('service_type'));
  const query = req.params.get('query');
  const includeDeleted = req.flag('include_deleted');
  const index = ctx.store.indices.get('.elastic-connectors-v1');
  if (index === undefined) return { body: { count: 0, results: [] } };
  const re = query === undefined ? undefined : wildcardRegExp(`*${query}*`, true);
  // Listing is a search: it sees refreshed documents only (API writes refresh; direct writes within 1s).
  ctx.store.prepareRead([index]);
  const matched = [...index.visible.values()].filter((d) => {
    const s = d.source;
    if (s.deleted === true && !includeDeleted) return false;
    if (indexNames !== undefined && !indexNames.includes(String(s.index_name))) return false;
    if (names !== undefined && !names.includes(String(s.name))) return false;
    if (types !== undefined && !types.includes(String(s.service_type))) return false;
    if (
      re !== undefined &&
      ![s.index_name, s.name, s.description].some((v) => typeof v === 'string' && re.test(v))
    )
      return false;
    return true;
  });
  matched.sort(
    (a, b) =>
      String(a.source.index_name ?? '').localeCompare(String(b.source.index_name ?? '')) ||
      a.id.localeCompare(b.id),
  );
  return { body: { count: matched.length, results: matched.slice(from, from + size).map(render) } };
}

/** `DELETE /_connector/{id}`. */
export function deleteConnector(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  const id = req.part('connector_id');
  const hard = !softDeletes(ctx) || req.flag('hard');
  // A soft-deleted connector can still be purged with hard=true.
  liveConnector(ctx, id, hard);
  const index = connectorsIndex(ctx);
  if (hard) index.remove(id);
  else index.update(id, { doc: { deleted: true } });
  ctx.store.refresh([index]);
  if (req.flag('delete_sync_jobs')) {
    const jobs = ctx.store.indices.get('.elastic-connectors-sync-jobs-v1');
    if (jobs !== undefined) {
      for (const job of [...jobs.docs.values()]) {
        const c = job.source.connector;
        if (isPlainObject(c) && c.id === id) jobs.remove(job.id);
      }
      ctx.store.refresh([jobs]);
    }
  }
  return { body: { acknowledged: true } };
}

/** Applies a partial update to a live connector; returns `{result: updated|noop}`. */
export function patchConnector(
  ctx: FakeContext,
  id: string,
  patch: Record<string, unknown>,
  replace: readonly string[] = [],
): EsResponse {
  const index = connectorsIndex(ctx);
  const doc = liveConnector(ctx, id);
  let result;
  if (replace.length > 0) {
    const source = structuredClone(doc.source);
    let changed = false;
    for (const [k, v] of Object.entries(patch)) {
      if (JSON.stringify(source[k]) !== JSON.stringify(v)) changed = true;
      source[k] = v;
    }
    if (!changed) return { body: { result: 'noop' } };
    result = index.put(id, source);
  } else {
    try {
      result = index.update(id, { doc: patch });
    } catch (err) {
      if (err instanceof ItemError) throw err.toHttp();
      throw err;
    }
  }
  ctx.store.refresh([index]);
  return { body: { result: result.body.result === 'noop' ? 'noop' : 'updated' } };
}

/** Reads a connector (live) for handlers. */
export function connectorSource(ctx: FakeContext, id: string): Record<string, unknown> {
  return structuredClone(liveConnector(ctx, id).source);
}

/** Transition check of `_status`. */
export function checkConnectorTransition(from: string, to: string): void {
  if (!(CONNECTOR_STATUSES as readonly string[]).includes(to)) {
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:11] [connector_update_status_request] failed to parse field [status]: Unknown ConnectorStatus [${to}]`,
    );
  }
  if (from === to) return;
  if (!(CONNECTOR_TRANSITIONS[from] ?? []).includes(to)) {
    throw statusException(
      `Invalid transition attempt from [${from}] to [${to}]. Such a status transition is not supported by the Connector Protocol.`,
    );
  }
}

const CRON_FIELD = /^[0-9A-Za-z*?,/\-#LW]+$/;

/** Validates a Quartz cron expression (6 or 7 fields). */
export function validateCron(expr: unknown, field: string): void {
  if (typeof expr !== 'string') typeError(field, 'a string');
  const parts = expr.trim().split(/\s+/);
  if (parts.length < 6 || parts.length > 7 || !parts.every((p) => CRON_FIELD.test(p))) {
    throw esError(400, 'illegal_argument_exception', `Invalid cron expression [${expr}]`);
  }
  const [sec, min, hour] = parts.map(Number);
  if (
    (sec !== undefined && sec > 59) ||
    (min !== undefined && min > 59) ||
    (hour !== undefined && hour > 23)
  ) {
    throw esError(400, 'illegal_argument_exception', `Invalid cron expression [${expr}]`);
  }
}

/** Validates a string-or-null field. */
export function nullableString(body: Record<string, unknown>, key: string): void {
  const v = body[key];
  if (v !== undefined && v !== null && typeof v !== 'string') typeError(key, 'a string or null');
}

/** Validates an ISO date-or-null field. */
export function nullableDate(body: Record<string, unknown>, key: string): void {
  const v = body[key];
  if (v === undefined || v === null) return;
  if ((typeof v !== 'string' || Number.isNaN(Date.parse(v))) && typeof v !== 'number') {
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [${key}] failed to parse date field [${String(v)}]`,
    );
  }
}

/** Validates a non-negative integer-or-null field. */
export function nullableCount(body: Record<string, unknown>, key: string): void {
  const v = body[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) typeError(key, 'a number');
}

/** Requires a JSON object body field. */
export function objectField(
  body: Record<string, unknown>,
  key: string,
  required: boolean,
): Record<string, unknown> | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw esError(400, 'x_content_parse_exception', `[1:1] Required [${key}]`);
    return undefined;
  }
  if (!isPlainObject(v)) throw parseError(`[${key}] must be an object`);
  return v;
}
