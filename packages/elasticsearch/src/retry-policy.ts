import type { ConnectorError } from '@connectors/framework';
import { AbortError, RateLimitError, throwIfAborted } from '@connectors/framework';
import { toElasticsearchError } from './to-elasticsearch-error.js';

/** How often and how long to retry transient Elasticsearch failures (429, 5xx, unreachable, timeouts). */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 5 */
  readonly maxRetries: number;
  /** First backoff delay. @default 1000 */
  readonly initialDelayMs: number;
  /** Cap of a single delay (also caps `Retry-After`). @default 60000 */
  readonly maxDelayMs: number;
}

/** The default policy: 5 retries, exponential backoff with full jitter from 1 s, capped at 60 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, initialDelayMs: 1000, maxDelayMs: 60_000 };

/** Sleeps `ms`, rejecting with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError('The operation was aborted', { cause: signal.reason }));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The delay before retry number `attempt` (1-based): exponential with full jitter, or `Retry-After`. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Called before each retry (for logs and events). */
export type OnRetry = (info: { attempt: number; delayMs: number; error: ConnectorError }) => void;

/**
 * Runs `call`, normalising failures with {@link toElasticsearchError}, and retries the retryable ones
 * (429 honouring `Retry-After`, 5xx, 408, connection failures and timeouts) with backoff. 409 is not
 * retried here (optimistic concurrency is the caller's business). Aborts stop waiting at once.
 */
export async function withRetry<T>(
  action: string,
  call: () => Promise<T>,
  options: {
    policy: RetryPolicy;
    signal: AbortSignal;
    onRetry?: OnRetry;
    /** Narrows which transient failures are retried (e.g. only those that prove nothing was applied). */
    retryIf?: (error: ConnectorError) => boolean;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await call();
    } catch (raw) {
      const error = toElasticsearchError(raw, action);
      const retry = isTransient(error) && (options.retryIf?.(error) ?? true);
      if (!retry || attempt > options.policy.maxRetries || options.signal.aborted) throw error;
      const retryAfter = RateLimitError.isInstance(error) ? error.retryAfterMs : undefined;
      const delayMs = backoffDelay(options.policy, attempt, retryAfter);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/**
 * True for failures after which a non-idempotent request (creating a job) certainly was not applied:
 * 429 and 503 answers. Connection drops and timeouts may hide an applied request, so they are not repeated.
 */
export function isRejectedUnapplied(error: ConnectorError): boolean {
  if (error.code === 'RATE_LIMITED') return true;
  return (error as { status?: number }).status === 503;
}

/** True for failures worth repeating against Elasticsearch (never 409, auth or client errors). */
export function isTransient(error: ConnectorError): boolean {
  if (!error.retryable) return false;
  const status = (error as { status?: number }).status;
  return status !== 409;
}

/**
 * The retry policy of `elasticsearch.max_retries` / `retry_interval` (seconds): that many retries, the first
 * after `retry_interval`, doubling, capped at four intervals (at least 60 s).
 */
export function toRetryPolicy(settings: { max_retries?: number; retry_interval?: number }): RetryPolicy {
  const initialDelayMs = Math.round((settings.retry_interval ?? 10) * 1000);
  return {
    maxRetries: settings.max_retries ?? 5,
    initialDelayMs,
    maxDelayMs: Math.max(60_000, initialDelayMs * 4),
  };
}
