import {
  esError,
  errorCause,
  parseError,
  unsupported,
  validationFailed,
  type EsHttpError,
} from './es-error.js';
import { parseTimeValue, type IndexData, type IndexStore, type StoredDoc } from './index-store.js';
import { isPlainObject, isTextType, NUMERIC_TYPES, parseDate, resolveField, valuesAt } from './mapping.js';
import { compileLucene, compileQuery, searchPhaseError, type DocPredicate } from './query.js';
import { applySourceFilter, parseSourceFilter, type SourceFilter } from './source-filter.js';

/** A document as seen by one search: its index and a stable position (for `_shard_doc`). */
interface Entry {
  readonly index: IndexData;
  readonly doc: StoredDoc;
  readonly shardDoc: number;
}

/** A frozen view of indices (a point in time or a scroll). */
interface Snapshot {
  readonly entries: readonly Entry[];
  /** Indices the entries come from (sort fields resolve against their mappings). */
  readonly indices?: readonly IndexData[];
  expiresAt: number;
}

interface SortSpec {
  readonly field: string;
  readonly desc: boolean;
  readonly missingFirst: boolean;
  readonly kind: 'score' | 'doc' | 'shard_doc' | 'field';
  readonly type: string | undefined;
  readonly sourcePaths: Map<string, readonly string[]>;
}

type SortValue = string | number | null;

interface Hit {
  readonly entry: Entry;
  readonly sort: SortValue[];
}

const SEARCH_BODY_KEYS = new Set([
  'query',
  'size',
  'from',
  'sort',
  '_source',
  'search_after',
  'pit',
  'track_total_hits',
  'seq_no_primary_term',
  'version',
  'timeout',
  'track_scores',
  'stored_fields',
  'post_filter',
  'min_score',
  'explain',
  'terminate_after',
  'indices_boost',
  'profile',
  'stats',
  'fields',
  'docvalue_fields',
]);
const UNSUPPORTED_BODY_KEYS = new Set([
  'aggs',
  'aggregations',
  'highlight',
  'script_fields',
  'collapse',
  'suggest',
  'rescore',
  'runtime_mappings',
  'knn',
  'retriever',
  'rank',
  'slice',
  'ext',
]);

/** Parses a `keep_alive`/`scroll` value to milliseconds (400 when malformed). */
function keepAliveMs(value: unknown, what: string): number {
  if (typeof value !== 'string')
    throw esError(400, 'illegal_argument_exception', `[${what}] must be a time value`);
  return parseTimeValue(value);
}

function encodeContextId(kind: string, n: number, uuid: string): string {
  return Buffer.from(`${kind}:${n}:${uuid}`).toString('base64url');
}

/** Point-in-time and scroll contexts with keep-alive expiry. */
export class SearchContexts {
  readonly pits = new Map<string, Snapshot & { cache: Map<string, Hit[]> }>();
  readonly scrolls = new Map<
    string,
    Snapshot & {
      hits: Hit[];
      pos: number;
      size: number;
      source: SourceFilter;
      seqNo: boolean;
      version: boolean;
      restInt: boolean;
      trackTotal: unknown;
    }
  >();
  #counter = 0;
  readonly #store: IndexStore;

  constructor(store: IndexStore) {
    this.#store = store;
  }

