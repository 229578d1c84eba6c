import {
  AuthError,
  ConnectorError,
  CursorExpiredError,
  RateLimitError,
  UpstreamError,
  isAbortLike,
  parseRetryAfter,
  toConnectorError,
} from '@connectors/framework';

/** The shape of the SDK's `DropboxResponseError` (status, headers, parsed or raw error body). */
interface SdkResponseError {
  readonly status: number;
  readonly headers?: { get?(name: string): string | null };
  readonly error?: unknown;
}

function isSdkResponseError(value: unknown): value is SdkResponseError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { status?: unknown }).status === 'number' &&
    'error' in value
  );
}

/** The chain of `.tag`s of a Dropbox route error (`['path', 'not_found']`), or [] for text bodies. */
export function dropboxErrorTags(error: unknown): string[] {
  if (!isSdkResponseError(error)) return [];
  const body = error.error as { error?: unknown } | string | undefined;
  if (typeof body !== 'object' || body === null) return [];
  const tags: string[] = [];
  let current: unknown = body.error;
  while (current && typeof current === 'object' && tags.length < 6) {
    const tag = (current as Record<string, unknown>)['.tag'];
    if (typeof tag !== 'string') {
      // Struct errors (RateLimitError) carry their tag in `reason`.
      const reason = (current as Record<string, unknown>).reason;
      if (reason && typeof reason === 'object') {
        current = reason;
        continue;
      }
      break;
    }
    tags.push(tag);
    current = (current as Record<string, unknown>)[tag];
  }
  return tags;
}

/** The HTTP status of an SDK response error, if it is one. */
export function dropboxErrorStatus(error: unknown): number | undefined {
  return isSdkResponseError(error) ? error.status : undefined;
}

const TRANSIENT_409 = new Set(['retry_error', 'internal_error', 'too_many_write_operations']);

/**
 * Normalises what a Dropbox call threw into a ConnectorError with a message that says what failed: 401/403 →
 * AuthError, 409 `reset` → CursorExpiredError, other 409 → UpstreamError naming the route error (not
 * retryable unless transient), 429 → RateLimitError, 5xx → retryable UpstreamError, 400 → UpstreamError
 * with Dropbox's text. `what` names the operation, e.g. `list_folder at "/Team"`.
 */
export function toDropboxError(error: unknown, what: string): ConnectorError {
  if (
    UpstreamError.isInstance(error) &&
    error.status === undefined &&
    !error.message.startsWith('[dropbox]')
  ) {
    // A network failure the retrying fetch gave up on: say which Dropbox step it stopped.
    return new UpstreamError(`[dropbox] ${what} failed: ${error.message}`, {
      cause: error,
      retryable: error.retryable,
      details: error.details,
    });
  }
  if (ConnectorError.isInstance(error)) return error;
  if (isAbortLike(error)) return toConnectorError(error, `[dropbox] ${what}`);
  if (!isSdkResponseError(error)) return toConnectorError(error, `[dropbox] ${what} failed`);
  const status = error.status;
  const tags = dropboxErrorTags(error);
  const tagText = tags.join('/');
  const raw = typeof error.error === 'string' ? error.error.slice(0, 300) : tagText;
  const details = { status, tag: tagText || undefined };
  if (status === 401) {
    return new AuthError(
      `[dropbox] ${what}: access token rejected (${tagText || 'unauthorized'}); check the app key, secret and refresh token, and the app's scopes`,
      { status, details },
    );
  }
  if (status === 403) {
    return new AuthError(
      `[dropbox] ${what}: access denied (${tagText || 'forbidden'}); the app lacks a permission for this call`,
      {
        status,
        details,
      },
    );
  }
  if (status === 409 && tags[0] === 'reset') {
    return new CursorExpiredError(
      `[dropbox] ${what}: the list_folder cursor was reset by Dropbox; a full sync is needed`,
      {
        details,
      },
    );
  }
  if (status === 409) {
    const retryable = tags.some((t) => TRANSIENT_409.has(t));
    const meaning =
      tags[0] === 'path' && tags[1] === 'not_found'
        ? 'path not found'
        : tags[0] === 'path' && tags[1] === 'not_folder'
          ? 'path is not a folder'
          : tagText || 'conflict';
    return new UpstreamError(`[dropbox] ${what}: ${meaning}`, { status, retryable, details });
  }
  if (status === 429) {
    const header = error.headers?.get?.('retry-after') ?? null;
    const retryAfterMs = parseRetryAfter(header ?? undefined) ?? undefined;
    return new RateLimitError(`[dropbox] ${what}: rate limited by Dropbox (too many requests)`, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      details,
    });
  }
  return new UpstreamError(`[dropbox] ${what}: HTTP ${status}${raw ? `: ${raw}` : ''}`, { status, details });
}
