import { esError, parseError } from '../es-error.js';
import type { Handler } from '../fake-context.js';
import { MAPPING_ROOT_KEYS, type IndexData } from '../index-store.js';
import { isPlainObject, mergeProperties, validateMappingDefinition, type FieldMapping } from '../mapping.js';

const CREATE_KEYS = new Set(['settings', 'mappings', 'aliases']);

function settingsView(index: IndexData): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  const flat: Record<string, string> = {
    'index.number_of_shards': '1',
    'index.number_of_replicas': '1',
    ...index.settings,
    'index.uuid': index.uuid,
    'index.provided_name': index.name,
    'index.creation_date': '0',
    'index.version.created': '8521000',
  };
  for (const [k, v] of Object.entries(flat)) {
    const segs = k.split('.');
    let node = nested;
    for (const s of segs.slice(0, -1)) {
      if (!isPlainObject(node[s])) node[s] = {};
      node = node[s] as Record<string, unknown>;
    }
    node[segs[segs.length - 1] ?? k] = v;
  }
  return nested;
}

function mappingsView(index: IndexData): Record<string, unknown> {
  const { properties, ...rest } = index.mappings;
  return Object.keys(properties).length === 0 && Object.keys(rest).length === 0
    ? {}
    : { ...rest, properties };
}

/** `PUT /{index}`. */
export const indicesCreate: Handler = (req, ctx) => {
  const name = req.part('index');
  req.requireIndex([name], 'create_index');
  const body = req.object();
  for (const k of Object.keys(body))
    if (!CREATE_KEYS.has(k)) throw parseError(`unknown key [${k}] for create index`);
  ctx.store.create(name, body);
  return { body: { acknowledged: true, shards_acknowledged: true, index: name } };
};

/** `DELETE /{index}`. */
export const indicesDelete: Handler = (req, ctx) => {
  const name = req.part('index');
  req.requireIndex(name.split(','), 'delete_index');
  ctx.store.delete(name, req.flag('ignore_unavailable'));
  return { body: { acknowledged: true } };
};

/** `HEAD /{index}`. */
export const indicesExists: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.part('index'), { ignoreUnavailable: true });
  const names = req.part('index').split(',');
  const allFound = names.every((n) => n.includes('*') || ctx.store.indices.has(n) || ctx.store.isAlias(n));
  return { status: indices.length > 0 && allFound ? 200 : 404 };
};

/** `GET /{index}`. */
export const indicesGet: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.part('index'), { ignoreUnavailable: req.flag('ignore_unavailable') });
  req.requireIndex(indices, 'view_index_metadata');
  const out: Record<string, unknown> = {};
  for (const i of indices) {
    out[i.name] = {
      aliases: Object.fromEntries(i.aliases),
      mappings: mappingsView(i),
      settings: settingsView(i),
    };
  }
  return { body: out };
};

/** `GET /{index}/_settings`. */
export const indicesGetSettings: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.parts.index ?? '_all', {
    ignoreUnavailable: req.flag('ignore_unavailable'),
  });
  const out: Record<string, unknown> = {};
  for (const i of indices) out[i.name] = { settings: settingsView(i) };
  return { body: out };
};

/** `GET /{index}/_mapping`, `GET /_mapping`. */
export const indicesGetMapping: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.parts.index ?? '_all', {
    ignoreUnavailable: req.flag('ignore_unavailable'),
  });
  req.requireIndex(indices, 'view_index_metadata');
  const out: Record<string, unknown> = {};
  for (const i of indices) out[i.name] = { mappings: mappingsView(i) };
  return { body: out };
};

/** `PUT|POST /{index}/_mapping`. */
export const indicesPutMapping: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.part('index'));
  req.requireIndex(indices, 'manage');
  const body = req.requiredObject();
  for (const k of Object.keys(body)) {
    if (!MAPPING_ROOT_KEYS.has(k))
      throw esError(
        400,
        'mapper_parsing_exception',
        `Root mapping definition has unsupported parameters:  [${k} : ${JSON.stringify(body[k])}]`,
      );
  }
  validateMappingDefinition(body.properties);
  for (const index of indices) {
    const copy = structuredClone(index.mappings.properties);
    mergeProperties(copy, (body.properties ?? {}) as Record<string, FieldMapping>);
  }
  for (const index of indices) {
    mergeProperties(
      index.mappings.properties,
      structuredClone((body.properties ?? {}) as Record<string, FieldMapping>),
    );
    if (body.dynamic !== undefined) index.mappings.dynamic = body.dynamic as boolean | string;
    if (body._meta !== undefined) index.mappings._meta = body._meta as Record<string, unknown>;
    if (body.dynamic_templates !== undefined)
      index.mappings.dynamic_templates = structuredClone(body.dynamic_templates);
  }
  return { body: { acknowledged: true } };
};

/** `POST|GET /{index}/_refresh`, `/_refresh`. */
export const indicesRefresh: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.parts.index ?? '_all', {
    ignoreUnavailable: req.flag('ignore_unavailable'),
  });
  req.requireIndex(indices, 'maintenance');
  ctx.store.refresh(indices);
  return { body: { _shards: { total: indices.length * 2, successful: indices.length, failed: 0 } } };
};

