import { ConnectorError, type ConnectorErrorOptions } from './connector-error.js';

const MARKER = Symbol.for('@connectors/framework.AuthError');

/** Credentials were rejected or lack a permission. Never retried. */
export class AuthError extends ConnectorError {
  private readonly [MARKER] = true;
  /** HTTP status when the rejection came over HTTP (401, 403). */
  readonly status: number | undefined;

  constructor(message: string, options: Omit<ConnectorErrorOptions, 'retryable'> & { status?: number } = {}) {
    super('AUTH_FAILED', message, {
      ...options,
      retryable: false,
      details: { ...options.details, status: options.status },
    });
    this.name = 'AuthError';
    this.status = options.status;
  }

  /** True when `value` is an AuthError from any copy of this package. */
  static override isInstance(value: unknown): value is AuthError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
