import { ConnectorError, type ConnectorErrorOptions } from './connector-error.js';

const MARKER = Symbol.for('@connectors/framework.CursorExpiredError');

/** A stored change cursor is no longer accepted; the engine falls back to a full sync and logs why. */
export class CursorExpiredError extends ConnectorError {
  private readonly [MARKER] = true;

  constructor(message: string, options: Omit<ConnectorErrorOptions, 'retryable'> = {}) {
    super('CURSOR_EXPIRED', message, { ...options, retryable: false });
    this.name = 'CursorExpiredError';
  }

  /** True when `value` is a CursorExpiredError from any copy of this package. */
  static override isInstance(value: unknown): value is CursorExpiredError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
