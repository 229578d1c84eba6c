import { ConnectorError, type ConnectorErrorOptions } from './connector-error.js';

const MARKER = Symbol.for('@connectors/framework.AbortError');

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends ConnectorError {
  private readonly [MARKER] = true;

  constructor(message = 'The operation was aborted', options: Omit<ConnectorErrorOptions, 'retryable'> = {}) {
    super('ABORTED', message, { ...options, retryable: false });
    this.name = 'AbortError';
  }

  /** True when `value` is an AbortError from any copy of this package, or a DOM AbortError. */
  static override isInstance(value: unknown): value is AbortError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** True for our AbortError and for the platform's `AbortError`/`TimeoutError` DOMExceptions. */
export function isAbortLike(value: unknown): boolean {
  if (AbortError.isInstance(value)) return true;
  return value instanceof Error && (value.name === 'AbortError' || value.name === 'TimeoutError');
}

/** Throws an AbortError when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortError(typeof signal.reason === 'string' ? signal.reason : 'The operation was aborted', {
      cause: signal.reason,
    });
  }
}
