import { errorCause, esError, EsHttpError, envelope, indexNotFound, type EsErrorCause } from './es-error.js';
import {
  applyDocument,
  isPlainObject,
  mergeProperties,
  validateMappingDefinition,
  type FieldMapping,
  type IndexMappings,
} from './mapping.js';
import type { SeededRandom } from './random.js';

/** One stored document version. */
export interface StoredDoc {
  readonly id: string;
  readonly source: Record<string, unknown>;
  readonly version: number;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** A per-item failure (bulk item error, or rendered as an envelope by single-document routes). */
export class ItemError extends Error {
  /** HTTP status of the item. */
  readonly status: number;
  /** Error object without `root_cause`. */
  readonly error: EsErrorCause;

  constructor(status: number, error: EsErrorCause) {
    super(`${error.type}: ${error.reason}`);
    this.name = 'ItemError';
    this.status = status;
    this.error = error;
  }

  /** The same failure as a request-level error. */
  toHttp(): EsHttpError {
    return new EsHttpError(this.status, envelope(this.status, this.error));
  }
}

/** A write response (`WriteResponse` of the REST API) plus its HTTP status. */
export interface WriteResult {
  readonly status: number;
  readonly body: {
    _index: string;
    _id: string;
    _version: number;
    result: 'created' | 'updated' | 'deleted' | 'not_found' | 'noop';
    _shards: { total: number; successful: number; failed: number };
    _seq_no: number;
    _primary_term: number;
    forced_refresh?: boolean;
    get?: Record<string, unknown>;
  };
}

/** Optimistic concurrency and op-type options of a write. */
export interface WriteOptions {
  readonly opType?: 'index' | 'create';
  readonly ifSeqNo?: number;
  readonly ifPrimaryTerm?: number;
}

/** Alias definition stored on an index. */
export interface AliasDefinition {
  is_write_index?: boolean;
  is_hidden?: boolean;
  filter?: unknown;
  routing?: string;
  [key: string]: unknown;
}

const SHARDS_OK = { total: 2, successful: 1, failed: 0 };

/** One concrete index: settings, mappings, aliases, live documents and the refreshed (searchable) view. */
export class IndexData {
  readonly name: string;
  readonly uuid: string;
  readonly settings: Record<string, string>;
  readonly mappings: IndexMappings;
  readonly aliases = new Map<string, AliasDefinition>();
  /** Real-time documents (GET sees these). */
  readonly docs = new Map<string, StoredDoc>();
  /** Refreshed documents (search sees these). */
  readonly visible = new Map<string, StoredDoc>();
  /** Changes not yet refreshed: id → new doc, or `null` for a delete. */
  readonly pending = new Map<string, StoredDoc | null>();
  /** Per-index write block (fault injection): writes fail with this status. */
  writeBlock: { status: number; type: string } | undefined;
  /** Returns a write block for this index, if fault injection set one (installed by the store). */
  blockLookup: ((index: IndexData) => { status: number; type: string } | undefined) | undefined;
  #seqNo = -1;
  #lastRefresh: number;

  constructor(
    name: string,
    uuid: string,
    settings: Record<string, string>,
    mappings: IndexMappings,
    now: number,
  ) {
    this.name = name;
    this.uuid = uuid;
    this.settings = settings;
    this.mappings = mappings;
    this.#lastRefresh = now;
  }

  /** Next sequence number. */
  nextSeqNo(): number {
    this.#seqNo += 1;
    return this.#seqNo;
  }

  /** Highest sequence number assigned so far (-1 when none). */
  get maxSeqNo(): number {
    return this.#seqNo;
  }

  /** Makes pending changes visible to search. */
  refresh(now: number): void {
    for (const [id, doc] of this.pending) {
      if (doc === null) this.visible.delete(id);
      else this.visible.set(id, doc);
    }
    this.pending.clear();
    this.#lastRefresh = now;
  }

