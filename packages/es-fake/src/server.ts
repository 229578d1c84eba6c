import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { authenticate, authRequired, type AuthOptions } from './auth.js';
import { esError, EsHttpError, envelope, errorCause } from './es-error.js';
import { EsRequest } from './es-request.js';
import type { FakeContext, Handler } from './fake-context.js';
import { Faults } from './faults.js';
import { IndexStore, type IndexData, type StoredDoc } from './index-store.js';
import { SeededRandom } from './random.js';
import { REST_API_SPEC } from './rest-api-spec.generated.js';
import { Router } from './router.js';
import { SOFT_DELETE_PARAMS } from './routes/connector-routes.js';
import { HANDLERS } from './routes/handlers.js';
import { SearchContexts } from './search.js';
import { SYSTEM_INDICES } from './system-indices.js';
import { DEFAULT_PIPELINES } from './ingest.js';

/** Options of {@link createEsFake}. */
export interface EsFakeOptions {
  /** TCP port (default: ephemeral). */
  readonly port?: number;
  /** Bind address. @default '127.0.0.1' */
  readonly host?: string;
  /** Credentials; with none configured, requests need no authentication. */
  readonly auth?: AuthOptions;
  /** Emulated Elasticsearch version. @default '8.17.0' */
  readonly version?: string;
  /** License type reported by `GET /_license`. @default 'platinum' */
  readonly licenseType?: string;
  /** Seed for ids and fault rates (deterministic runs). */
  readonly seed?: number;
  /** Injectable clock (epoch millis). @default Date.now */
  readonly now?: () => number;
  /** Periodic refresh interval for indices without `index.refresh_interval`; `false` = explicit refresh only. @default 1000 */
  readonly refreshIntervalMs?: number | false;
  /** `http.max_content_length` in bytes; larger bodies get 413 with an empty body. @default 104857600 */
  readonly maxContentLength?: number;
  /** How many requests {@link EsFakeState.requests} keeps. @default 10000 */
  readonly requestLogSize?: number;
  /** Stops the server when aborted (same as `close()`). */
  readonly signal?: AbortSignal;
}

/** One logged request. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  /** REST API name, or `undefined` when no route matched. */
  readonly api: string | undefined;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

/** A document as stored (real-time view). */
export interface StoredDocument {
  readonly _id: string;
  readonly _source: Record<string, unknown>;
  readonly _version: number;
  readonly _seq_no: number;
  readonly _primary_term: number;
}

/** Read-only access to the fake's state for tests (no HTTP involved). */
export interface EsFakeState {
  /** Names of the concrete indices. */
  indices(): string[];
  /** Whether an index or alias exists. */
  hasIndex(name: string): boolean;
  /** Real-time documents of an index or alias (empty when missing). */
  documents(index: string): StoredDocument[];
  /** One document (real-time), or `undefined`. */
  document(index: string, id: string): StoredDocument | undefined;
  /** Mappings of an index or alias. */
  mappings(index: string): Record<string, unknown> | undefined;
  /** Refreshes every index (or the named one). */
  refresh(index?: string): void;
  /** Logged requests, oldest first (bounded). */
  readonly requests: readonly RequestLogEntry[];
  /** Request counts per REST API name (and `unknown`). */
  counters(): Record<string, number>;
  /** Clears the request log and counters. */
  clearRequestLog(): void;
}

