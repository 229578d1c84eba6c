import { ConnectorError } from '../errors/connector-error.js';
import { SinkError } from '../errors/sink-error.js';

/** SQLite primary result codes the store reacts to. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

/** The SQLite result code of an error thrown by `node:sqlite`, if any. */
export function sqliteErrorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errcode' in error)) return undefined;
  const code = (error as { errcode: unknown }).errcode;
  // Extended result codes carry the primary code in their low byte.
  return typeof code === 'number' ? code & 0xff : undefined;
}

/** True when SQLite says the file is not a database or is damaged. */
export function isCorruptionError(error: unknown): boolean {
  const code = sqliteErrorCode(error);
  return code === SQLITE_CORRUPT || code === SQLITE_NOTADB;
}

/** The STORE_CORRUPT error for the file at `path`: says what is wrong and what to do, never touches the file. */
export function storeCorruptError(path: string, cause: unknown): ConnectorError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConnectorError(
    'STORE_CORRUPT',
    `[embedded-store] ${path} is not a readable connectors store (${reason}). The file was left untouched: ` +
      'move it away or point the store at another path, then run a full sync to rebuild the content.',
    { cause, details: { path } },
  );
}

/**
 * Normalises an error thrown by SQLite while the store performs `action`: corruption becomes STORE_CORRUPT,
 * lock contention a retryable error, anything else an error naming the action. ConnectorErrors pass through.
 */
export function toStoreError(
  error: unknown,
  context: { readonly path: string; readonly action: string; readonly sink?: boolean },
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error;
  if (isCorruptionError(error)) return storeCorruptError(context.path, error);
  const code = sqliteErrorCode(error);
  const retryable = code === SQLITE_BUSY || code === SQLITE_LOCKED;
  const reason = error instanceof Error ? error.message : String(error);
  const message = retryable
    ? `[embedded-store] ${context.action} failed: ${context.path} is locked by another process (${reason}); retry later`
    : `[embedded-store] ${context.action} failed on ${context.path}: ${reason}`;
  const options = { cause: error, retryable, details: { path: context.path } };
  return context.sink ? new SinkError(message, options) : new ConnectorError('INTERNAL', message, options);
}
