import http from 'node:http';
import https from 'node:https';
import { Readable, pipeline, type Transform } from 'node:stream';
import zlib from 'node:zlib';

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /**
   * Responses up to this many bytes (after decoding) are read whole before the promise resolves: their body
   * is a buffer, cheap to read and never cut short afterwards. Larger ones (or those announcing a larger
   * `content-length`) stream. @default 1 MiB
   */
  readonly bufferLimitBytes?: number;
  /** Sockets per origin. @default 256 */
  readonly maxSockets?: number;
  /** Redirects followed before failing (fetch's limit). @default 20 */
  readonly maxRedirects?: number;
  /** What serves the requests this fetch does not handle itself (see {@link createNodeFetch}). @default globalThis.fetch */
  readonly fallback?: typeof globalThis.fetch;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];
const CROSS_ORIGIN_DROPPED = ['authorization', 'proxy-authorization', 'cookie'];

const buffered = new WeakMap<Response, Buffer>();

/**
 * The body of a response {@link createNodeFetch} read whole, as the bytes it holds, without reading it
 * through the Response's web stream (which costs more than the request on small downloads); undefined for
 * any other response (read it the usual way then). The Response's own body stays unread. Do not modify
 * the bytes.
 */
export function bufferedBody(response: Response): Buffer | undefined {
  return buffered.get(response);
}

type SimpleBody = string | Buffer | undefined;

/** The request bodies handled here (replayable, known length); anything else goes to the fallback. */
function toSimpleBody(
  body: RequestInit['body'],
): { ok: true; body: SimpleBody; type?: string } | { ok: false } {
  if (body === undefined || body === null) return { ok: true, body: undefined };
  if (typeof body === 'string') return { ok: true, body, type: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array)
    return { ok: true, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof ArrayBuffer) return { ok: true, body: Buffer.from(body) };
  if (body instanceof URLSearchParams) {
    return { ok: true, body: body.toString(), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  return { ok: false };
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  // Lenient like browsers and undici: a stream cut at a flush point still yields what it holds.
  const options = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(options);
    case 'deflate':
      return zlib.createInflate(options);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return undefined;
  }
}

/**
 * Request headers as a plain object with lower-case names. A plain object (what SDKs pass) is copied
 * directly, checked like fetch checks it; `Headers` and pairs go through `Headers`.
 */
function toRequestHeaders(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (init && !(init instanceof Headers) && !Array.isArray(init) && typeof init === 'object') {
    for (const name of Object.keys(init)) {
      const value = String((init as Record<string, unknown>)[name]).trim();
      if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) {
        throw new TypeError(`Invalid header: ${JSON.stringify(name)}`);
      }
      const key = name.toLowerCase();
      out[key] = key in out ? `${out[key]}, ${value}` : value;
    }
    return out;
  }
  for (const [name, value] of new Headers(init)) out[name] = value;
  return out;
}

/** RFC 9110 token characters (header names) and field values fetch accepts (no NUL, CR or LF). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[^\0\r\n]*$/;

/** The Response, with the headers passed as pairs (one copy); a header fetch refuses is left out then. */
function toResponse(
  payload: Buffer | ReadableStream<Uint8Array> | null,
  status: number,
  statusText: string,
  raw: readonly string[],
): Response {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  try {
    return new Response(payload, { status, statusText, headers: pairs });
  } catch {
    return new Response(payload, { status, statusText, headers: toHeaders(raw) });
  }
}

function toHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header value fetch cannot represent is left out, as undici leaves it out.
    }
  }
  return headers;
}

/**
 * Collects `source` until it ends (`done`) or holds more than `limit` bytes; then it is left paused, with
 * nothing lost, for the caller to stream the rest.
 */
function collect(
  source: Readable,
  limit: number,
): Promise<{ chunks: Buffer[]; size: number; done: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        source.pause();
        cleanup();
        resolve({ chunks, size, done: false });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ chunks, size, done: true });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
  });
}