/** A running fake Elasticsearch. */
export interface EsFake extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:53124`. */
  readonly url: string;
  readonly port: number;
  /** Fault injection switches. */
  readonly faults: Faults;
  /** State inspection. */
  readonly state: EsFakeState;
  /** Stops the server and drops every connection. */
  close(): Promise<void>;
}

const GLOBAL_PARAMS = new Set([
  'pretty',
  'human',
  'error_trace',
  'filter_path',
  'source',
  'source_content_type',
]);

function toStored(doc: StoredDoc): StoredDocument {
  return {
    _id: doc.id,
    _source: doc.source,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: doc.primaryTerm,
  };
}

/**
 * Starts a strict in-process fake Elasticsearch on 127.0.0.1.
 * @example
 * await using es = await createEsFake();
 * const client = new Client({ node: es.url });
 */
export async function createEsFake(options: EsFakeOptions = {}): Promise<EsFake> {
  const random = new SeededRandom(options.seed);
  const now = options.now ?? Date.now;
  const faults = new Faults(random);
  const store = new IndexStore({
    random,
    now,
    refreshIntervalMs: options.refreshIntervalMs ?? 1000,
    systemIndices: SYSTEM_INDICES,
    writeBlock: (index) => faults.writeBlockFor([index.name, ...index.aliases.keys()]),
  });
  const authTable = {
    apiKeys: Object.fromEntries(Object.entries(options.auth?.apiKeys ?? {}).map(([k, v]) => [k, { ...v }])),
    users: { ...(options.auth?.users ?? {}) },
  };
  const ctx: FakeContext = {
    store,
    contexts: new SearchContexts(store),
    pipelines: new Map(Object.entries(structuredClone(DEFAULT_PIPELINES))),
    secrets: new Map(),
    faults,
    random,
    auth: authTable,
    authEnabled: authRequired(options.auth),
    version: options.version ?? '8.17.0',
    licenseType: options.licenseType ?? 'platinum',
    clusterUuid: random.id(22),
    clusterName: 'es-fake',
    isoNow: () => new Date(now()).toISOString(),
  };
  const router = new Router(REST_API_SPEC);
  const maxContentLength = options.maxContentLength ?? 100 * 1024 * 1024;
  const logSize = options.requestLogSize ?? 10_000;
  const requestLog: RequestLogEntry[] = [];
  let counters: Record<string, number> = {};
  const sockets = new Set<Socket>();

  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        sendJson(
          req,
          res,
          500,
          envelope(500, errorCause('exception', `fake: internal error: ${(err as Error).message}`)),
          {},
          ctx.version,
        );
      } else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxContentLength) return 'too-large';
      chunks.push(buf);
    }
    const raw = Buffer.concat(chunks);
    if (/gzip/i.test(req.headers['content-encoding'] ?? '')) return gunzipSync(raw);
    return raw;
  }

  function log(entry: RequestLogEntry): void {
    requestLog.push(entry);
    if (requestLog.length > logSize) requestLog.splice(0, requestLog.length - logSize);
    const key = entry.api ?? 'unknown';
    counters[key] = (counters[key] ?? 0) + 1;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const qIndex = rawUrl.indexOf('?');
    const path = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(qIndex < 0 ? '' : rawUrl.slice(qIndex + 1))) query[k] = v;
    const routed = router.route(method, path);
    const api = routed.kind === 'match' ? routed.match.api.name : undefined;
    let status = 200;
    try {
      const body = await readBody(req);
      if (body === 'too-large') {
        status = 413;
        res.writeHead(413, {
          'x-elastic-product': 'Elasticsearch',
          'content-length': '0',
          connection: 'close',
        });
        res.end();
        return;
      }
      for (const action of faults.forRequest(method, path, api)) {
        if (action.kind === 'delay') await new Promise((r) => setTimeout(r, action.ms));
        else if (action.kind === 'drop') {
          status = 0;
          req.socket.destroy();
          return;
        } else {
          status = action.status;
          sendFault(req, res, action.status, action.retryAfterSeconds, ctx.version);
          return;
        }
      }
      const principal = authenticate(ctx.auth, req.headers.authorization, path, ctx.authEnabled);
      checkMediaTypes(req, body, ctx.version);
      if (routed.kind === 'no-handler') {
        throw new EsHttpError(400, {
          error: `no handler found for uri [${req.url ?? path}] and method [${method}]`,
          status: 400,
        });
      }
      if (routed.kind === 'method-not-allowed') {
        throw new EsHttpError(
          405,
          {
            error: `Incorrect HTTP method for uri [${req.url ?? path}] and method [${method}], allowed: [${routed.allowed.join(', ')}]`,
            status: 405,
          },
          { allow: routed.allowed.join(',') },
        );
      }
      const { match } = routed;
      const allowed = new Set(match.api.params);
      if (Number(ctx.version.split('.')[0]) >= 9)
        for (const p of SOFT_DELETE_PARAMS[match.api.name] ?? []) allowed.add(p);
      const unknown = Object.keys(query).filter((k) => !allowed.has(k) && !GLOBAL_PARAMS.has(k));
      if (unknown.length > 0) {
        throw esError(
          400,
          'illegal_argument_exception',
          `request [${path}] contains unrecognized parameter${unknown.length > 1 ? 's' : ''}: [${unknown.join('], [')}]`,
        );
      }
      let rawBody = body;
      if (rawBody.length === 0 && query.source !== undefined) rawBody = Buffer.from(query.source);
      const params = new Map(Object.entries(query));
      params.delete('source');
      params.delete('source_content_type');
      const esReq = new EsRequest({
        method,
        path,
        api: match.api.name,
        parts: match.parts,
        params,
        rawBody,
        headers: req.headers,
        principal,
      });
      const handler: Handler | undefined = HANDLERS[match.api.name];
      if (handler === undefined) {
        throw esError(
          400,
          'illegal_argument_exception',
          `fake: unsupported API [${match.api.name}] (${method} ${match.template})`,
        );
      }
      const out = await handler(esReq, ctx);
      status = out.status ?? 200;
      let responseBody = out.body;
      const filterPath = query.filter_path;
      if (filterPath !== undefined && responseBody !== undefined)
        responseBody = applyFilterPath(responseBody, filterPath.split(','));
      const extra: Record<string, string> = { ...(out.headers ?? {}) };
      const systemTarget = match.parts.index;
      if (
        systemTarget !== undefined &&
        systemTarget.split(',').some((n) => n.startsWith('.elastic-connectors')) &&
        req.headers['x-elastic-product-origin'] === undefined
      ) {
        extra.warning = `299 Elasticsearch-${ctx.version}-${'0'.repeat(40)} "this request accesses system indices: [${systemTarget}], but in a future major version, direct access to system indices will be prevented by default"`;
      }
      sendJson(req, res, status, responseBody, extra, ctx.version, query.pretty !== undefined);
    } catch (err) {
      if (err instanceof EsHttpError) {
        status = err.status;
        sendJson(req, res, err.status, err.body, err.headers, ctx.version);
        return;
      }
      throw err;
    } finally {
      log({ method, path, api, query, status });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
    });
    return closed;
  };

  if (options.signal !== undefined) {
    if (options.signal.aborted) await close();
    else options.signal.addEventListener('abort', () => void close(), { once: true });
  }

  const docsOf = (name: string): IndexData | undefined => {
    try {
      return store.get(name);
    } catch {
      return undefined;
    }
  };
  const state: EsFakeState = {
    indices: () => [...store.indices.keys()],
    hasIndex: (name) => docsOf(name) !== undefined,
    documents: (name) => [...(docsOf(name)?.docs.values() ?? [])].map(toStored),
    document: (name, id) => {
      const doc = docsOf(name)?.docs.get(id);
      return doc === undefined ? undefined : toStored(doc);
    },
    mappings: (name) => {
      const index = docsOf(name);
      return index === undefined ? undefined : structuredClone(index.mappings);
    },
    refresh: (name) => {
      if (name === undefined) store.refresh();
      else {
        const index = docsOf(name);
        if (index !== undefined) store.refresh([index]);
      }
    },
    requests: requestLog,
    counters: () => ({ ...counters }),
    clearRequestLog: () => {
      requestLog.length = 0;
      counters = {};
    },
  };

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    faults,
    state,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function compatVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /compatible-with=(\d+)/i.exec(header);
  return m === null ? undefined : Number(m[1]);
}

function isVendor(header: string | undefined): boolean {
  return header !== undefined && /application\/vnd\.elasticsearch\+/i.test(header);
}

function checkMediaTypes(req: IncomingMessage, body: Buffer, version: string): void {
  const major = Number(version.split('.')[0]);
  const accept = req.headers.accept;
  const contentType = req.headers['content-type'];
  const av = compatVersion(accept);
  const cv = body.length > 0 ? compatVersion(contentType) : undefined;
  const mediaError = (cause: string): EsHttpError => {
    const reason = 'Invalid media-type value on headers [Accept, Content-Type]';
    return esError(400, 'media_type_header_exception', reason, {}, errorCause('status_exception', cause));
  };
  for (const [name, v, raw] of [
    ['Accept', av, accept],
    ['Content-Type', cv, contentType],
  ] as const) {
    if (v !== undefined && v !== major && v !== major - 1) {
      throw mediaError(
        `${name} version must be either version ${major} or ${major - 1}, but found ${v}. ${name}=${raw ?? ''}`,
      );
    }
  }
  if (av !== undefined && cv !== undefined && av !== cv) {
    throw mediaError(
      `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${accept ?? ''}, Content-Type=${contentType ?? ''}`,
    );
  }
  if (body.length > 0 && (contentType === undefined || contentType === '')) {
    throw new EsHttpError(406, { error: 'Content-Type header is missing', status: 406 });
  }
  if (body.length > 0 && contentType !== undefined) {
    const base = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    const ok = [
      'application/json',
      'application/x-ndjson',
      'application/vnd.elasticsearch+json',
      'application/vnd.elasticsearch+x-ndjson',
    ];
    if (!ok.includes(base)) {
      throw new EsHttpError(406, {
        error: `Content-Type header [${contentType}] is not supported`,
        status: 406,
      });
    }
  }
}

function responseContentType(req: IncomingMessage, version: string): string {
  const accept = req.headers.accept;
  if (isVendor(accept)) {
    const v = compatVersion(accept) ?? Number(version.split('.')[0]);
    return `application/vnd.elasticsearch+json;compatible-with=${v}`;
  }
  return 'application/json; charset=UTF-8';
}

function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string | readonly string[]>>,
  version: string,
  pretty = false,
): void {
  const payload =
    body === undefined ? '' : pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
  const opaqueId = req.headers['x-opaque-id'];
  const out: Record<string, string | string[]> = {
    ...(typeof opaqueId === 'string' ? { 'x-opaque-id': opaqueId } : {}),
    'x-elastic-product': 'Elasticsearch',
    'content-type': responseContentType(req, version),
    'content-length': String(Buffer.byteLength(payload)),
  };
  for (const [k, v] of Object.entries(headers)) out[k] = typeof v === 'string' ? v : [...v];
  res.writeHead(status, out);
  if (req.method === 'HEAD') res.end();
  else res.end(payload);
}

function sendFault(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  retryAfter: number | undefined,
  version: string,
): void {
  if (status === 413) {
    res.writeHead(413, { 'x-elastic-product': 'Elasticsearch', 'content-length': '0', connection: 'close' });
    res.end();
    return;
  }
  const cause =
    status === 429
      ? errorCause(
          'es_rejected_execution_exception',
          'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0] (fake fault injection)',
        )
      : status === 503
        ? errorCause(
            'cluster_block_exception',
            'blocked by: [SERVICE_UNAVAILABLE/2/no master]; (fake fault injection)',
          )
        : errorCause('exception', `fake fault injection: HTTP ${status}`);
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined || status === 429) headers['retry-after'] = String(retryAfter ?? 1);
  sendJson(req, res, status, envelope(status, cause), headers, version);
}

/** Applies `filter_path` (dotted paths, `*` and `**` wildcards, `-` exclusions unsupported). */
function applyFilterPath(body: unknown, filters: readonly string[]): unknown {
  const patterns = filters.map((f) => f.trim().split('.'));
  const walk = (node: unknown, depth: number, active: (readonly string[])[]): unknown => {
    if (active.some((p) => p.length === depth)) return node;
    if (Array.isArray(node)) {
      const out = node.map((n) => walk(n, depth, active)).filter((n) => n !== undefined);
      return out.length === 0 ? undefined : out;
    }
    if (typeof node !== 'object' || node === null) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const next = active.filter((p) => {
        const seg = p[depth];
        return seg === '*' || seg === '**' || seg === k;
      });
      if (next.length === 0) continue;
      const r = walk(v, depth + 1, next);
      if (r !== undefined) out[k] = r;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
  return walk(body, 0, patterns) ?? {};
}
