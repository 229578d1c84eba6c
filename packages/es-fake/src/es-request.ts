import type { IncomingHttpHeaders } from 'node:http';
import {
  forbiddenCluster,
  forbiddenIndex,
  hasClusterPrivilege,
  hasIndexPrivilege,
  type Principal,
} from './auth.js';
import { esError } from './es-error.js';
import type { IndexData } from './index-store.js';
import { isPlainObject } from './mapping.js';

/** A routed, authenticated request handed to a route handler. */
export class EsRequest {
  readonly method: string;
  readonly path: string;
  /** REST API name (e.g. `indices.create`). */
  readonly api: string;
  /** Decoded path parts (`index`, `id`, `connector_id`, ...). */
  readonly parts: Readonly<Record<string, string>>;
  /** Query-string parameters (validated against the API's declared params). */
  readonly params: ReadonlyMap<string, string>;
  readonly rawBody: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly principal: Principal;
  #json: unknown;
  #parsed = false;

  constructor(init: {
    method: string;
    path: string;
    api: string;
    parts: Readonly<Record<string, string>>;
    params: ReadonlyMap<string, string>;
    rawBody: Buffer;
    headers: IncomingHttpHeaders;
    principal: Principal;
  }) {
    this.method = init.method;
    this.path = init.path;
    this.api = init.api;
    this.parts = init.parts;
    this.params = init.params;
    this.rawBody = init.rawBody;
    this.headers = init.headers;
    this.principal = init.principal;
  }

  /** Whether the request carries a non-empty body. */
  get hasBody(): boolean {
    return this.rawBody.length > 0 && this.rawBody.toString('utf8').trim() !== '';
  }

  /** The parsed JSON body (`undefined` when empty); malformed JSON → 400 `x_content_parse_exception`. */
  json(): unknown {
    if (this.#parsed) return this.#json;
    this.#parsed = true;
    if (!this.hasBody) return (this.#json = undefined);
    try {
      this.#json = JSON.parse(this.rawBody.toString('utf8'));
    } catch (err) {
      throw esError(
        400,
        'x_content_parse_exception',
        `[1:1] Unexpected character: ${(err as Error).message}`,
      );
    }
    return this.#json;
  }

  /** The body as an object (`{}` when empty); non-object → 400. */
  object(): Record<string, unknown> {
    const body = this.json();
    if (body === undefined) return {};
    if (!isPlainObject(body))
      throw esError(400, 'parse_exception', 'request body is required to be an object');
    return body;
  }

  /** The body as an object, 400 when absent. */
  requiredObject(): Record<string, unknown> {
    if (!this.hasBody) throw esError(400, 'parse_exception', 'request body is required');
    return this.object();
  }

  /** A path part that the route guarantees. */
  part(name: string): string {
    const v = this.parts[name];
    if (v === undefined || v === '')
      throw esError(400, 'action_request_validation_exception', `Validation Failed: 1: ${name} is missing;`);
    return v;
  }

  /** A boolean query parameter (`?x`, `?x=true`, `?x=false`). */
  flag(name: string, fallback = false): boolean {
    const v = this.params.get(name);
    if (v === undefined) return fallback;
    if (v === '' || v === 'true') return true;
    if (v === 'false') return false;
    throw esError(
      400,
      'illegal_argument_exception',
      `Failed to parse value [${v}] as only [true] or [false] are allowed.`,
    );
  }

  /** An integer query parameter. */
  int(name: string): number | undefined {
    const v = this.params.get(name);
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

  /** Requires an index privilege on every given index (request-level 403). */
  requireIndex(indices: readonly (IndexData | string)[], privilege: string): void {
    for (const i of indices) {
      const names = typeof i === 'string' ? [i] : [i.name, ...i.aliases.keys()];
      if (!hasIndexPrivilege(this.principal, names, privilege)) {
        throw forbiddenIndex(this.principal, actionName(this.api), names[0] ?? '', privilege);
      }
    }
  }

  /** Requires one of the cluster privileges (request-level 403). */
  requireCluster(anyOf: readonly string[]): void {
    if (!hasClusterPrivilege(this.principal, anyOf))
      throw forbiddenCluster(this.principal, actionName(this.api), anyOf);
  }
}

/** The transport action name Elasticsearch reports in 403s for an API. */
export function actionName(api: string): string {
  const map: Record<string, string> = {
    search: 'indices:data/read/search',
    count: 'indices:data/read/search',
    get: 'indices:data/read/get',
    exists: 'indices:data/read/get',
    mget: 'indices:data/read/mget',
    index: 'indices:data/write/index',
    create: 'indices:data/write/index',
    update: 'indices:data/write/update',
    delete: 'indices:data/write/delete',
    bulk: 'indices:data/write/bulk',
    'indices.create': 'indices:admin/create',
    'indices.delete': 'indices:admin/delete',
    'indices.refresh': 'indices:admin/refresh',
    'indices.put_mapping': 'indices:admin/mapping/put',
    'indices.get_mapping': 'indices:admin/mappings/get',
    open_point_in_time: 'indices:data/read/open_point_in_time',
    delete_by_query: 'indices:data/write/delete/byquery',
    info: 'cluster:monitor/main',
  };
  if (map[api] !== undefined) return map[api];
  if (api.startsWith('connector.')) return `cluster:admin/xpack/connector/${api.slice('connector.'.length)}`;
  return `cluster:admin/${api.replace('.', '/')}`;
}
