import { AbortError, isAbortLike } from './abort-error.js';
import { ConnectorError } from './connector-error.js';
import { UpstreamError } from './upstream-error.js';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/**
 * Normalises anything thrown into a ConnectorError (at package boundaries). Network failures become
 * retryable UpstreamErrors; aborts become AbortErrors; everything else an INTERNAL error. Redacted.
 */
export function toConnectorError(value: unknown, context?: string): ConnectorError {
  if (ConnectorError.isInstance(value)) return value;
  const prefix = context ? `${context}: ` : '';
  if (isAbortLike(value)) return new AbortError(`${prefix}${(value as Error).message}`, { cause: value });
  if (value instanceof Error) {
    const code =
      (value as NodeJS.ErrnoException).code ?? (value.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code && NETWORK_CODES.has(code)) {
      return new UpstreamError(`${prefix}${value.message} (${code})`, { cause: value, retryable: true });
    }
    return new ConnectorError('INTERNAL', `${prefix}${value.message || value.name}`, { cause: value });
  }
  return new ConnectorError('INTERNAL', `${prefix}${typeof value === 'string' ? value : 'unknown error'}`);
}
