import { connectorSource, allowKeys, objectField, syncJobsIndex, SYNC_STATUSES } from './connector-api.js';
import { esError, resourceNotFound, statusException } from './es-error.js';
import type { EsRequest } from './es-request.js';
import type { EsResponse, FakeContext } from './fake-context.js';
import type { StoredDoc } from './index-store.js';
import { isPlainObject } from './mapping.js';

const JOB_TYPES = ['full', 'incremental', 'access_control'];
const TRIGGERS = ['on_demand', 'scheduled'];
const JOB_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  pending: ['in_progress', 'canceled'],
  in_progress: ['canceling', 'completed', 'suspended', 'error'],
  suspended: ['in_progress', 'canceled'],
  canceling: ['canceled', 'error'],
  completed: [],
  canceled: [],
  error: [],
};

function checkJobTransition(from: string, to: string): void {
  if (!(JOB_TRANSITIONS[from] ?? []).includes(to)) {
    throw statusException(
      `Invalid transition attempt from [${from}] to [${to}]. Such a status transition is not supported by the Connector Protocol.`,
    );
  }
}

function job(ctx: FakeContext, id: string): StoredDoc {
  const doc = ctx.store.indices.get('.elastic-connectors-sync-jobs-v1')?.docs.get(id);
  if (doc === undefined) throw resourceNotFound(`connector sync job [${id}] not found`);
  return doc;
}

function patchJob(ctx: FakeContext, id: string, patch: Record<string, unknown>): EsResponse {
  job(ctx, id);
  const index = syncJobsIndex(ctx);
  index.update(id, { doc: patch });
  ctx.store.refresh([index]);
  return { body: { result: 'updated' } };
}

function activeFiltering(connector: Record<string, unknown>): unknown {
  const filtering = connector.filtering;
  if (Array.isArray(filtering)) {
    const entry = filtering.find((f) => isPlainObject(f) && f.domain === 'DEFAULT') ?? filtering[0];
    if (isPlainObject(entry) && entry.active !== undefined) return entry.active;
  }
  return { advanced_snippet: {}, rules: [] };
}

