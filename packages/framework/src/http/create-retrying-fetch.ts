import { AbortError } from '../errors/abort-error.js';
import { RateLimitError } from '../errors/rate-limit-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import type { Clock } from '../source/define-source.js';
import { systemClock } from './clock.js';
import { bufferedBody, createNodeFetch } from './create-node-fetch.js';
import { createKeyedLimiter } from './limiter.js';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter, type RetryPolicy } from './retry-policy.js';

/** What a retry looked like (for metrics and debug logs). The URL carries no query string. */
export interface RetryInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly url: string;
  readonly method: string;
  readonly status?: number;
  readonly reason: string;
  /** True when the server asked us to wait (429/503 with Retry-After). */
  readonly throttled: boolean;
}

/** Options of {@link createRetryingFetch}. */
export interface RetryingFetchOptions {
  /**
   * The fetch to wrap. @default a {@link createNodeFetch} of its own (node:http keep-alive agents, about half
   * the CPU of the built-in fetch per request), which hands what it does not handle to globalThis.fetch
   */
  readonly fetch?: typeof globalThis.fetch;
  readonly policy?: Partial<RetryPolicy>;
  /** Time allowed until response headers arrive, per attempt. @default 60000 */
  readonly timeoutMs?: number;
  /** Requests in flight per host (the reference downloads up to 100 files at once). @default 100 */
  readonly concurrencyPerHost?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Called before each retry wait. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Statuses that are retried. @default 408, 425, 429, 500, 502, 503, 504 */
  readonly retryStatuses?: readonly number[];
}

const DEFAULT_RETRY_STATUSES = [408, 425, 429, 500, 502, 503, 504];

function isReplayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData
  );
}

/** JSON answers of known, moderate size are buffered (and their truncation retried); streams are not. */
function bufferBody(response: Response): boolean {
  if (!response.body) return false;
  const type = response.headers.get('content-type') ?? '';
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  return type.includes('json') && Number.isFinite(length) && length <= 8 * 1024 * 1024;
}

function describeUrl(input: string | URL | Request): { url: string; host: string } {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    const url = new URL(raw);
    return { url: `${url.origin}${url.pathname}`, host: url.host };
  } catch {
    return { url: raw.split('?')[0] ?? raw, host: 'unknown' };
  }
}

/** The default transport, made on first use and shared by every retrying fetch made without its own. */
let sharedNodeFetch: typeof globalThis.fetch | undefined;

/**
 * A `fetch` that retries what is worth retrying: connection failures, timeouts before headers, and the
 * statuses 408/425/429/5xx, with exponential backoff and full jitter, honouring `Retry-After`, and a cap on
 * requests in flight per host. After the last attempt it returns the last response (so SDKs map the status
 * themselves) or throws a retryable UpstreamError for network failures. Requests whose body is a stream are
 * not retried (they cannot be replayed).
 */
export function createRetryingFetch(options: RetryingFetchOptions = {}): typeof globalThis.fetch {
  // One default transport per process: every retrying fetch made without its own shares its keep-alive
  // connections (the service makes one per connector and scheduling pass).
  const baseFetch = options.fetch ?? (sharedNodeFetch ??= createNodeFetch());
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.policy };
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const retryStatuses = new Set(options.retryStatuses ?? DEFAULT_RETRY_STATUSES);
  const limiter = createKeyedLimiter(options.concurrencyPerHost ?? 100);

  const retryingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const { url, host } = describeUrl(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const replayable = !(input instanceof Request) && isReplayable(init?.body);
    const maxAttempts = replayable ? policy.maxAttempts : 1;

    for (let attempt = 1; ; attempt += 1) {
      if (signal?.aborted) throw new AbortError(`Request to ${url} aborted`, { cause: signal.reason });
      const attemptController = new AbortController();
      const onAbort = () => attemptController.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attemptController.abort(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);

      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await limiter.run(
          host,
          () => baseFetch(input, { ...init, signal: attemptController.signal }),
          signal,
        );
      } catch (error) {
        failure = error;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }

      if (signal?.aborted) {
        await response?.body?.cancel().catch(() => undefined);
        throw new AbortError(`Request to ${url} aborted`, { cause: signal.reason });
      }

      if (response && !retryStatuses.has(response.status)) {
        // A node fetch answer up to its buffer limit is already whole: a cut body was an error, and retried.
        if (bufferedBody(response) !== undefined || !bufferBody(response) || attempt >= maxAttempts)
          return response;
        // Small JSON answers are read here, so that a body cut short (reset, truncated) is retried like any
        // other transient failure instead of surfacing as a parse error in the SDK.
        const bodyTimer = setTimeout(
          () => attemptController.abort(new Error(`body not received within ${timeoutMs} ms`)),
          timeoutMs,
        );
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
          const body = await response.arrayBuffer();
          return new Response(body, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
        } catch (error) {
          if (signal?.aborted) throw new AbortError(`Request to ${url} aborted`, { cause: signal.reason });
          response = undefined;
          failure = new Error(`response body cut short: ${(error as Error).message}`, { cause: error });
        } finally {
          clearTimeout(bodyTimer);
          signal?.removeEventListener('abort', onAbort);
        }
      }

      const status = response?.status;
      const retryAfterMs = response
        ? parseRetryAfter(response.headers.get('retry-after'), clock.now())
        : undefined;
      const reason = response
        ? `HTTP ${status}`
        : timedOut
          ? `timeout after ${timeoutMs} ms`
          : `${(failure as Error)?.message ?? 'network error'}${(failure as { cause?: { code?: string } })?.cause?.code ? ` (${(failure as { cause: { code: string } }).cause.code})` : ''}`;

      const tooLong = retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs;
      if (attempt >= maxAttempts || tooLong) {
        if (response) {
          if (tooLong && status === 429) {
            await response.body?.cancel().catch(() => undefined);
            throw new RateLimitError(`${method} ${url} throttled; server asked to wait ${retryAfterMs} ms`, {
              retryAfterMs,
              details: { url, method },
            });
          }
          return response;
        }
        throw new UpstreamError(`${method} ${url} failed after ${attempt} attempt(s): ${reason}`, {
          cause: failure,
          retryable: true,
          details: { url, method },
        });
      }

      await response?.body?.cancel().catch(() => undefined);
      const throttled = retryAfterMs !== undefined;
      const delayMs = throttled
        ? retryAfterMs + Math.round(random() * Math.min(1000, policy.baseDelayMs))
        : backoffDelay(attempt, policy, random);
      options.onRetry?.({ attempt, delayMs, url, method, status, reason, throttled });
      await clock.sleep(delayMs, signal);
    }
  };
  return retryingFetch as typeof globalThis.fetch;
}
