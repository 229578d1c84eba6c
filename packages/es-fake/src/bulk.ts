import { hasIndexPrivilege, forbiddenIndexReason } from './auth.js';
import {
  errorCause,
  esError,
  EsHttpError,
  illegalArgument,
  indexNotFoundCause,
  validationFailed,
  type EsErrorCause,
} from './es-error.js';
import type { EsRequest } from './es-request.js';
import type { FakeContext } from './fake-context.js';
import { ItemError, type IndexData, type WriteOptions, type WriteResult } from './index-store.js';
import { pipelineFor, runPipeline } from './ingest.js';
import { isPlainObject } from './mapping.js';

type BulkAction = 'index' | 'create' | 'update' | 'delete';

const ACTIONS = new Set<string>(['index', 'create', 'update', 'delete']);
const META_KEYS = new Set([
  '_index',
  '_id',
  'routing',
  'if_seq_no',
  'if_primary_term',
  'version',
  'version_type',
  'pipeline',
  'require_alias',
  'require_data_stream',
  'dynamic_templates',
  'retry_on_conflict',
  '_source',
  'op_type',
  'list_executed_pipelines',
]);
const UPDATE_KEYS = new Set([
  'doc',
  'doc_as_upsert',
  'upsert',
  'detect_noop',
  'script',
  'scripted_upsert',
  '_source',
  'lang',
]);

interface ParsedItem {
  readonly action: BulkAction;
  readonly meta: Record<string, unknown>;
  /** Raw payload line (index/create), parsed update body, or undefined (delete). */
  readonly payload: string | Record<string, unknown> | undefined;
}