/** `POST /_connector/_sync_job`. */
export function postSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  const body = req.requiredObject();
  allowKeys(body, ['id', 'job_type', 'trigger_method'], 'connector_sync_job_post_request');
  if (typeof body.id !== 'string' || body.id === '') {
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [id] of the connector cannot be [null] or [""].;',
    );
  }
  const jobType = body.job_type ?? 'full';
  const trigger = body.trigger_method ?? 'on_demand';
  if (typeof jobType !== 'string' || !JOB_TYPES.includes(jobType)) {
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_sync_job_post_request] failed to parse field [job_type]: Unknown ConnectorSyncJobType [${String(jobType)}]`,
    );
  }
  if (typeof trigger !== 'string' || !TRIGGERS.includes(trigger)) {
    throw esError(
      400,
      'x_content_parse_exception',
      `[1:2] [connector_sync_job_post_request] failed to parse field [trigger_method]: Unknown ConnectorSyncJobTriggerMethod [${String(trigger)}]`,
    );
  }
  let connector: Record<string, unknown>;
  try {
    connector = connectorSource(ctx, body.id);
  } catch {
    throw resourceNotFound(`connector [${body.id}] not found`);
  }
  if (typeof connector.index_name !== 'string' || connector.index_name === '') {
    throw statusException(
      `Cannot start a sync for connector [${body.id}] with no index attached. Set the [index_name] property for the connector to enable syncing data.`,
    );
  }
  if (typeof connector.service_type !== 'string' || connector.service_type === '') {
    throw statusException(`Cannot start a sync for connector [${body.id}] with no service type.`);
  }
  const now = ctx.isoNow();
  const indexName =
    jobType === 'access_control' ? `.search-acl-filter-${connector.index_name}` : connector.index_name;
  const source: Record<string, unknown> = {
    cancelation_requested_at: null,
    canceled_at: null,
    completed_at: null,
    connector: {
      configuration: connector.configuration ?? {},
      filtering: activeFiltering(connector),
      id: body.id,
      index_name: indexName,
      language: connector.language ?? null,
      pipeline: connector.pipeline ?? null,
      service_type: connector.service_type,
      sync_cursor: null,
    },
    created_at: now,
    deleted_document_count: 0,
    error: null,
    indexed_document_count: 0,
    indexed_document_volume: 0,
    job_type: jobType,
    last_seen: now,
    metadata: {},
    started_at: null,
    status: 'pending',
    total_document_count: 0,
    trigger_method: trigger,
    worker_hostname: null,
  };
  const id = ctx.store.newId(20);
  const index = syncJobsIndex(ctx);
  index.put(id, source, { opType: 'create' });
  ctx.store.refresh([index]);
  return { status: 201, body: { id } };
}

/** `GET /_connector/_sync_job/{id}`. */
export function getSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['monitor_connector', 'manage_connector']);
  const doc = job(ctx, req.part('connector_sync_job_id'));
  return { body: { id: doc.id, ...doc.source } };
}

/** `GET /_connector/_sync_job`. */
export function listSyncJobs(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['monitor_connector', 'manage_connector']);
  const from = req.int('from') ?? 0;
  const size = req.int('size') ?? 100;
  if (from < 0 || size < 0)
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [from] and [size] cannot be negative;',
    );
  const connectorId = req.params.get('connector_id');
  const status = req.params.get('status');
  if (status !== undefined && !(SYNC_STATUSES as readonly string[]).includes(status)) {
    throw esError(400, 'illegal_argument_exception', `Unknown ConnectorSyncStatus [${status}].`);
  }
  const types = req.params
    .get('job_type')
    ?.split(',')
    .filter((t) => t !== '');
  for (const t of types ?? []) {
    if (!JOB_TYPES.includes(t))
      throw esError(400, 'illegal_argument_exception', `Unknown ConnectorSyncJobType [${t}].`);
  }
  const index = ctx.store.indices.get('.elastic-connectors-sync-jobs-v1');
  if (index === undefined) return { body: { count: 0, results: [] } };
  // Listing is a search: it sees refreshed documents only (API writes refresh; direct writes within 1s).
  ctx.store.prepareRead([index]);
  const matched = [...index.visible.values()].filter((d) => {
    const s = d.source;
    const c = isPlainObject(s.connector) ? s.connector : {};
    if (connectorId !== undefined && c.id !== connectorId) return false;
    if (status !== undefined && s.status !== status) return false;
    if (types !== undefined && types.length > 0 && !types.includes(String(s.job_type))) return false;
    return true;
  });
  matched.sort(
    (a, b) =>
      String(b.source.created_at ?? '').localeCompare(String(a.source.created_at ?? '')) || b.seqNo - a.seqNo,
  );
  return {
    body: {
      count: matched.length,
      results: matched.slice(from, from + size).map((d) => ({ id: d.id, ...d.source })),
    },
  };
}

/** `DELETE /_connector/_sync_job/{id}`. */
export function deleteSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  const id = req.part('connector_sync_job_id');
  job(ctx, id);
  const index = syncJobsIndex(ctx);
  index.remove(id);
  ctx.store.refresh([index]);
  return { body: { acknowledged: true } };
}

/** `PUT /_connector/_sync_job/{id}/_check_in`. */
export function checkInSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  return patchJob(ctx, req.part('connector_sync_job_id'), { last_seen: ctx.isoNow() });
}

/** `PUT /_connector/_sync_job/{id}/_claim`. */
export function claimSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  const body = req.requiredObject();
  allowKeys(body, ['worker_hostname', 'sync_cursor'], 'connector_sync_job_claim_request');
  if (typeof body.worker_hostname !== 'string') {
    throw esError(400, 'x_content_parse_exception', '[1:1] Required [worker_hostname]');
  }
  const id = req.part('connector_sync_job_id');
  const now = ctx.isoNow();
  const patch: Record<string, unknown> = {
    status: 'in_progress',
    started_at: now,
    last_seen: now,
    worker_hostname: body.worker_hostname,
  };
  if (body.sync_cursor !== undefined) {
    // The cursor replaces the previous one (a merge would keep stale keys).
    const current = job(ctx, id);
    const connector = isPlainObject(current.source.connector)
      ? structuredClone(current.source.connector)
      : {};
    connector.sync_cursor = body.sync_cursor;
    patch.connector = connector;
    const index = syncJobsIndex(ctx);
    index.put(id, { ...structuredClone(current.source), ...patch });
    ctx.store.refresh([index]);
    return { body: { result: 'updated' } };
  }
  return patchJob(ctx, id, patch);
}

/** `PUT /_connector/_sync_job/{id}/_stats`. */
export function statsSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  const body = req.requiredObject();
  const required = ['deleted_document_count', 'indexed_document_count', 'indexed_document_volume'];
  allowKeys(
    body,
    [...required, 'total_document_count', 'last_seen', 'metadata'],
    'connector_sync_job_update_stats_request',
  );
  for (const k of required) {
    if (body[k] === undefined || body[k] === null)
      throw esError(400, 'x_content_parse_exception', `[1:1] Required [${k}]`);
  }
  for (const k of [...required, 'total_document_count']) {
    const v = body[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw esError(
        400,
        'x_content_parse_exception',
        `[1:2] [${k}] failed to parse field: expected a number`,
      );
    if (v < 0)
      throw esError(
        400,
        'action_request_validation_exception',
        `Validation Failed: 1: [${k}] cannot be negative.;`,
      );
  }
  objectField(body, 'metadata', false);
  if (
    body.last_seen !== undefined &&
    (typeof body.last_seen !== 'string' || Number.isNaN(Date.parse(body.last_seen)))
  ) {
    throw esError(400, 'x_content_parse_exception', '[1:2] [last_seen] failed to parse date field');
  }
  const patch: Record<string, unknown> = {};
  for (const k of [...required, 'total_document_count', 'metadata'])
    if (body[k] !== undefined && body[k] !== null) patch[k] = body[k];
  patch.last_seen = body.last_seen ?? ctx.isoNow();
  return patchJob(ctx, req.part('connector_sync_job_id'), patch);
}

/** `PUT /_connector/_sync_job/{id}/_error`. */
export function errorSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  const body = req.requiredObject();
  allowKeys(body, ['error'], 'connector_sync_job_error_request');
  if (typeof body.error !== 'string')
    throw esError(400, 'x_content_parse_exception', '[1:1] Required [error]');
  const id = req.part('connector_sync_job_id');
  const current = job(ctx, id);
  checkJobTransition(String(current.source.status), 'error');
  return patchJob(ctx, id, { status: 'error', error: body.error });
}

/** `PUT /_connector/_sync_job/{id}/_cancel`. */
export function cancelSyncJob(req: EsRequest, ctx: FakeContext): EsResponse {
  req.requireCluster(['manage_connector']);
  const id = req.part('connector_sync_job_id');
  const current = job(ctx, id);
  const status = String(current.source.status);
  const now = ctx.isoNow();
  if (status === 'pending' || status === 'suspended') {
    return patchJob(ctx, id, {
      status: 'canceled',
      cancelation_requested_at: now,
      canceled_at: now,
      completed_at: now,
    });
  }
  if (status === 'in_progress')
    return patchJob(ctx, id, { status: 'canceling', cancelation_requested_at: now });
  throw statusException(
    `Invalid transition attempt from [${status}] to [${status === 'canceling' ? 'canceling' : 'canceled'}]. Such a status transition is not supported by the Connector Protocol.`,
  );
}