  /** Periodic refresh, done lazily when a search-like read happens. */
  maybeRefresh(now: number, defaultIntervalMs: number | false): void {
    if (this.pending.size === 0) return;
    const interval = refreshIntervalMs(this.settings['index.refresh_interval'], defaultIntervalMs);
    if (interval === false) return;
    if (now - this.#lastRefresh >= interval) this.refresh(now);
  }

  #meta(): Record<string, unknown> {
    return { index_uuid: this.uuid, shard: '0', index: this.name };
  }

  #store(id: string, source: Record<string, unknown>, version: number): StoredDoc {
    const outcome = applyDocument(this.mappings, source, id);
    if (!outcome.ok) throw new ItemError(outcome.status, outcome.error);
    const doc: StoredDoc = { id, source, version, seqNo: this.nextSeqNo(), primaryTerm: 1 };
    this.docs.set(id, doc);
    this.pending.set(id, doc);
    return doc;
  }

  #checkOcc(id: string, existing: StoredDoc | undefined, opts: WriteOptions): void {
    if (opts.ifSeqNo === undefined && opts.ifPrimaryTerm === undefined) return;
    const seq = opts.ifSeqNo ?? -2;
    const term = opts.ifPrimaryTerm ?? 0;
    if (existing === undefined) {
      throw new ItemError(
        409,
        errorCause(
          'version_conflict_engine_exception',
          `[${id}]: version conflict, required seqNo [${seq}], primary term [${term}] but no document was found`,
          this.#meta(),
        ),
      );
    }
    if (existing.seqNo !== seq || existing.primaryTerm !== term) {
      throw new ItemError(
        409,
        errorCause(
          'version_conflict_engine_exception',
          `[${id}]: version conflict, required seqNo [${seq}], primary term [${term}]. current document has seqNo [${existing.seqNo}] and primary term [${existing.primaryTerm}]`,
          this.#meta(),
        ),
      );
    }
  }

  #result(doc: StoredDoc, result: WriteResult['body']['result'], status: number): WriteResult {
    return {
      status,
      body: {
        _index: this.name,
        _id: doc.id,
        _version: doc.version,
        result,
        _shards: { ...SHARDS_OK },
        _seq_no: doc.seqNo,
        _primary_term: doc.primaryTerm,
      },
    };
  }

  #checkBlock(): void {
    const block = this.writeBlock ?? this.blockLookup?.(this);
    if (block !== undefined) {
      const { status, type } = block;
      throw new ItemError(
        status,
        errorCause(type, `fake: write blocked on index [${this.name}]`, this.#meta()),
      );
    }
  }

  /** Index (create or replace) a document. */
  put(id: string, source: Record<string, unknown>, opts: WriteOptions = {}): WriteResult {
    this.#checkBlock();
    checkId(id);
    const existing = this.docs.get(id);
    if (opts.opType === 'create' && existing !== undefined) {
      throw new ItemError(
        409,
        errorCause(
          'version_conflict_engine_exception',
          `[${id}]: version conflict, document already exists (current version [${existing.version}])`,
          this.#meta(),
        ),
      );
    }
    this.#checkOcc(id, existing, opts);
    const doc = this.#store(id, source, (existing?.version ?? 0) + 1);
    return existing === undefined ? this.#result(doc, 'created', 201) : this.#result(doc, 'updated', 200);
  }

  /** Partial update (`doc` merge, `doc_as_upsert`, `upsert`), with noop detection. */
  update(
    id: string,
    body: {
      doc?: Record<string, unknown>;
      upsert?: Record<string, unknown>;
      doc_as_upsert?: boolean;
      detect_noop?: boolean;
    },
    opts: WriteOptions = {},
  ): WriteResult {
    this.#checkBlock();
    checkId(id);
    const existing = this.docs.get(id);
    this.#checkOcc(id, existing, opts);
    if (existing === undefined) {
      const upsert = body.doc_as_upsert === true ? body.doc : body.upsert;
      if (upsert === undefined) {
        throw new ItemError(
          404,
          errorCause('document_missing_exception', `[${id}]: document missing`, this.#meta()),
        );
      }
      const doc = this.#store(id, structuredClone(upsert), 1);
      return this.#result(doc, 'created', 201);
    }
    const partial = body.doc ?? {};
    const merged = structuredClone(existing.source);
    const changed = deepMerge(merged, partial);
    if (!changed && body.detect_noop !== false) {
      const r = this.#result(existing, 'noop', 200);
      r.body._shards = { total: 0, successful: 0, failed: 0 };
      return r;
    }
    const doc = this.#store(id, merged, existing.version + 1);
    return this.#result(doc, 'updated', 200);
  }

  /** Deletes a document; a missing document yields `not_found` (404, not an error). */
  remove(id: string, opts: WriteOptions = {}): WriteResult {
    this.#checkBlock();
    checkId(id);
    const existing = this.docs.get(id);
    this.#checkOcc(id, existing, opts);
    const seqNo = this.nextSeqNo();
    if (existing === undefined) {
      return {
        status: 404,
        body: {
          _index: this.name,
          _id: id,
          _version: 1,
          result: 'not_found',
          _shards: { ...SHARDS_OK },
          _seq_no: seqNo,
          _primary_term: 1,
        },
      };
    }
    this.docs.delete(id);
    this.pending.set(id, null);
    const gone: StoredDoc = { ...existing, version: existing.version + 1, seqNo };
    return this.#result(gone, 'deleted', 200);
  }
}

