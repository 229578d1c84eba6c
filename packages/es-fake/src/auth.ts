import { esError, EsHttpError, envelope, errorCause } from './es-error.js';

/** Privileges of an API key or user (absent = superuser). */
export interface Privileges {
  /** Cluster privileges, e.g. `monitor`, `manage_connector`, `all`. */
  readonly cluster?: readonly string[];
  /** Index privileges, e.g. `[{ names: ['search-*'], privileges: ['all'] }]`. */
  readonly indices?: readonly { readonly names: readonly string[]; readonly privileges: readonly string[] }[];
}

/** Credentials the fake accepts. When both maps are empty/absent, no authentication is required. */
export interface AuthOptions {
  /** API keys by id. */
  readonly apiKeys?: Readonly<
    Record<string, { readonly key: string; readonly privileges?: Privileges; readonly name?: string }>
  >;
  /** Users (basic auth) by name: a password, or `{ password, privileges }`. */
  readonly users?: Readonly<
    Record<string, string | { readonly password: string; readonly privileges?: Privileges }>
  >;
}

/** The authenticated caller. */
export interface Principal {
  readonly username: string;
  readonly type: 'realm' | 'api_key' | 'anonymous';
  readonly apiKeyId?: string;
  readonly apiKeyName?: string;
  readonly privileges: Privileges | undefined;
}

const WWW_AUTHENTICATE = ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', 'ApiKey'];

function unauthorized(reason: string): EsHttpError {
  const header = { 'WWW-Authenticate': WWW_AUTHENTICATE };
  return new EsHttpError(401, envelope(401, errorCause('security_exception', reason, { header })), {
    'www-authenticate': WWW_AUTHENTICATE,
  });
}

/** Whether the options configure any credential (auth then becomes mandatory). */
export function authRequired(auth: AuthOptions | undefined): boolean {
  return Object.keys(auth?.apiKeys ?? {}).length > 0 || Object.keys(auth?.users ?? {}).length > 0;
}

/** Authenticates a request from its `Authorization` header (throws the 401 of §2.2). */
export function authenticate(
  auth: AuthOptions | undefined,
  header: string | undefined,
  path: string,
  enabled = authRequired(auth),
): Principal {
  if (!enabled) return { username: 'elastic', type: 'anonymous', privileges: undefined };
  if (header === undefined || header === '') {
    throw unauthorized(`missing authentication credentials for REST request [${path}]`);
  }
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'apikey') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = colon < 0 ? decoded : decoded.slice(0, colon);
    const key = colon < 0 ? '' : decoded.slice(colon + 1);
    const entry = auth?.apiKeys?.[id];
    if (entry === undefined || entry.key !== key) {
      throw unauthorized(
        'unable to authenticate with provided credentials and anonymous access is not allowed for this request',
      );
    }
    return {
      username: 'api_key_owner',
      type: 'api_key',
      apiKeyId: id,
      apiKeyName: entry.name ?? id,
      privileges: entry.privileges,
    };
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const entry = auth?.users?.[user];
    const expected = typeof entry === 'string' ? entry : entry?.password;
    if (expected === undefined || expected !== password) {
      throw unauthorized(`unable to authenticate user [${user}] for REST request [${path}]`);
    }
    return {
      username: user,
      type: 'realm',
      privileges: typeof entry === 'object' ? entry.privileges : undefined,
    };
  }
  throw unauthorized(
    'unable to authenticate with provided credentials and anonymous access is not allowed for this request',
  );
}

const INDEX_IMPLIES: Readonly<Record<string, readonly string[]>> = {
  all: ['*'],
  manage: ['manage', 'create_index', 'delete_index', 'view_index_metadata', 'monitor', 'maintenance'],
  write: ['write', 'index', 'create', 'create_doc', 'delete'],
  index: ['index', 'create', 'create_doc'],
  create: ['create', 'create_doc'],
  create_doc: ['create_doc'],
  delete: ['delete'],
  read: ['read'],
  view_index_metadata: ['view_index_metadata'],
  create_index: ['create_index'],
  delete_index: ['delete_index'],
  maintenance: ['maintenance'],
  monitor: ['monitor'],
};

function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

/** Whether `principal` holds index privilege `privilege` on `index` (any of its names: index or alias). */
export function hasIndexPrivilege(
  principal: Principal,
  names: readonly string[],
  privilege: string,
): boolean {
  const p = principal.privileges;
  if (p === undefined) return true;
  for (const grant of p.indices ?? []) {
    if (!grant.names.some((pattern) => names.some((n) => nameMatches(pattern, n)))) continue;
    for (const g of grant.privileges) {
      const implied = INDEX_IMPLIES[g] ?? [g];
      if (implied.includes('*') || implied.includes(privilege)) return true;
    }
  }
  return false;
}

/** Whether `principal` holds one of `anyOf` cluster privileges. */
export function hasClusterPrivilege(principal: Principal, anyOf: readonly string[]): boolean {
  const p = principal.privileges;
  if (p === undefined) return true;
  const cluster = p.cluster ?? [];
  if (cluster.includes('all')) return true;
  return (
    anyOf.some((x) => cluster.includes(x)) ||
    (cluster.includes('manage') && anyOf.some((x) => x.startsWith('monitor') || x.startsWith('manage')))
  );
}

function who(principal: Principal): string {
  return principal.type === 'api_key'
    ? `API key id [${principal.apiKeyId ?? ''}] of user [${principal.username}]`
    : `user [${principal.username}] with effective roles [fake_role]`;
}

/** The 403 for a cluster action. */
export function forbiddenCluster(
  principal: Principal,
  action: string,
  privileges: readonly string[],
): EsHttpError {
  return esError(
    403,
    'security_exception',
    `action [${action}] is unauthorized for ${who(principal)}, this action is granted by the cluster privileges [${privileges.join(',')}]`,
  );
}

/** The item-level/request-level 403 cause for an index action. */
export function forbiddenIndexReason(
  principal: Principal,
  action: string,
  index: string,
  privilege: string,
): string {
  return `action [${action}] is unauthorized for ${who(principal)} on indices [${index}], this action is granted by the index privileges [${privilege},all]`;
}

/** The 403 for an index action. */
export function forbiddenIndex(
  principal: Principal,
  action: string,
  index: string,
  privilege: string,
): EsHttpError {
  return esError(403, 'security_exception', forbiddenIndexReason(principal, action, index, privilege));
}
