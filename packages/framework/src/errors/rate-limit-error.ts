import { ConnectorError, type ConnectorErrorOptions } from './connector-error.js';

const MARKER = Symbol.for('@connectors/framework.RateLimitError');

/** The remote asked us to slow down (HTTP 429 or a vendor equivalent). Retryable after `retryAfterMs`. */
export class RateLimitError extends ConnectorError {
  private readonly [MARKER] = true;
  /** How long the remote asked us to wait, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: Omit<ConnectorErrorOptions, 'retryable'> & { retryAfterMs?: number } = {},
  ) {
    super('RATE_LIMITED', message, {
      ...options,
      retryable: true,
      details: { ...options.details, retryAfterMs: options.retryAfterMs },
    });
    this.name = 'RateLimitError';
    this.retryAfterMs = options.retryAfterMs;
  }

  /** True when `value` is a RateLimitError from any copy of this package. */
  static override isInstance(value: unknown): value is RateLimitError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