function checkId(id: string): void {
  if (Buffer.byteLength(id, 'utf8') > 512) {
    throw new ItemError(
      400,
      errorCause(
        'illegal_argument_exception',
        `id [${id.slice(0, 30)}...] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id, 'utf8')}`,
      ),
    );
  }
}

/** Merges `patch` into `target` recursively (objects merge, arrays/scalars replace); returns whether anything changed. */
export function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    if (isPlainObject(v) && isPlainObject(cur)) {
      if (deepMerge(cur, v)) changed = true;
      continue;
    }
    if (!deepEqual(cur, v)) {
      target[k] = structuredClone(v);
      changed = true;
    }
  }
  return changed;
}

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Parses an Elasticsearch time value (`1s`, `500ms`, `-1`) to milliseconds. */
export function parseTimeValue(value: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)?$/.exec(value.trim());
  if (m === null)
    throw esError(
      400,
      'illegal_argument_exception',
      `failed to parse setting [time value] with value [${value}] as a time value: unit is missing or unrecognized`,
    );
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor: Record<string, number> = {
    nanos: 1e-6,
    micros: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
  };
  return n * (factor[unit] ?? 1);
}

function refreshIntervalMs(setting: string | undefined, fallback: number | false): number | false {
  if (setting === undefined) return fallback;
  const ms = parseTimeValue(setting);
  return ms < 0 ? false : ms;
}

const INVALID_CHARS = ['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ','];

/** Validates an index name with the cluster's rules (§3.1); throws 400 `invalid_index_name_exception`. */
export function validateIndexName(name: string): void {
  const fail = (rule: string): never => {
    throw esError(400, 'invalid_index_name_exception', `Invalid index name [${name}], ${rule}`, {
      index_uuid: '_na_',
      index: name,
    });
  };
  if (INVALID_CHARS.some((c) => name.includes(c))) {
    fail('must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]');
  }
  if (name.includes('#')) fail("must not contain '#'");
  if (name.includes(':')) fail("must not contain ':'");
  if (/^[_\-+]/.test(name)) fail("must not start with '_', '-', or '+'");
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) fail(`index name is too long, (${bytes} > 255)`);
  if (name === '.' || name === '..') fail("must not be '.' or '..'");
  if (name !== name.toLowerCase()) fail('must be lowercase');
}