  #sweep(): void {
    const now = this.#store.now();
    for (const [id, p] of this.pits) if (p.expiresAt <= now) this.pits.delete(id);
    for (const [id, s] of this.scrolls) if (s.expiresAt <= now) this.scrolls.delete(id);
  }

  /** Opens a point in time over the refreshed data of `indices`. */
  openPit(indices: readonly IndexData[], keepAlive: unknown): string {
    this.#sweep();
    const ms = keepAliveMs(keepAlive, 'keep_alive');
    this.#store.prepareRead(indices);
    const id = encodeContextId('pit', ++this.#counter, this.#store.newId(22));
    this.pits.set(id, {
      entries: snapshotEntries(indices),
      indices: [...indices],
      expiresAt: this.#store.now() + ms,
      cache: new Map(),
    });
    return id;
  }

  /** Closes a PIT; returns the number freed (0 when unknown/expired). */
  closePit(id: string): number {
    this.#sweep();
    return this.pits.delete(id) ? 1 : 0;
  }

  /** Clears scroll ids (`_all` clears every one). */
  clearScrolls(ids: readonly string[]): number {
    this.#sweep();
    if (ids.includes('_all')) {
      const n = this.scrolls.size;
      this.scrolls.clear();
      return n;
    }
    let n = 0;
    for (const id of ids) if (this.scrolls.delete(id)) n++;
    return n;
  }

  /** Looks up a live PIT (404 `search_context_missing_exception` otherwise). */
  pit(id: string): Snapshot & { cache: Map<string, Hit[]> } {
    this.#sweep();
    const pit = this.pits.get(id);
    if (pit === undefined) throw contextMissing(id);
    return pit;
  }

  /** Registers a scroll and returns its id. */
  addScroll(
    ctx: Snapshot & {
      hits: Hit[];
      pos: number;
      size: number;
      source: SourceFilter;
      seqNo: boolean;
      version: boolean;
      restInt: boolean;
      trackTotal: unknown;
    },
  ): string {
    this.#sweep();
    const id = encodeContextId('scroll', ++this.#counter, this.#store.newId(22));
    this.scrolls.set(id, ctx);
    return id;
  }

  /** Continues a scroll. */
  continueScroll(id: string, keepAlive: unknown): Record<string, unknown> {
    this.#sweep();
    const ctx = this.scrolls.get(id);
    if (ctx === undefined) throw contextMissing(id);
    if (keepAlive !== undefined) ctx.expiresAt = this.#store.now() + keepAliveMs(keepAlive, 'scroll');
    const page = ctx.hits.slice(ctx.pos, ctx.pos + ctx.size);
    ctx.pos += page.length;
    const response = renderResponse(
      ctx.hits.length,
      page,
      ctx.source,
      ctx.seqNo,
      ctx.version,
      ctx.restInt,
      ctx.trackTotal,
      false,
    );
    return { _scroll_id: id, ...response };
  }
}

function contextMissing(id: string): EsHttpError {
  const root = errorCause(
    'search_context_missing_exception',
    `No search context found for id [${id.length}]`,
  );
  return esError(
    404,
    'search_phase_execution_exception',
    'all shards failed',
    { phase: 'query', grouped: true, failed_shards: [{ shard: -1, index: null, reason: root }] },
    root,
  );
}

function snapshotEntries(indices: readonly IndexData[]): Entry[] {
  const out: Entry[] = [];
  indices.forEach((index, ordinal) => {
    let pos = 0;
    for (const doc of index.visible.values()) out.push({ index, doc, shardDoc: ordinal * 2 ** 32 + pos++ });
  });
  return out;
}

function liveEntries(indices: readonly IndexData[]): Entry[] {
  return snapshotEntries(indices);
}

/** Parsed common search parameters. */
export interface SearchRequest {
  readonly body: Record<string, unknown>;
  readonly params: ReadonlyMap<string, string>;
  /** Concrete target indices (undefined when the path had no index). */
  readonly indices: readonly IndexData[] | undefined;
  /** Index expression from the path, if any. */
  readonly pathIndex: string | undefined;
}

function intParam(params: ReadonlyMap<string, string>, name: string): number | undefined {
  const v = params.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw esError(
      400,
      'illegal_argument_exception',
      `Failed to parse int parameter [${name}] with value [${v}]`,
    );
  return n;
}

function boolParam(params: ReadonlyMap<string, string>, name: string): boolean | undefined {
  const v = params.get(name);
  if (v === undefined) return undefined;
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw esError(
    400,
    'illegal_argument_exception',
    `Failed to parse value [${v}] as only [true] or [false] are allowed.`,
  );
}

/** Builds the predicate for `query` (body) or `q` (param). */
export function requestPredicate(
  body: Record<string, unknown>,
  params: ReadonlyMap<string, string>,
  now: number,
): DocPredicate {
  const q = params.get('q');
  if (q !== undefined) {
    const df = params.get('df');
    return compileLucene(
      q,
      df !== undefined ? [df] : ['*'],
      params.get('default_operator')?.toLowerCase() === 'and',
    );
  }
  return compileQuery(body.query, now);
}

function checkBodyKeys(body: Record<string, unknown>): void {
  for (const key of Object.keys(body)) {
    if (UNSUPPORTED_BODY_KEYS.has(key)) throw unsupported(`search option [${key}]`);
    if (!SEARCH_BODY_KEYS.has(key)) throw parseError(`Unknown key for a START_OBJECT in [${key}].`);
  }
}

/** Executes `_search` (optionally opening a scroll or reading a PIT). */
export function executeSearch(
  store: IndexStore,
  contexts: SearchContexts,
  req: SearchRequest,
): Record<string, unknown> {
  const { body, params } = req;
  checkBodyKeys(body);
  const now = store.now();
  const size = intParam(params, 'size') ?? (body.size as number | undefined) ?? 10;
  const from = intParam(params, 'from') ?? (body.from as number | undefined) ?? 0;
  if (typeof size !== 'number' || size < 0)
    throw esError(
      400,
      'illegal_argument_exception',
      `[size] parameter cannot be negative, found [${String(size)}]`,
    );
  if (typeof from !== 'number' || from < 0)
    throw esError(
      400,
      'illegal_argument_exception',
      `[from] parameter cannot be negative, found [${String(from)}]`,
    );
  const scroll = params.get('scroll');
  const searchAfter = body.search_after;
  const pitSpec = body.pit;
  if (scroll !== undefined && (from > 0 || searchAfter !== undefined)) {
    throw validationFailed(
      from > 0
        ? 'using [from] is not allowed in a scroll context'
        : '[search_after] cannot be used in a scroll context',
    );
  }
  if (searchAfter !== undefined && from > 0) {
    throw validationFailed('[from] parameter must be set to 0 when [search_after] is used');
  }
  let entries: readonly Entry[];
  let sortIndices: readonly IndexData[];
  let pit: ReturnType<SearchContexts['pit']> | undefined;
  let pitId: string | undefined;
  let indexName = req.pathIndex ?? '_all';
  if (pitSpec !== undefined) {
    if (req.pathIndex !== undefined) {
      throw validationFailed(
        '[indices] cannot be used with point in time. Do not specify any index with point in time.',
      );
    }
    if (!isPlainObject(pitSpec) || typeof pitSpec.id !== 'string') throw parseError('[pit] requires [id]');
    if (scroll !== undefined)
      throw validationFailed('using [point in time] is not allowed in a scroll context');
    pitId = pitSpec.id;
    pit = contexts.pit(pitId);
    if (pitSpec.keep_alive !== undefined) pit.expiresAt = now + keepAliveMs(pitSpec.keep_alive, 'keep_alive');
    entries = pit.entries;
    sortIndices = pit.indices ?? [...new Set(entries.map((e) => e.index))];
    indexName = entries[0]?.index.name ?? '_all';
  } else {
    const indices = req.indices ?? [];
    store.prepareRead(indices);
    entries = liveEntries(indices);
    sortIndices = indices;
  }
  if (scroll === undefined && from + size > 10_000) {
    throw searchPhaseError(
      400,
      indexName,
      'illegal_argument_exception',
      `Result window is too large, from + size must be less than or equal to: [10000] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
    );
  }
  const sorts = parseSort(body.sort ?? params.get('sort'), sortIndices, pit !== undefined, indexName);
  if (searchAfter !== undefined) {
    if (!Array.isArray(searchAfter)) throw parseError('[search_after] must be an array');
    if (sorts.length === 0) {
      throw searchPhaseError(
        400,
        indexName,
        'illegal_argument_exception',
        'Sort must contain at least one field.',
      );
    }
    if (searchAfter.length !== sorts.length) {
      throw searchPhaseError(
        400,
        indexName,
        'illegal_argument_exception',
        `search_after has ${searchAfter.length} value(s) but sort has ${sorts.length}.`,
      );
    }
  }
  const cacheKey =
    pit !== undefined
      ? JSON.stringify([
          body.query ?? null,
          params.get('q') ?? null,
          body.sort ?? null,
          body.post_filter ?? null,
        ])
      : undefined;
  let hits = cacheKey !== undefined ? pit?.cache.get(cacheKey) : undefined;
  if (hits === undefined) {
    const predicate = requestPredicate(body, params, now);
    const postFilter = body.post_filter !== undefined ? compileQuery(body.post_filter, now) : undefined;
    const matched: Hit[] = [];
    for (const entry of entries) {
      if (!predicate(entry.doc, entry.index)) continue;
      if (postFilter !== undefined && !postFilter(entry.doc, entry.index)) continue;
      matched.push({ entry, sort: sorts.map((s) => sortValue(s, entry)) });
    }
    if (sorts.length > 0 && !(sorts.length === 1 && sorts[0]?.kind === 'score')) {
      matched.sort((a, b) => compareHits(a, b, sorts));
    }
    hits = matched;
    if (cacheKey !== undefined && pit !== undefined) pit.cache.set(cacheKey, hits);
  }
  let startIdx = from;
  if (searchAfter !== undefined && Array.isArray(searchAfter)) {
    const after = searchAfter as SortValue[];
    let lo = 0;
    let hi = hits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const h = hits[mid];
      if (h !== undefined && compareValues(h.sort, after, sorts) <= 0) lo = mid + 1;
      else hi = mid;
    }
    startIdx = lo;
  }
  const source = parseSourceFilter(body._source, {
    source: params.get('_source'),
    includes: params.get('_source_includes'),
    excludes: params.get('_source_excludes'),
  });
  const seqNo = boolParam(params, 'seq_no_primary_term') ?? body.seq_no_primary_term === true;
  const version = boolParam(params, 'version') ?? body.version === true;
  const restInt = boolParam(params, 'rest_total_hits_as_int') ?? false;
  const trackRaw = params.get('track_total_hits');
  if (trackRaw !== undefined && trackRaw !== 'true' && trackRaw !== 'false' && !/^\d+$/.test(trackRaw)) {
    throw esError(
      400,
      'illegal_argument_exception',
      `Failed to parse int parameter [track_total_hits] with value [${trackRaw}]`,
    );
  }
  const trackParam = params.get('track_total_hits');
  const trackTotal: unknown =
    trackParam !== undefined
      ? trackParam === 'true'
        ? true
        : trackParam === 'false'
          ? false
          : Number(trackParam)
      : body.track_total_hits;
  const showSort = sorts.length > 0 && !(sorts.length === 1 && sorts[0]?.kind === 'score');
  if (scroll !== undefined) {
    const page = hits.slice(0, size);
    const ms = keepAliveMs(scroll, 'scroll');
    const id = contexts.addScroll({
      entries,
      hits,
      pos: page.length,
      size,
      source,
      seqNo,
      version,
      restInt,
      trackTotal,
      expiresAt: now + ms,
    });
    return {
      _scroll_id: id,
      ...renderResponse(hits.length, page, source, seqNo, version, restInt, trackTotal, showSort),
    };
  }
  const page = hits.slice(startIdx, startIdx + size);
  const response = renderResponse(hits.length, page, source, seqNo, version, restInt, trackTotal, showSort);
  return pitId !== undefined ? { pit_id: pitId, ...response } : response;
}

function renderResponse(
  total: number,
  page: readonly Hit[],
  source: SourceFilter,
  seqNo: boolean,
  version: boolean,
  restInt: boolean,
  trackTotal: unknown,
  showSort: boolean,
): Record<string, unknown> {
  const cap =
    trackTotal === true ? Number.POSITIVE_INFINITY : typeof trackTotal === 'number' ? trackTotal : 10_000;
  const hits: Record<string, unknown> = {};
  if (trackTotal !== false) {
    const value = total > cap ? cap : total;
    hits.total = restInt ? value : { value, relation: total > cap ? 'gte' : 'eq' };
  }
  hits.max_score = showSort || page.length === 0 ? null : 1.0;
  hits.hits = page.map((h) => {
    const hit: Record<string, unknown> = { _index: h.entry.index.name, _id: h.entry.doc.id };
    if (version) hit._version = h.entry.doc.version;
    if (seqNo) {
      hit._seq_no = h.entry.doc.seqNo;
      hit._primary_term = h.entry.doc.primaryTerm;
    }
    hit._score = showSort ? null : 1.0;
    const src = applySourceFilter(h.entry.doc.source, source);
    if (src !== undefined) hit._source = src;
    if (showSort) hit.sort = h.sort;
    return hit;
  });
  return { took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits };
}

function parseSort(
  raw: unknown,
  indices: readonly IndexData[],
  isPit: boolean,
  indexName: string,
): SortSpec[] {
  const items: unknown[] =
    raw === undefined ? [] : Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
  const out: SortSpec[] = [];
  for (const item of items) {
    let field: string;
    let order: string | undefined;
    let missing: unknown;
    let unmappedType: string | undefined;
    if (typeof item === 'string') {
      const [f, o] = item.split(':');
      field = f ?? '';
      order = o;
    } else if (isPlainObject(item)) {
      const [entry] = Object.entries(item);
      if (entry === undefined) throw parseError('[sort] malformed');
      field = entry[0];
      const spec = entry[1];
      if (typeof spec === 'string') order = spec;
      else if (isPlainObject(spec)) {
        order = spec.order as string | undefined;
        missing = spec.missing;
        unmappedType = spec.unmapped_type as string | undefined;
        if (spec.nested !== undefined || spec.script !== undefined)
          throw unsupported('sort option [nested/script]');
      }
    } else throw parseError('[sort] malformed');
    if (order !== undefined && order !== 'asc' && order !== 'desc') {
      throw esError(400, 'illegal_argument_exception', `Unknown SortOrder [${order}]`);
    }
    if (field === '_score') {
      out.push({
        field,
        desc: order !== 'asc',
        missingFirst: false,
        kind: 'score',
        type: undefined,
        sourcePaths: new Map(),
      });
      continue;
    }
    if (field === '_doc' || field === '_shard_doc') {
      if (field === '_shard_doc' && !isPit) {
        throw searchPhaseError(
          400,
          indexName,
          'illegal_argument_exception',
          'Sorting by [_shard_doc] is only allowed with a point in time (pit)',
        );
      }
      out.push({
        field,
        desc: order === 'desc',
        missingFirst: false,
        kind: field === '_doc' ? 'doc' : 'shard_doc',
        type: undefined,
        sourcePaths: new Map(),
      });
      continue;
    }
    if (field === '_id') {
      throw searchPhaseError(
        400,
        indexName,
        'illegal_argument_exception',
        'Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled',
      );
    }
    const sourcePaths = new Map<string, readonly string[]>();
    let type: string | undefined;
    for (const index of indices) {
      const r = resolveField(index.mappings, field);
      if (r.type === undefined) continue;
      if (isTextType(r.type)) {
        throw searchPhaseError(
          400,
          index.name,
          'illegal_argument_exception',
          `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
        );
      }
      if (r.type === 'object' || r.type === 'nested') {
        throw searchPhaseError(
          400,
          index.name,
          'illegal_argument_exception',
          `Field [${field}] of type [${r.type}] is not supported for sorting`,
        );
      }
      type = r.type;
      sourcePaths.set(index.name, r.sourcePath);
    }
    if (type === undefined && unmappedType === undefined && indices.length > 0) {
      throw searchPhaseError(
        400,
        indexName,
        'query_shard_exception',
        `No mapping found for [${field}] in order to sort on`,
      );
    }
    const desc = order === 'desc';
    const missingFirst = missing === '_first';
    if (missing !== undefined && missing !== '_first' && missing !== '_last')
      throw unsupported('sort [missing] custom values');
    out.push({ field, desc, missingFirst, kind: 'field', type: type ?? unmappedType, sourcePaths });
  }
  if (isPit && !out.some((s) => s.kind === 'shard_doc')) {
    if (out.length === 0)
      out.push({
        field: '_score',
        desc: true,
        missingFirst: false,
        kind: 'score',
        type: undefined,
        sourcePaths: new Map(),
      });
    out.push({
      field: '_shard_doc',
      desc: false,
      missingFirst: false,
      kind: 'shard_doc',
      type: undefined,
      sourcePaths: new Map(),
    });
  }
  return out;
}