/** `POST /_aliases`. */
export const indicesUpdateAliases: Handler = (req, ctx) => {
  const body = req.requiredObject();
  if (!Array.isArray(body.actions)) throw parseError('[aliases] requires [actions]');
  for (const action of body.actions) {
    if (!isPlainObject(action)) throw parseError('[aliases] action must be an object');
    const [kind, spec] = Object.entries(action)[0] ?? [];
    if (!isPlainObject(spec)) throw parseError(`[${String(kind)}] must be an object`);
    const indexNames = spec.indices !== undefined ? (spec.indices as string[]) : [String(spec.index)];
    const aliasNames =
      spec.aliases !== undefined
        ? (spec.aliases as string[])
        : spec.alias !== undefined
          ? [String(spec.alias)]
          : [];
    for (const indexName of indexNames) {
      const targets = ctx.store.resolve(indexName);
      for (const target of targets) {
        if (kind === 'add') {
          const { index: _i, indices: _is, alias: _a, aliases: _as, ...def } = spec;
          for (const a of aliasNames) target.aliases.set(a, def);
        } else if (kind === 'remove') {
          for (const a of aliasNames) {
            if (!target.aliases.delete(a) && spec.must_exist === true) {
              throw esError(404, 'aliases_not_found_exception', `aliases [${a}] missing`, {
                'resource.type': 'aliases',
                'resource.id': a,
              });
            }
          }
        } else if (kind === 'remove_index') {
          ctx.store.delete(target.name, false);
        } else throw parseError(`unknown alias action [${String(kind)}]`);
      }
    }
  }
  return { body: { acknowledged: true, errors: false } };
};

/** `PUT /{index}/_alias/{name}`. */
export const indicesPutAlias: Handler = (req, ctx) => {
  const targets = ctx.store.resolve(req.part('index'));
  const def = req.object();
  for (const t of targets) t.aliases.set(req.part('name'), def);
  return { body: { acknowledged: true, errors: false } };
};

/** `GET /_alias[/{name}]`, `/{index}/_alias[/{name}]`. */
export const indicesGetAlias: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.parts.index ?? '_all', { ignoreUnavailable: true });
  const wanted = req.parts.name?.split(',');
  const out: Record<string, unknown> = {};
  for (const i of indices) {
    const aliases = [...i.aliases].filter(([a]) => wanted === undefined || wanted.includes(a));
    if (wanted === undefined || aliases.length > 0) out[i.name] = { aliases: Object.fromEntries(aliases) };
  }
  if (wanted !== undefined && Object.keys(out).length === 0) {
    return { status: 404, body: { error: `alias [${wanted.join(',')}] missing`, status: 404 } };
  }
  return { body: out };
};

/** `HEAD /_alias/{name}`. */
export const indicesExistsAlias: Handler = (req, ctx) => {
  const names = req.part('name').split(',');
  return { status: names.every((n) => ctx.store.isAlias(n)) ? 200 : 404 };
};

/** `DELETE /{index}/_alias/{name}`. */
export const indicesDeleteAlias: Handler = (req, ctx) => {
  const targets = ctx.store.resolve(req.part('index'));
  let removed = 0;
  for (const t of targets) for (const a of req.part('name').split(',')) if (t.aliases.delete(a)) removed++;
  if (removed === 0)
    throw esError(404, 'aliases_not_found_exception', `aliases [${req.part('name')}] missing`);
  return { body: { acknowledged: true, errors: false } };
};

function docStats(index: IndexData): {
  docs: { count: number; deleted: number };
  store: { size_in_bytes: number };
} {
  let bytes = 0;
  for (const doc of index.visible.values()) bytes += JSON.stringify(doc.source).length;
  return { docs: { count: index.visible.size, deleted: 0 }, store: { size_in_bytes: bytes } };
}

function replicas(index: IndexData): number {
  return Number(
    index.settings['index.number_of_replicas'] ??
      (index.settings['index.auto_expand_replicas'] !== undefined ? 0 : 1),
  );
}

/** `GET /_stats`, `/{index}/_stats[/{metric}]` (docs and store only, refreshed data). */
export const indicesStats: Handler = (req, ctx) => {
  const indices = ctx.store.resolve(req.parts.index ?? '_all', { ignoreUnavailable: true });
  req.requireIndex(indices, 'monitor');
  const out: Record<string, unknown> = {};
  let count = 0;
  let bytes = 0;
  for (const i of indices) {
    const s = docStats(i);
    count += s.docs.count;
    bytes += s.store.size_in_bytes;
    out[i.name] = {
      uuid: i.uuid,
      health: replicas(i) > 0 ? 'yellow' : 'green',
      status: 'open',
      primaries: s,
      total: s,
    };
  }
  const all = { docs: { count, deleted: 0 }, store: { size_in_bytes: bytes } };
  return {
    body: {
      _shards: { total: indices.length * 2, successful: indices.length, failed: 0 },
      _all: { primaries: all, total: all },
      indices: out,
    },
  };
};

/** `GET /_cluster/health[/{index}]` (a single node: yellow when an index wants replicas). */
export const clusterHealth: Handler = (req, ctx) => {
  req.requireCluster(['monitor']);
  const indices = [...ctx.store.indices.values()];
  const yellow = indices.some((i) => replicas(i) > 0);
  return {
    body: {
      cluster_name: 'es-fake',
      status: yellow ? 'yellow' : 'green',
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      active_primary_shards: indices.length,
      active_shards: indices.length,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: indices.filter((i) => replicas(i) > 0).length,
      unassigned_primary_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number:
        indices.length === 0
          ? 100
          : (100 * indices.length) / (indices.length + indices.filter((i) => replicas(i) > 0).length),
    },
  };
};
