import { esError, parseError, resourceNotFound } from '../es-error.js';
import type { Privileges } from '../auth.js';
import type { FakeContext, Handler } from '../fake-context.js';
import { validatePipeline } from '../ingest.js';
import { isPlainObject } from '../mapping.js';

const LUCENE: Record<string, string> = { '8': '9.12.0', '9': '10.2.1' };

/** `GET /`: cluster info. */
export const info: Handler = (req, ctx) => {
  req.requireCluster(['monitor']);
  return { body: infoBody(ctx) };
};

function infoBody(ctx: FakeContext): Record<string, unknown> {
  const major = ctx.version.split('.')[0] ?? '8';
  return {
    name: 'es-fake-node-0',
    cluster_name: ctx.clusterName,
    cluster_uuid: ctx.clusterUuid,
    version: {
      number: ctx.version,
      build_flavor: 'default',
      build_type: 'docker',
      build_hash: '0000000000000000000000000000000000000000',
      build_date: '2025-01-01T00:00:00.000000000Z',
      build_snapshot: false,
      lucene_version: LUCENE[major] ?? '9.12.0',
      minimum_wire_compatibility_version: major === '9' ? '8.18.0' : '7.17.0',
      minimum_index_compatibility_version: major === '9' ? '8.0.0' : '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

/** `HEAD /`. */
export const ping: Handler = () => ({ status: 200 });

/** `GET /_license`. */
export const licenseGet: Handler = (_req, ctx) => ({
  body: {
    license: {
      status: 'active',
      uid: '00000000-0000-4000-8000-000000000000',
      type: ctx.licenseType,
      issue_date: '2024-01-01T00:00:00.000Z',
      issue_date_in_millis: 1704067200000,
      ...(ctx.licenseType === 'basic'
        ? {}
        : { expiry_date: '2099-01-01T00:00:00.000Z', expiry_date_in_millis: 4070908800000, max_nodes: 1000 }),
      issued_to: 'es-fake',
      issuer: 'elasticsearch',
      start_date_in_millis: -1,
    },
  },
});

/** `GET /_security/_authenticate`. */
export const securityAuthenticate: Handler = (req) => {
  const p = req.principal;
  const realm =
    p.type === 'api_key'
      ? { name: '_es_api_key', type: '_es_api_key' }
      : { name: 'default_native', type: 'native' };
  return {
    body: {
      username: p.username,
      roles: p.privileges === undefined ? ['superuser'] : [],
      full_name: null,
      email: null,
      metadata: {},
      enabled: true,
      authentication_realm: realm,
      lookup_realm: realm,
      authentication_type: p.type === 'api_key' ? 'api_key' : 'realm',
      ...(p.type === 'api_key' ? { api_key: { id: p.apiKeyId, name: p.apiKeyName } } : {}),
    },
  };
};

/** `POST|PUT /_security/api_key`: creates a key the fake then accepts (privileges from role descriptors are not enforced). */
export const securityCreateApiKey: Handler = (req, ctx) => {
  req.requireCluster(['manage_api_key', 'manage_own_api_key', 'manage_security']);
  const body = req.requiredObject();
  const allowed = new Set(['name', 'role_descriptors', 'expiration', 'metadata']);
  for (const k of Object.keys(body))
    if (!allowed.has(k)) throw parseError(`[api_key_request] unknown field [${k}]`);
  if (typeof body.name !== 'string' || body.name === '')
    throw esError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: api key name is required;',
    );
  const id = ctx.random.id(20);
  const key = ctx.random.id(22);
  const privileges = privilegesFromRoleDescriptors(body.role_descriptors);
  ctx.auth.apiKeys[id] = { key, name: body.name, ...(privileges !== undefined ? { privileges } : {}) };
  return {
    body: { id, name: body.name, api_key: key, encoded: Buffer.from(`${id}:${key}`).toString('base64') },
  };
};

/** Turns role descriptors into the fake's privileges (union of every role); none → owner's (superuser). */
function privilegesFromRoleDescriptors(raw: unknown): Privileges | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) throw parseError('[role_descriptors] must be an object');
  if (Object.keys(raw).length === 0) return undefined;
  const cluster: string[] = [];
  const indices: { names: string[]; privileges: string[] }[] = [];
  for (const [name, role] of Object.entries(raw)) {
    if (!isPlainObject(role)) throw parseError(`[role_descriptors] [${name}] must be an object`);
    if (Array.isArray(role.cluster)) cluster.push(...role.cluster.map(String));
    for (const grant of Array.isArray(role.indices) ? role.indices : []) {
      if (!isPlainObject(grant)) continue;
      const names = Array.isArray(grant.names) ? grant.names.map(String) : [String(grant.names)];
      const privs = Array.isArray(grant.privileges) ? grant.privileges.map(String) : [];
      indices.push({ names, privileges: privs });
    }
  }
  return { cluster, indices };
}

/** `GET /_ingest/pipeline[/{id}]`. */
export const ingestGetPipeline: Handler = (req, ctx) => {
  const id = req.parts.id;
  if (id === undefined) return { body: Object.fromEntries(ctx.pipelines) };
  const out: Record<string, unknown> = {};
  for (const name of id.split(',')) {
    const re = new RegExp(
      `^${name
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    for (const [k, v] of ctx.pipelines) if (re.test(k)) out[k] = v;
  }
  if (Object.keys(out).length === 0) return { status: 404, body: {} };
  return { body: out };
};

/** `PUT /_ingest/pipeline/{id}`. */
export const ingestPutPipeline: Handler = (req, ctx) => {
  const id = req.part('id');
  const body = req.requiredObject();
  validatePipeline(id, body);
  ctx.pipelines.set(id, body);
  return { body: { acknowledged: true } };
};

/** `DELETE /_ingest/pipeline/{id}`. */
export const ingestDeletePipeline: Handler = (req, ctx) => {
  const id = req.part('id');
  if (!ctx.pipelines.delete(id)) throw resourceNotFound(`pipeline [${id}] is missing`);
  return { body: { acknowledged: true } };
};

/** Asserts a value is a JSON object (400 otherwise). */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw parseError(`[${what}] must be an object`);
  return value;
}

/** `DELETE /_security/api_key`: invalidates keys by `ids` or `name` (they stop authenticating). */
export const securityInvalidateApiKey: Handler = (req, ctx) => {
  req.requireCluster(['manage_api_key', 'manage_own_api_key', 'manage_security']);
  const body = req.requiredObject();
  const allowed = new Set(['ids', 'id', 'name', 'owner', 'realm_name', 'username']);
  for (const k of Object.keys(body))
    if (!allowed.has(k)) throw parseError(`[invalidate_api_key_request] unknown field [${k}]`);
  const ids = Array.isArray(body.ids) ? body.ids.map(String) : typeof body.id === 'string' ? [body.id] : [];
  const invalidated: string[] = [];
  for (const [id, entry] of Object.entries(ctx.auth.apiKeys)) {
    if (ids.includes(id) || (typeof body.name === 'string' && entry.name === body.name)) {
      delete ctx.auth.apiKeys[id];
      invalidated.push(id);
    }
  }
  return { body: { invalidated_api_keys: invalidated, previously_invalidated_api_keys: [], error_count: 0 } };
};
