import { esError, EsHttpError, indexNotFoundCause, parseError, unsupported } from '../es-error.js';
import type { EsRequest } from '../es-request.js';
import type { FakeContext, Handler } from '../fake-context.js';
import { ItemError, type IndexData, type WriteOptions, type WriteResult } from '../index-store.js';
import { pipelineFor, runPipeline } from '../ingest.js';
import { isPlainObject } from '../mapping.js';
import { applySourceFilter, parseSourceFilter } from '../source-filter.js';

function occ(req: EsRequest): WriteOptions {
  const seq = req.int('if_seq_no');
  const term = req.int('if_primary_term');
  if ((seq === undefined) !== (term === undefined)) {
    throw esError(
      400,
      'action_request_validation_exception',
      `Validation Failed: 1: ${seq === undefined ? 'ifSeqNo is unassigned, but primary term is [' + String(term) + ']' : 'ifSeqNo is set, but primary term is [0]'};`,
    );
  }
  return seq === undefined || term === undefined ? {} : { ifSeqNo: seq, ifPrimaryTerm: term };
}

function withRefresh(
  req: EsRequest,
  ctx: FakeContext,
  index: IndexData,
  result: WriteResult,
): { status: number; body: unknown } {
  const refresh = req.params.get('refresh');
  const body: Record<string, unknown> = { ...result.body };
  if (refresh !== undefined && refresh !== 'false') {
    ctx.store.refresh([index]);
    if ((refresh === '' || refresh === 'true') && result.body.result !== 'noop') body.forced_refresh = true;
  }
  return { status: result.status, body };
}

function writeTarget(req: EsRequest, ctx: FakeContext): IndexData {
  try {
    return ctx.store.writeTarget(req.part('index'), { requireAlias: req.flag('require_alias') });
  } catch (err) {
    if (err instanceof ItemError) throw err.toHttp();
    throw err;
  }
}

function run<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ItemError) throw err.toHttp();
    throw err;
  }
}

function indexDocument(
  req: EsRequest,
  ctx: FakeContext,
  forceCreate: boolean,
): { status: number; body: unknown } {
  const source = req.json();
  if (!isPlainObject(source)) throw parseError('request body is required and must be an object');
  const index = writeTarget(req, ctx);
  const opTypeParam = req.params.get('op_type');
  if (opTypeParam !== undefined && opTypeParam !== 'index' && opTypeParam !== 'create') {
    throw esError(
      400,
      'illegal_argument_exception',
      `opType must be 'create' or 'index', found: [${opTypeParam}]`,
    );
  }
  req.requireIndex([index], forceCreate || opTypeParam === 'create' ? 'create_doc' : 'index');
  if (req.params.has('version') || req.params.has('version_type')) throw unsupported('external versioning');
  const pipeline = pipelineFor(
    ctx.pipelines,
    req.params.get('pipeline'),
    index.settings['index.default_pipeline'],
  );
  if (pipeline !== undefined) {
    if ('error' in pipeline) throw new ItemError(400, pipeline.error).toHttp();
    const err = runPipeline(pipeline.id, pipeline.def, source);
    if (err !== undefined) throw new ItemError(400, err).toHttp();
  }
  const id = req.parts.id ?? ctx.store.newId(20);
  const opType = forceCreate || opTypeParam === 'create' ? 'create' : 'index';
  const result = run(() => index.put(id, source, { opType, ...occ(req) }));
  return withRefresh(req, ctx, index, result);
}

/** `PUT|POST /{index}/_doc/{id}`, `POST /{index}/_doc`. */
export const indexDoc: Handler = (req, ctx) => indexDocument(req, ctx, false);

/** `PUT|POST /{index}/_create/{id}`. */
export const createDoc: Handler = (req, ctx) => indexDocument(req, ctx, true);

function getSourceFilter(req: EsRequest): ReturnType<typeof parseSourceFilter> {
  return parseSourceFilter(undefined, {
    source: req.params.get('_source'),
    includes: req.params.get('_source_includes'),
    excludes: req.params.get('_source_excludes'),
  });
}

/** Renders a GET result for one document id of one index. */
function getResult(
  index: IndexData,
  id: string,
  filter: ReturnType<typeof parseSourceFilter>,
): { found: boolean; body: Record<string, unknown> } {
  const doc = index.docs.get(id);
  if (doc === undefined) return { found: false, body: { _index: index.name, _id: id, found: false } };
  const body: Record<string, unknown> = {
    _index: index.name,
    _id: id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: doc.primaryTerm,
    found: true,
  };
  const src = applySourceFilter(doc.source, filter);
  if (src !== undefined) body._source = src;
  return { found: true, body };
}

