import { esError, parseError, unsupported } from '../es-error.js';
import type { EsRequest } from '../es-request.js';
import type { FakeContext, Handler } from '../fake-context.js';
import type { IndexData } from '../index-store.js';
import { isPlainObject } from '../mapping.js';
import { executeCount, executeSearch, matchRefreshed } from '../search.js';

function targets(req: EsRequest, ctx: FakeContext): IndexData[] {
  const expr = req.parts.index;
  const indices = ctx.store.resolve(expr ?? '_all', {
    ignoreUnavailable: req.flag('ignore_unavailable'),
  });
  req.requireIndex(indices, 'read');
  return indices;
}

/** `GET|POST /_search`, `/{index}/_search`. */
export const search: Handler = (req, ctx) => {
  const body = req.object();
  const usesPit = body.pit !== undefined;
  const indices = usesPit ? undefined : targets(req, ctx);
  return {
    body: executeSearch(ctx.store, ctx.contexts, {
      body,
      params: req.params,
      indices,
      pathIndex: req.parts.index,
    }),
  };
};

/** `GET|POST /_count`, `/{index}/_count`. */
export const count: Handler = (req, ctx) => {
  const indices = targets(req, ctx);
  const n = executeCount(ctx.store, indices, req.object(), req.params);
  return {
    body: { count: n, _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 } },
  };
};

/** `POST /{index}/_pit`. */
export const openPit: Handler = (req, ctx) => {
  const keepAlive = req.params.get('keep_alive');
  if (keepAlive === undefined)
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: [keep_alive] is not specified;',
    );
  const body = req.object();
  if (Object.keys(body).length > 0) throw unsupported('point in time with an index_filter');
  const indices = targets(req, ctx);
  const id = ctx.contexts.openPit(indices, keepAlive);
  return {
    body: { id, _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 } },
  };
};

/** `DELETE /_pit`. */
export const closePit: Handler = (req, ctx) => {
  const body = req.requiredObject();
  if (typeof body.id !== 'string') throw parseError('[close_point_in_time] requires [id]');
  const n = ctx.contexts.closePit(body.id);
  return { body: { succeeded: true, num_freed: n } };
};

/** `GET|POST /_search/scroll[/{scroll_id}]`. */
export const scroll: Handler = (req, ctx) => {
  const body = req.object();
  const id = req.parts.scroll_id ?? req.params.get('scroll_id') ?? body.scroll_id;
  if (typeof id !== 'string')
    throw esError(400, 'action_request_validation_exception', 'Validation Failed: 1: scrollId is missing;');
  const keepAlive = req.params.get('scroll') ?? body.scroll;
  const response = ctx.contexts.continueScroll(id, keepAlive);
  if (req.flag('rest_total_hits_as_int')) {
    const hits = response.hits as { total?: { value: number } | number };
    if (isPlainObject(hits.total)) hits.total = (hits.total as { value: number }).value;
  }
  return { body: response };
};

/** `DELETE /_search/scroll[/{scroll_id}]`. */
export const clearScroll: Handler = (req, ctx) => {
  const body = req.object();
  let ids: string[] = [];
  if (req.parts.scroll_id !== undefined) ids = req.parts.scroll_id.split(',');
  else if (typeof body.scroll_id === 'string') ids = [body.scroll_id];
  else if (Array.isArray(body.scroll_id)) ids = body.scroll_id.map(String);
  else
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: no scroll ids specified;',
    );
  const n = ctx.contexts.clearScrolls(ids);
  return { status: n === 0 ? 404 : 200, body: { succeeded: true, num_freed: n } };
};

/** `POST /{index}/_delete_by_query` (synchronous). */
export const deleteByQuery: Handler = (req, ctx) => {
  if (req.params.get('wait_for_completion') === 'false')
    throw unsupported('delete_by_query with wait_for_completion=false');
  const body = req.object();
  for (const k of Object.keys(body))
    if (k !== 'query' && k !== 'max_docs') throw parseError(`[delete_by_query] unknown field [${k}]`);
  if (body.query === undefined && !req.params.has('q')) {
    throw esError(400, 'action_request_validation_exception', 'Validation Failed: 1: query is missing;');
  }
  const indices = ctx.store.resolve(req.part('index'), { ignoreUnavailable: req.flag('ignore_unavailable') });
  req.requireIndex(indices, 'read');
  req.requireIndex(indices, 'delete');
  const started = Date.now();
  let matches = matchRefreshed(ctx.store, indices, { query: body.query }, req.params);
  const maxDocs = req.int('max_docs') ?? (typeof body.max_docs === 'number' ? body.max_docs : undefined);
  if (maxDocs !== undefined) matches = matches.slice(0, maxDocs);
  const proceed = req.params.get('conflicts') === 'proceed';
  let deleted = 0;
  let conflicts = 0;
  const failures: unknown[] = [];
  for (const { index, doc } of matches) {
    const live = index.docs.get(doc.id);
    if (live === undefined || live.seqNo !== doc.seqNo) {
      conflicts++;
      if (!proceed) {
        failures.push({
          index: index.name,
          id: doc.id,
          cause: {
            type: 'version_conflict_engine_exception',
            reason: `[${doc.id}]: version conflict, required seqNo [${doc.seqNo}], primary term [1]. ${live === undefined ? 'but no document was found' : `current document has seqNo [${live.seqNo}] and primary term [1]`}`,
            index_uuid: index.uuid,
            shard: '0',
            index: index.name,
          },
          status: 409,
        });
        break;
      }
      continue;
    }
    index.remove(doc.id);
    deleted++;
  }
  const refresh = req.params.get('refresh');
  if (refresh !== undefined && refresh !== 'false') ctx.store.refresh(indices);
  return {
    status: failures.length > 0 ? 409 : 200,
    body: {
      took: Date.now() - started,
      timed_out: false,
      total: matches.length,
      deleted,
      batches: matches.length === 0 ? 0 : 1,
      version_conflicts: conflicts,
      noops: 0,
      retries: { bulk: 0, search: 0 },
      throttled_millis: 0,
      requests_per_second: -1.0,
      throttled_until_millis: 0,
      failures,
    },
  };
};