/** Long.MAX_VALUE / MIN_VALUE as JS numbers (ES returns these for missing numeric sort values). */
const LONG_MAX = 2 ** 63;
const LONG_MIN = -(2 ** 63);

function sortValue(spec: SortSpec, entry: Entry): SortValue {
  switch (spec.kind) {
    case 'score':
      return 1.0;
    case 'doc':
    case 'shard_doc':
      return entry.shardDoc;
    default: {
      const path = spec.sourcePaths.get(entry.index.name);
      const raw = path === undefined ? [] : valuesAt(entry.doc.source, path);
      const type = spec.type;
      let values: (string | number)[];
      if (
        type !== undefined &&
        (NUMERIC_TYPES.has(type) || type === 'date' || type === 'date_nanos' || type === 'boolean')
      ) {
        values = raw
          .map((v) =>
            type === 'boolean'
              ? v === true || v === 'true'
                ? 1
                : 0
              : type.startsWith('date')
                ? parseDate(v)
                : Number(v),
          )
          .filter((n) => !Number.isNaN(n));
        if (values.length === 0) return spec.desc !== spec.missingFirst ? LONG_MIN : LONG_MAX;
      } else {
        values = raw.filter((v) => typeof v !== 'object').map(String);
        if (values.length === 0) return null;
      }
      const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return (spec.desc ? sorted[sorted.length - 1] : sorted[0]) ?? null;
    }
  }
}