/** `GET /{index}/_doc/{id}` (real-time). */
export const getDoc: Handler = (req, ctx) => {
  const index = ctx.store.get(req.part('index'));
  req.requireIndex([index], 'read');
  if (req.flag('refresh')) ctx.store.refresh([index]);
  const r = getResult(index, req.part('id'), getSourceFilter(req));
  return { status: r.found ? 200 : 404, body: r.body };
};

/** `HEAD /{index}/_doc/{id}`. */
export const existsDoc: Handler = (req, ctx) => {
  const index = ctx.store.get(req.part('index'));
  req.requireIndex([index], 'read');
  return { status: index.docs.has(req.part('id')) ? 200 : 404 };
};

/** `GET /{index}/_source/{id}`. */
export const getSource: Handler = (req, ctx) => {
  const index = ctx.store.get(req.part('index'));
  req.requireIndex([index], 'read');
  const doc = index.docs.get(req.part('id'));
  if (doc === undefined) {
    throw esError(
      404,
      'resource_not_found_exception',
      `Document not found [${index.name}]/[${req.part('id')}]`,
    );
  }
  return { body: applySourceFilter(doc.source, getSourceFilter(req)) ?? {} };
};

/** `DELETE /{index}/_doc/{id}`. */
export const deleteDoc: Handler = (req, ctx) => {
  const index = ctx.store.get(req.part('index'));
  req.requireIndex([index], 'delete');
  const result = run(() => index.remove(req.part('id'), occ(req)));
  return withRefresh(req, ctx, index, result);
};

const UPDATE_BODY_KEYS = new Set([
  'doc',
  'doc_as_upsert',
  'upsert',
  'detect_noop',
  'script',
  'scripted_upsert',
  '_source',
]);

/** `POST /{index}/_update/{id}`. */
export const updateDoc: Handler = (req, ctx) => {
  const body = req.requiredObject();
  for (const k of Object.keys(body))
    if (!UPDATE_BODY_KEYS.has(k))
      throw esError(400, 'x_content_parse_exception', `[1:2] [UpdateRequest] unknown field [${k}]`);
  if (body.script !== undefined) throw unsupported('update scripts');
  if (body.doc !== undefined && !isPlainObject(body.doc))
    throw esError(400, 'x_content_parse_exception', '[1:8] [UpdateRequest] failed to parse field [doc]');
  if (body.doc === undefined) {
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: script or doc is missing;',
    );
  }
  const index = writeTarget(req, ctx);
  req.requireIndex([index], 'index');
  // retry_on_conflict is validated but moot: writes are serialized, so an update never races.
  req.int('retry_on_conflict');
  const result = run(() =>
    index.update(req.part('id'), body as Parameters<IndexData['update']>[1], occ(req)),
  );
  const out = withRefresh(req, ctx, index, result);
  const wantSource = body._source ?? req.params.get('_source');
  if (wantSource !== undefined && wantSource !== false && wantSource !== 'false') {
    const doc = index.docs.get(req.part('id'));
    if (doc !== undefined) {
      (out.body as Record<string, unknown>).get = {
        _seq_no: doc.seqNo,
        _primary_term: doc.primaryTerm,
        found: true,
        _source: doc.source,
      };
    }
  }
  return out;
};

/** `GET|POST /_mget`, `/{index}/_mget`. */
export const mget: Handler = (req, ctx) => {
  const body = req.requiredObject();
  const pathIndex = req.parts.index;
  const defaultFilter = getSourceFilter(req);
  let specs: { _index?: unknown; _id?: unknown; _source?: unknown }[];
  if (Array.isArray(body.docs)) specs = body.docs as typeof specs;
  else if (Array.isArray(body.ids)) specs = body.ids.map((id) => ({ _id: id }));
  else
    throw esError(400, 'action_request_validation_exception', 'Validation Failed: 1: no documents to get;');
  const docs = specs.map((spec) => {
    const indexName = spec._index === undefined ? pathIndex : String(spec._index);
    const id = String(spec._id);
    if (indexName === undefined)
      return {
        _index: null,
        _id: id,
        error: {
          type: 'action_request_validation_exception',
          reason: 'Validation Failed: 1: index is missing;',
        },
      };
    let index: IndexData;
    try {
      index = ctx.store.get(indexName);
    } catch (err) {
      if (err instanceof EsHttpError)
        return {
          _index: indexName,
          _id: id,
          error: { root_cause: [indexNotFoundCause(indexName)], ...indexNotFoundCause(indexName) },
        };
      throw err;
    }
    const filter = spec._source !== undefined ? parseSourceFilter(spec._source, {}) : defaultFilter;
    return getResult(index, id, filter).body;
  });
  return { body: { docs } };
};
