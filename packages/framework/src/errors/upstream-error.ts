import { ConnectorError, type ConnectorErrorOptions } from './connector-error.js';

const MARKER = Symbol.for('@connectors/framework.UpstreamError');

/** Statuses worth repeating: timeouts, conflicts, throttling and server errors. */
export function isRetryableStatus(status: number | undefined): boolean {
  return (
    status === undefined ||
    status === 408 ||
    status === 409 ||
    status === 425 ||
    status === 429 ||
    status >= 500
  );
}

/** A remote API failed. `status` is the HTTP status (undefined for network failures, which are retryable). */
export class UpstreamError extends ConnectorError {
  private readonly [MARKER] = true;
  /** HTTP status, or undefined for a network-level failure. */
  readonly status: number | undefined;

  constructor(message: string, options: ConnectorErrorOptions & { status?: number } = {}) {
    super('UPSTREAM_FAILED', message, {
      ...options,
      retryable: options.retryable ?? isRetryableStatus(options.status),
      details: { ...options.details, status: options.status },
    });
    this.name = 'UpstreamError';
    this.status = options.status;
  }

  /** True when `value` is an UpstreamError from any copy of this package. */
  static override isInstance(value: unknown): value is UpstreamError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