function compareOne(a: SortValue | undefined, b: SortValue | undefined, spec: SortSpec): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) {
    if (an && bn) return 0;
    return (an ? 1 : -1) * (spec.missingFirst ? -1 : 1);
  }
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else {
    const sa = String(a);
    const sb = String(b);
    c = sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  return spec.desc ? -c : c;
}

function compareValues(a: readonly SortValue[], b: readonly SortValue[], sorts: readonly SortSpec[]): number {
  for (let i = 0; i < sorts.length; i++) {
    const spec = sorts[i];
    if (spec === undefined) continue;
    const c = compareOne(a[i], b[i], spec);
    if (c !== 0) return c;
  }
  return 0;
}

function compareHits(a: Hit, b: Hit, sorts: readonly SortSpec[]): number {
  const c = compareValues(a.sort, b.sort, sorts);
  return c !== 0 ? c : a.entry.shardDoc - b.entry.shardDoc;
}

/** Counts refreshed documents matching the request's query. */
export function executeCount(
  store: IndexStore,
  indices: readonly IndexData[],
  body: Record<string, unknown>,
  params: ReadonlyMap<string, string>,
): number {
  for (const key of Object.keys(body))
    if (key !== 'query') throw parseError(`request does not support [${key}]`);
  store.prepareRead(indices);
  const predicate = requestPredicate(body, params, store.now());
  let n = 0;
  for (const index of indices) for (const doc of index.visible.values()) if (predicate(doc, index)) n++;
  return n;
}

/** Matches refreshed documents for delete-by-query. */
export function matchRefreshed(
  store: IndexStore,
  indices: readonly IndexData[],
  body: Record<string, unknown>,
  params: ReadonlyMap<string, string>,
): { index: IndexData; doc: StoredDoc }[] {
  store.prepareRead(indices);
  const predicate = requestPredicate(body, params, store.now());
  const out: { index: IndexData; doc: StoredDoc }[] = [];
  for (const index of indices)
    for (const doc of index.visible.values()) if (predicate(doc, index)) out.push({ index, doc });
  return out;
}