const KNOWN_SETTING_PREFIXES = [
  'index.number_of_shards',
  'index.number_of_replicas',
  'index.refresh_interval',
  'index.auto_expand_replicas',
  'index.hidden',
  'index.analysis.',
  'index.analyze.',
  'index.max_',
  'index.mapping.',
  'index.default_pipeline',
  'index.final_pipeline',
  'index.codec',
  'index.blocks.',
  'index.routing.',
  'index.lifecycle.',
  'index.priority',
  'index.query.',
  'index.similarity.',
  'index.sort.',
  'index.store.',
  'index.translog.',
  'index.highlight.',
  'index.number_of_routing_shards',
  'index.write.',
  'index.search.',
  'index.knn',
  'index.unassigned.',
  'index.gc_deletes',
  'index.shard.',
  'index.indexing.',
  'index.format',
  'index.mode',
  'index.soft_deletes.',
];

/** Flattens nested/flat settings into `index.*` keys and checks they are known. */
export function flattenSettings(settings: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown, prefix: string): void => {
    if (isPlainObject(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
      return;
    }
    const key = prefix.startsWith('index.') ? prefix : `index.${prefix}`;
    out[key] = Array.isArray(node) ? node.map(String).join(',') : String(node);
  };
  if (settings !== undefined) walk(settings, '');
  for (const key of Object.keys(out)) {
    if (!KNOWN_SETTING_PREFIXES.some((p) => key === p || key.startsWith(p))) {
      throw esError(
        400,
        'illegal_argument_exception',
        `unknown setting [${key}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`,
      );
    }
  }
  return out;
}

/** Options of the index store. */
export interface IndexStoreOptions {
  readonly random: SeededRandom;
  readonly now: () => number;
  /** Periodic refresh interval for indices without `index.refresh_interval`; `false` = only explicit refreshes. */
  readonly refreshIntervalMs: number | false;
  /** Called when a system index needs creating (connector indices). */
  readonly systemIndices: Readonly<Record<string, { index: string; mappings: IndexMappings }>>;
  /** Fault-injection hook: a write block for an index, if any. */
  readonly writeBlock?: (index: IndexData) => { status: number; type: string } | undefined;
}

/** Body of `PUT /{index}`. */
export interface CreateIndexBody {
  settings?: unknown;
  mappings?: unknown;
  aliases?: unknown;
}

/** All indices of the fake cluster, with alias resolution and auto-creation. */
export class IndexStore {
  readonly indices = new Map<string, IndexData>();
  readonly #opts: IndexStoreOptions;

  constructor(opts: IndexStoreOptions) {
    this.#opts = opts;
  }

  /** Current time in epoch millis (injectable clock). */
  now(): number {
    return this.#opts.now();
  }

  /** A new random base64url id of `length` chars. */
  newId(length = 20): string {
    return this.#opts.random.id(length);
  }

  /** Creates an index (400 when it exists, bad name, bad mapping, unknown setting). */
  create(name: string, body: CreateIndexBody = {}): IndexData {
    validateIndexName(name);
    const existing = this.indices.get(name);
    if (existing !== undefined) {
      throw esError(
        400,
        'resource_already_exists_exception',
        `index [${name}/${existing.uuid}] already exists`,
        {
          index_uuid: existing.uuid,
          index: name,
        },
      );
    }
    if (this.#aliasTargets(name).length > 0) {
      throw esError(
        400,
        'invalid_index_name_exception',
        `Invalid index name [${name}], already exists as alias`,
        {
          index_uuid: '_na_',
          index: name,
        },
      );
    }
    const settings = flattenSettings(body.settings);
    const interval = settings['index.refresh_interval'];
    if (interval !== undefined) parseTimeValue(interval);
    const mappings = parseMappings(body.mappings);
    if (Object.values(this.#opts.systemIndices).some((d) => d.index === name)) {
      // Creating a connector system index applies its built-in template (mappings, alias, hidden).
      const system = this.ensureSystem(name);
      if (system !== undefined) {
        Object.assign(system.settings, settings);
        mergeProperties(system.mappings.properties, mappings.properties);
        return system;
      }
    }
    const index = new IndexData(name, this.newId(22), settings, mappings, this.now());
    if (body.aliases !== undefined) {
      if (!isPlainObject(body.aliases)) throw esError(400, 'parsing_exception', 'Failed to parse aliases');
      for (const [alias, def] of Object.entries(body.aliases)) {
        if (this.indices.has(alias)) {
          throw esError(
            400,
            'invalid_alias_name_exception',
            `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`,
          );
        }
        index.aliases.set(alias, isPlainObject(def) ? (def as AliasDefinition) : {});
      }
    }
    index.blockLookup = this.#opts.writeBlock;
    this.indices.set(name, index);
    return index;
  }

  #aliasTargets(alias: string): IndexData[] {
    const out: IndexData[] = [];
    for (const index of this.indices.values()) if (index.aliases.has(alias)) out.push(index);
    return out;
  }