/** Parses an NDJSON bulk body with the cluster's request-level validation rules. */
export function parseBulkBody(raw: Buffer, pathIndex: string | undefined): ParsedItem[] {
  const text = raw.toString('utf8');
  if (text.trim() === '') throw validationFailed('no requests added');
  if (!text.endsWith('\n')) throw illegalArgument('The bulk request must be terminated by a newline [\\n]');
  const lines = text.split('\n');
  lines.pop();
  const items: ParsedItem[] = [];
  const missing: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').replace(/\r$/, '');
    i++;
    if (line.trim() === '') continue;
    let action: unknown;
    try {
      action = JSON.parse(line);
    } catch {
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]`,
      );
    }
    if (!isPlainObject(action)) {
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [${Array.isArray(action) ? 'START_ARRAY' : 'VALUE_STRING'}]`,
      );
    }
    const keys = Object.keys(action);
    const name = keys[0];
    if (keys.length !== 1 || name === undefined || !ACTIONS.has(name)) {
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected field [create], [delete], [index] or [update] but found [${name ?? ''}]`,
      );
    }
    const meta = action[name];
    if (!isPlainObject(meta))
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [VALUE_STRING]`,
      );
    for (const k of Object.keys(meta)) {
      if (!META_KEYS.has(k))
        throw illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [${k}]`);
    }
    const act = name as BulkAction;
    if (
      meta._id !== undefined &&
      meta._id !== null &&
      typeof meta._id !== 'string' &&
      typeof meta._id !== 'number'
    ) {
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected a simple value for field [_id] but found [START_OBJECT]`,
      );
    }
    for (const k of ['if_seq_no', 'if_primary_term']) {
      const v = meta[k];
      if (
        v !== undefined &&
        (typeof v !== 'number' || !Number.isInteger(v)) &&
        !(typeof v === 'string' && /^-?\d+$/.test(v))
      ) {
        throw illegalArgument(`Malformed action/metadata line [${lineNo}], failed to parse field [${k}]`);
      }
    }
    if (meta._index === undefined && pathIndex === undefined) missing.push('index is missing');
    if (
      (act === 'update' || act === 'delete') &&
      (meta._id === undefined || meta._id === null || meta._id === '')
    )
      missing.push('id is missing');
    if (act === 'delete') {
      items.push({ action: act, meta, payload: undefined });
      continue;
    }
    if (i >= lines.length) {
      throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected a source line`);
    }
    const payloadLine = (lines[i] ?? '').replace(/\r$/, '');
    i++;
    if (act === 'update') {
      let body: unknown;
      try {
        body = JSON.parse(payloadLine);
      } catch {
        throw esError(400, 'x_content_parse_exception', `[${i}:1] Unexpected character in update payload`);
      }
      if (!isPlainObject(body))
        throw esError(400, 'x_content_parse_exception', `[${i}:1] update payload must be an object`);
      for (const k of Object.keys(body)) {
        if (!UPDATE_KEYS.has(k))
          throw esError(400, 'x_content_parse_exception', `[${i}:2] [UpdateRequest] unknown field [${k}]`);
      }
      if (body.script !== undefined)
        throw esError(400, 'illegal_argument_exception', 'fake: unsupported update scripts');
      if (body.doc === undefined) missing.push('script or doc is missing');
      else if (!isPlainObject(body.doc) || (body.upsert !== undefined && !isPlainObject(body.upsert))) {
        throw esError(
          400,
          'x_content_parse_exception',
          `[${i}:8] [UpdateRequest] failed to parse field [doc]`,
        );
      }
      items.push({ action: act, meta, payload: body });
      continue;
    }
    items.push({ action: act, meta, payload: payloadLine });
  }
  if (missing.length > 0) throw validationFailed(...missing);
  if (items.length === 0) throw validationFailed('no requests added');
  return items;
}

const CREATE: WriteOptions = { opType: 'create' };
const INDEX: WriteOptions = { opType: 'index' };

function hasOcc(meta: Record<string, unknown>): boolean {
  return meta.if_seq_no !== undefined || meta.if_primary_term !== undefined;
}

function occ(meta: Record<string, unknown>): WriteOptions {
  const out: { ifSeqNo?: number; ifPrimaryTerm?: number } = {};
  if (meta.if_seq_no !== undefined) out.ifSeqNo = Number(meta.if_seq_no);
  if (meta.if_primary_term !== undefined) out.ifPrimaryTerm = Number(meta.if_primary_term);
  return out;
}

/** Executes `_bulk`: one item per action, in order, with the exact `errors` flag rule. */
export function executeBulk(req: EsRequest, ctx: FakeContext): Record<string, unknown> {
  const started = Date.now();
  const pathIndex = req.parts.index;
  const items = parseBulkBody(req.rawBody, pathIndex);
  const touched = new Set<IndexData>();
  const defaultPipeline = req.params.get('pipeline');
  const requireAlias = req.flag('require_alias');
  const refresh = req.params.get('refresh');
  const forced = refresh === '' || refresh === 'true';
  let errors = false;
  let ranPipeline = false;
  const out: Record<string, unknown>[] = [];
  const faultsActive = ctx.faults.hasBulkItemFaults();
  const superuser = req.principal.privileges === undefined;
  let item: ParsedItem;
  let indexName = '';
  let id: string | undefined;
  const fail = (status: number, error: EsErrorCause): void => {
    errors = true;
    out.push({ [item.action]: { _index: indexName, _id: id ?? null, status, error } });
  };
  for (item of items) {
    indexName = String(item.meta._index ?? pathIndex ?? '');
    id = item.meta._id === undefined || item.meta._id === null ? undefined : String(item.meta._id);
    try {
      const rejected = faultsActive ? ctx.faults.forBulkItem([indexName]) : undefined;
      if (rejected !== undefined) {
        fail(
          rejected,
          rejected === 429
            ? errorCause(
                'es_rejected_execution_exception',
                `rejected execution of primary operation [shard_detail=[${indexName}][0][fake], shard_queue=1] (fake fault injection)`,
              )
            : errorCause('exception', `fake fault injection: item status ${rejected}`),
        );
        continue;
      }
      // Deletes never auto-create the index (TransportBulkAction skips them when collecting indices).
      if (item.action === 'delete' && !ctx.store.indices.has(indexName) && !ctx.store.isAlias(indexName)) {
        throw new ItemError(404, indexNotFoundCause(indexName));
      }
      const target = ctx.store.writeTarget(indexName, {
        requireAlias: requireAlias || item.meta.require_alias === true,
      });
      const privilege =
        item.action === 'delete' ? 'delete' : item.action === 'create' ? 'create_doc' : 'index';
      if (!superuser && !hasIndexPrivilege(req.principal, [indexName, target.name], privilege)) {
        fail(
          403,
          errorCause(
            'security_exception',
            forbiddenIndexReason(
              req.principal,
              `indices:data/write/bulk[s]`,
              indexName,
              privilege === 'create_doc' ? 'create_doc,create,index,write' : `${privilege},write`,
            ),
          ),
        );
        continue;
      }
      touched.add(target);
      let result;
      if (item.action === 'delete') {
        result = target.remove(id ?? '', occ(item.meta));
      } else if (item.action === 'update') {
        const body = item.payload as Record<string, unknown>;
        result = target.update(id ?? '', body as Parameters<IndexData['update']>[1], occ(item.meta));
      } else {
        let source: unknown;
        try {
          source = JSON.parse(item.payload as string);
        } catch {
          throw new ItemError(
            400,
            errorCause(
              'document_parsing_exception',
              '[1:1] failed to parse',
              {},
              errorCause('json_parse_exception', 'Unexpected character'),
            ),
          );
        }
        if (!isPlainObject(source)) {
          throw new ItemError(
            400,
            errorCause('document_parsing_exception', '[1:1] failed to parse: document must be an object'),
          );
        }
        const pipeline = pipelineFor(
          ctx.pipelines,
          (item.meta.pipeline as string | undefined) ?? defaultPipeline,
          target.settings['index.default_pipeline'],
        );
        if (pipeline !== undefined) {
          if ('error' in pipeline) throw new ItemError(400, pipeline.error);
          const err = runPipeline(pipeline.id, pipeline.def, source);
          ranPipeline = true;
          if (err !== undefined) throw new ItemError(400, err);
        }
        id ??= ctx.store.newId(20);
        const opType = item.action === 'create' || item.meta.op_type === 'create' ? 'create' : 'index';
        result = target.put(
          id,
          source,
          hasOcc(item.meta) ? { opType, ...occ(item.meta) } : opType === 'create' ? CREATE : INDEX,
        );
      }
      // The write result is freshly built per call: extend it in place (key order as the cluster's).
      const body = result.body as WriteResult['body'] & { status?: number };
      if (forced && body.result !== 'noop') body.forced_refresh = true;
      body.status = result.status;
      out.push(item.action === 'index' ? { index: body } : { [item.action]: body });
    } catch (err) {
      if (err instanceof ItemError) {
        fail(err.status, err.error);
        continue;
      }
      if (err instanceof EsHttpError) {
        const env = err.body as { error?: EsErrorCause & { root_cause?: unknown } };
        if (isPlainObject(env.error)) {
          const { root_cause: _rc, ...cause } = env.error;
          fail(err.status, cause as EsErrorCause);
          continue;
        }
      }
      throw err;
    }
  }
  if (refresh !== undefined && refresh !== 'false') ctx.store.refresh(touched);
  const response: Record<string, unknown> = { took: Math.max(0, Date.now() - started), errors, items: out };
  if (ranPipeline) response.ingest_took = 0;
  return response;
}