/**
 * A WHATWG `fetch` on `node:http`/`node:https` keep-alive agents, for the many small calls and downloads a
 * sync makes: it costs about half the CPU of Node's built-in fetch per request (no web streams, no
 * per-request signal bookkeeping for small answers), which on a content sync is the largest share of the
 * process's work.
 *
 * It handles `http:`/`https:` URLs given as strings or `URL`s with bodies that are strings, bytes or
 * `URLSearchParams`, follows redirects as fetch does (303, and 301/302 after POST, become GET without body;
 * credentials are dropped across origins; `redirect: 'manual'` and `'error'` are honoured), decodes gzip,
 * deflate and brotli, and rejects with fetch's `TypeError('fetch failed')` (cause attached) or the signal's
 * reason. Everything else (a `Request` input, stream or form bodies, other schemes) goes to `fallback`.
 * The resolved `Response` is a real one; bodies up to `bufferLimitBytes` are already read.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof globalThis.fetch {
  const bufferLimit = options.bufferLimitBytes ?? 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 20;
  const fallback = options.fallback ?? globalThis.fetch;
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    scheduling: 'lifo' as const,
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const send = (
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: SimpleBody,
    signal?: AbortSignal,
  ) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method,
        headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
        ...(signal ? { signal } : {}),
      });
      request.once('response', resolve);
      request.once('error', (error) => reject(signal?.aborted ? abortReason(signal) : fetchFailed(error)));
      request.end(body);
    });

  /** Reads `source` whole when it fits the buffer limit; otherwise hands back a stream of all of it. */
  async function readBody(
    source: Readable,
    announced: number,
    signal: AbortSignal | undefined,
  ): Promise<Buffer | ReadableStream<Uint8Array>> {
    let head: { chunks: Buffer[]; size: number; done: boolean } = { chunks: [], size: 0, done: false };
    if (!(announced > bufferLimit)) {
      try {
        head = await collect(source, bufferLimit);
      } catch (error) {
        throw signal?.aborted ? abortReason(signal) : fetchFailed(error);
      }
      if (head.done)
        return head.chunks.length === 1 ? head.chunks[0]! : Buffer.concat(head.chunks, head.size);
    }
    const chunks = head.chunks;
    async function* all(): AsyncGenerator<Buffer> {
      yield* chunks.splice(0);
      for await (const chunk of source) yield chunk as Buffer;
    }
    const stream = Readable.from(all(), { objectMode: false });
    stream.once('close', () => source.destroy());
    return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  }

  const nodeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const simple = toSimpleBody(init?.body);
    const start =
      input instanceof Request ? undefined : new URL(String(input instanceof URL ? input.href : input));
    if (!start || (start.protocol !== 'http:' && start.protocol !== 'https:') || !simple.ok) {
      return fallback(input, init);
    }
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw abortReason(signal);
    let headers = toRequestHeaders(init?.headers);
    if (simple.type && !('content-type' in headers)) headers['content-type'] = simple.type;
    headers['accept'] ??= '*/*';
    headers['user-agent'] ??= 'node';
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    const redirectMode = init?.redirect ?? 'follow';
    let method = (init?.method ?? 'GET').toUpperCase();
    let body = simple.body;
    let url = start;

    for (let redirects = 0; ; redirects += 1) {
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      else if (method === 'POST' || method === 'PUT') headers['content-length'] = '0';
      const response = await send(url, method, headers, body, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(status) && location !== undefined && redirectMode !== 'manual') {
        response.resume();
        if (redirectMode === 'error') throw fetchFailed(new Error(`unexpected redirect to ${location}`));
        if (redirects >= maxRedirects) throw fetchFailed(new Error('redirect count exceeded'));
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (error) {
          throw fetchFailed(error);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw fetchFailed(new Error(`redirect to a ${next.protocol} URL`));
        }
        if (
          (status === 303 && method !== 'GET' && method !== 'HEAD') ||
          ((status === 301 || status === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
          headers = Object.fromEntries(
            Object.entries(headers).filter(([name]) => !BODY_HEADERS.includes(name)),
          );
        }
        if (next.origin !== url.origin) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(([name]) => !CROSS_ORIGIN_DROPPED.includes(name)),
          );
        }
        url = next;
        continue;
      }
      if (status < 200 || status > 599) {
        response.destroy();
        throw fetchFailed(new Error(`unsupported HTTP status ${status}`));
      }
      let payload: Buffer | ReadableStream<Uint8Array> | null = null;
      if (method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
        response.resume();
      } else {
        const decoder = decoderFor(response.headers['content-encoding']);
        // pipeline() carries a reset or abort of the response into the decoder as an error.
        const source: Readable = decoder ? pipeline(response, decoder, () => undefined) : response;
        const announced = decoder ? Number.NaN : Number(response.headers['content-length'] ?? Number.NaN);
        payload = await readBody(source, announced, signal);
      }
      const result = toResponse(payload, status, response.statusMessage ?? '', response.rawHeaders);
      Object.defineProperty(result, 'url', { value: url.href });
      if (redirects > 0) Object.defineProperty(result, 'redirected', { value: true });
      if (payload !== null && !(payload instanceof ReadableStream)) buffered.set(result, payload);
      else if (payload === null) buffered.set(result, Buffer.alloc(0));
      return result;
    }
  };
  return nodeFetch as typeof globalThis.fetch;
}