  /** Whether `name` is an alias of some index. */
  isAlias(name: string): boolean {
    return this.#aliasTargets(name).length > 0;
  }

  /** Ensures a connector system index (and its alias) exists. */
  ensureSystem(nameOrAlias: string): IndexData | undefined {
    for (const [alias, def] of Object.entries(this.#opts.systemIndices)) {
      if (nameOrAlias !== alias && nameOrAlias !== def.index) continue;
      const existing = this.indices.get(def.index);
      if (existing !== undefined) return existing;
      const index = new IndexData(
        def.index,
        this.newId(22),
        {
          'index.hidden': 'true',
          'index.auto_expand_replicas': '0-1',
          'index.number_of_shards': '1',
          'index.refresh_interval': '1s',
        },
        structuredClone(def.mappings),
        this.now(),
      );
      index.aliases.set(alias, { is_hidden: true });
      index.blockLookup = this.#opts.writeBlock;
      this.indices.set(def.index, index);
      return index;
    }
    return undefined;
  }

  /**
   * Resolves an index expression (csv, wildcards, aliases, `_all`) to concrete indices. Missing concrete
   * names → 404 unless `ignoreUnavailable`.
   */
  resolve(
    expression: string,
    opts: { ignoreUnavailable?: boolean; allowNoIndices?: boolean } = {},
  ): IndexData[] {
    const out = new Map<string, IndexData>();
    const names = expression === '' ? ['_all'] : expression.split(',');
    for (const raw of names) {
      const name = raw.trim();
      if (name === '_all' || name === '*') {
        for (const i of this.indices.values()) if (i.settings['index.hidden'] !== 'true') out.set(i.name, i);
        continue;
      }
      if (name.includes('*')) {
        const re = new RegExp(`^${name.split('*').map(escapeRegExp).join('.*')}$`);
        for (const i of this.indices.values()) {
          const hidden = i.settings['index.hidden'] === 'true' && !name.startsWith('.');
          if (!hidden && re.test(i.name)) out.set(i.name, i);
          for (const a of i.aliases.keys()) if (re.test(a) && !hidden) out.set(i.name, i);
        }
        continue;
      }
      const direct = this.indices.get(name);
      if (direct !== undefined) {
        out.set(name, direct);
        continue;
      }
      const targets = this.#aliasTargets(name);
      if (targets.length > 0) {
        for (const t of targets) out.set(t.name, t);
        continue;
      }
      if (opts.ignoreUnavailable !== true) throw indexNotFound(name);
    }
    return [...out.values()];
  }

  /** Resolves a single concrete index for a read by name/alias (404 when missing). */
  get(name: string): IndexData {
    const direct = this.indices.get(name);
    if (direct !== undefined) return direct;
    const targets = this.#aliasTargets(name);
    if (targets.length === 1 && targets[0] !== undefined) return targets[0];
    if (targets.length > 1) {
      throw esError(
        400,
        'illegal_argument_exception',
        `alias [${name}] has more than one index associated with it [${targets.map((t) => t.name).join(', ')}], can't execute a single index op`,
      );
    }
    throw indexNotFound(name);
  }

  /** Resolves the write target for `name`, auto-creating a missing index (item-level errors). */
  writeTarget(name: string, opts: { requireAlias?: boolean } = {}): IndexData {
    const direct = this.indices.get(name);
    if (direct !== undefined) {
      if (opts.requireAlias === true) {
        throw new ItemError(
          404,
          errorCause(
            'index_not_found_exception',
            `no such index [${name}] and [require_alias] request flag is [true] and [${name}] is not an alias`,
            { 'resource.type': 'index_or_alias', 'resource.id': name, index_uuid: '_na_', index: name },
          ),
        );
      }
      return direct;
    }
    const targets = this.#aliasTargets(name);
    if (targets.length === 1 && targets[0] !== undefined) return targets[0];
    if (targets.length > 1) {
      const write = targets.find((t) => t.aliases.get(name)?.is_write_index === true);
      if (write !== undefined) return write;
      throw new ItemError(
        400,
        errorCause(
          'illegal_argument_exception',
          `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
        ),
      );
    }
    const system = this.ensureSystem(name);
    if (system !== undefined) return system;
    if (opts.requireAlias === true) {
      throw new ItemError(
        404,
        errorCause(
          'index_not_found_exception',
          `no such index [${name}] and [require_alias] request flag is [true] and [${name}] is not an alias`,
          { 'resource.type': 'index_or_alias', 'resource.id': name, index_uuid: '_na_', index: name },
        ),
      );
    }
    try {
      return this.create(name);
    } catch (err) {
      if (err instanceof EsHttpError) {
        const body = err.body as { error: EsErrorCause & { root_cause?: unknown } };
        const { root_cause: _rc, ...cause } = body.error;
        throw new ItemError(err.status, cause);
      }
      throw err;
    }
  }

  /** Deletes indices by expression (wildcards forbidden by `destructive_requires_name`). */
  delete(expression: string, ignoreUnavailable: boolean): void {
    if (expression === '_all' || expression.split(',').some((n) => n.includes('*'))) {
      throw esError(400, 'illegal_argument_exception', 'Wildcard expressions or all indices are not allowed');
    }
    for (const name of expression.split(',')) {
      const direct = this.indices.get(name);
      if (direct !== undefined) {
        this.indices.delete(name);
        continue;
      }
      if (this.isAlias(name)) {
        throw esError(
          400,
          'illegal_argument_exception',
          `The provided expression [${name}] matches an alias, specify the corresponding concrete indices instead.`,
        );
      }
      if (!ignoreUnavailable) throw indexNotFound(name);
    }
  }

  /** Refreshes every concrete index (or the given ones). */
  refresh(indices: Iterable<IndexData> = this.indices.values()): void {
    const now = this.now();
    for (const index of indices) index.refresh(now);
  }

  /** Lazy periodic refresh before a search-like read. */
  prepareRead(indices: Iterable<IndexData>): void {
    const now = this.now();
    for (const index of indices) index.maybeRefresh(now, this.#opts.refreshIntervalMs);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Keys a mapping may have at its root (index creation and `PUT _mapping` accept the same). */
export const MAPPING_ROOT_KEYS: ReadonlySet<string> = new Set([
  'properties',
  'dynamic',
  '_meta',
  '_source',
  'dynamic_templates',
  'date_detection',
  'numeric_detection',
  'dynamic_date_formats',
  '_routing',
  'runtime',
  'enabled',
  'subobjects',
]);

/** Parses and validates a `mappings` body. */
export function parseMappings(raw: unknown): IndexMappings {
  if (raw === undefined || raw === null) return { properties: {} };
  if (!isPlainObject(raw))
    throw esError(400, 'mapper_parsing_exception', 'Failed to parse mapping: mapping must be an object');
  let body = raw;
  if (isPlainObject(raw._doc) && Object.keys(raw).length === 1) body = raw._doc;
  for (const key of Object.keys(body)) {
    if (!MAPPING_ROOT_KEYS.has(key)) {
      throw esError(
        400,
        'mapper_parsing_exception',
        `Root mapping definition has unsupported parameters:  [${key} : ${JSON.stringify(body[key])}]`,
      );
    }
  }
  validateMappingDefinition(body.properties);
  const mappings: IndexMappings = { ...structuredClone(body), properties: {} };
  if (isPlainObject(body.properties))
    mergeProperties(mappings.properties, structuredClone(body.properties) as Record<string, FieldMapping>);
  return mappings;
}
