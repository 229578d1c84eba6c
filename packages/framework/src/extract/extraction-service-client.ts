import { open } from 'node:fs/promises';
import { AbortError } from '../errors/abort-error.js';
import { linkSignals } from '../http/any-signal.js';

/** Settings of Elastic's data extraction service (`extraction_service` in `config.yml`). */
export interface ExtractionServiceOptions {
  /** Base URL, e.g. `http://localhost:8090`. */
  readonly host: string;
  /** Total time for one request in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /** Send a path on a volume shared with the service instead of the bytes. @default false */
  readonly useFilePointers?: boolean;
  /** The shared volume's path, where file-pointer mode writes its temp files. @default "/app/files" */
  readonly sharedVolumeDir?: string;
  /** Bytes per chunk of the streamed upload. @default 65536 */
  readonly streamChunkSize?: number;
  /** The fetch implementation (tests, proxies). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** What the service made of one file. */
export type ServiceExtraction =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** A client of the data extraction service's HTTP API (`PUT /extract_text/`, `GET /ping/`). */
export interface ExtractionServiceClient {
  /** True when `GET <host>/ping/` answers 2xx within the timeout. */
  ping(signal: AbortSignal): Promise<boolean>;
  /**
   * Extracts the text of the file at `path`: streamed as the request body, or by pointer
   * (`?local_file_path=`) in file-pointer mode. Service errors, bad replies, connection failures and
   * timeouts come back as `{ ok: false }`; only an abort of `signal` throws (an AbortError).
   */
  extract(path: string, filename: string, signal: AbortSignal): Promise<ServiceExtraction>;
}

/** Creates a client of Elastic's data extraction service. */
export function createExtractionServiceClient(options: ExtractionServiceOptions): ExtractionServiceClient {
  // fetch refuses URLs with credentials: they travel as a Basic authorization header instead.
  const { url: host, authorization } = splitCredentials(options.host.replace(/\/+$/, ''));
  const auth: Record<string, string> = authorization === undefined ? {} : { authorization };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const chunkSize = Math.max(1024, options.streamChunkSize ?? 65_536);
  const doFetch = options.fetch ?? globalThis.fetch;

  const withTimeout = (signal: AbortSignal) => linkSignals(signal, AbortSignal.timeout(timeoutMs));

  async function send(path: string, signal: AbortSignal): Promise<Response> {
    if (options.useFilePointers === true) {
      // Like the Python client: slashes stay readable, everything else that needs it is percent-encoded.
      const url = `${host}/extract_text/?local_file_path=${encodeURIComponent(path).replace(/%2F/g, '/')}`;
      return doFetch(url, { method: 'PUT', headers: { ...auth, accept: 'application/json' }, signal });
    }
    const file = await open(path, 'r');
    let closing: Promise<void> | undefined;
    const closeFile = (): Promise<void> => (closing ??= file.close().catch(() => undefined));
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const buffer = new Uint8Array(chunkSize);
        const { bytesRead } = await file.read(buffer, 0, chunkSize, null);
        if (bytesRead === 0) {
          controller.close();
          await closeFile();
        } else {
          controller.enqueue(buffer.subarray(0, bytesRead));
        }
      },
      async cancel() {
        await closeFile();
      },
    });
    try {
      return await doFetch(`${host}/extract_text/`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/octet-stream', accept: 'application/json' },
        body,
        duplex: 'half',
        signal,
      } as RequestInit);
    } finally {
      await closeFile();
    }
  }

  return {
    async ping(signal) {
      const linked = withTimeout(signal);
      try {
        const response = await doFetch(`${host}/ping/`, {
          method: 'GET',
          headers: auth,
          signal: linked.signal,
        });
        await response.body?.cancel();
        return response.ok;
      } catch (error) {
        if (signal.aborted) throw new AbortError('Extraction service ping was aborted', { cause: error });
        return false;
      } finally {
        linked.dispose();
      }
    },

    async extract(path, filename, signal) {
      const linked = withTimeout(signal);
      const requestSignal = linked.signal;
      try {
        const response = await send(path, requestSignal);
        const raw = await response.text();
        let reply: Record<string, unknown> = {};
        try {
          const parsed: unknown = JSON.parse(raw);
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
            reply = parsed as Record<string, unknown>;
        } catch {
          // a non-JSON reply is reported below
        }
        const error = reply['error'];
        if (response.status !== 200 || (error !== undefined && error !== null && error !== '')) {
          const kind = typeof error === 'string' && error !== '' ? error : 'unexpected error';
          const message = typeof reply['message'] === 'string' ? reply['message'] : 'unknown cause';
          return {
            ok: false,
            reason: `extraction service could not parse "${filename}": status ${response.status}; ${kind}: ${message}`,
          };
        }
        const text = reply['extracted_text'];
        if (typeof text !== 'string') {
          return { ok: false, reason: `extraction service replied without extracted_text for "${filename}"` };
        }
        return { ok: true, text };
      } catch (error) {
        if (signal.aborted) throw new AbortError('Text extraction was aborted', { cause: error });
        if (requestSignal.aborted) {
          return { ok: false, reason: `extraction service timed out after ${timeoutMs} ms on "${filename}"` };
        }
        const message =
          error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
        return {
          ok: false,
          reason: `connection to the extraction service at ${host} failed for "${filename}": ${message}`,
        };
      } finally {
        linked.dispose();
      }
    },
  };
}

/** The URL without user name and password, and those as a Basic authorization header value. */
function splitCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (parsed.username === '' && parsed.password === '') return { url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.toString().replace(/\/+$/, ''),
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  };
}
