import { AuthError, CursorExpiredError, RateLimitError, UpstreamError } from '@connectors/framework';
import { describe, expect, it } from 'vitest';
import { dropboxErrorTags, toDropboxError } from './to-dropbox-error.js';

const sdkError = (status: number, error: unknown, headers: Record<string, string> = {}) => ({
  status,
  error,
  headers: new Headers(headers),
});

describe('toDropboxError', () => {
  it('names the Dropbox step a network failure stopped, and keeps HTTP errors and its own as they are', () => {
    const network = new UpstreamError(
      'POST https://api.dropboxapi.com/2/x failed after 6 attempt(s): fetch failed',
      {
        retryable: true,
      },
    );
    const wrapped = toDropboxError(network, 'list_folder at "/"');
    expect(wrapped.message).toBe(
      '[dropbox] list_folder at "/" failed: POST https://api.dropboxapi.com/2/x failed after 6 attempt(s): fetch failed',
    );
    expect(UpstreamError.isInstance(wrapped) && wrapped.retryable).toBe(true);
    expect(wrapped.cause).toBe(network);
    const http = new UpstreamError('[elsewhere] HTTP 503', { status: 503 });
    expect(toDropboxError(http, 'x')).toBe(http);
    const own = new UpstreamError('[dropbox] already said');
    expect(toDropboxError(own, 'x')).toBe(own);
  });

  it('maps 409 reset to CursorExpiredError', () => {
    const error = toDropboxError(
      sdkError(409, { error_summary: 'reset/..', error: { '.tag': 'reset' } }),
      'list_folder/continue',
    );
    expect(CursorExpiredError.isInstance(error)).toBe(true);
  });

  it('maps 409 to its real meaning, not to "invalid path" for every route (D3)', () => {
    const notFound = toDropboxError(
      sdkError(409, {
        error_summary: 'path/not_found/.',
        error: { '.tag': 'path', path: { '.tag': 'not_found' } },
      }),
      'list_folder at "/x"',
    );
    expect(notFound.message).toBe('[dropbox] list_folder at "/x": path not found');
    expect((notFound as UpstreamError).retryable).toBe(false);
    const member = toDropboxError(
      sdkError(409, { error_summary: 'not_a_member/', error: { '.tag': 'not_a_member' } }),
      'members of shared folder 1',
    );
    expect(member.message).toBe('[dropbox] members of shared folder 1: not_a_member');
    const transient = toDropboxError(sdkError(409, { error: { '.tag': 'internal_error' } }), 'search');
    expect(transient.retryable).toBe(true);
  });

  it('maps 401 and 403 to AuthError, 429 to RateLimitError with Retry-After, 5xx to retryable UpstreamError', () => {
    expect(
      AuthError.isInstance(toDropboxError(sdkError(401, { error: { '.tag': 'invalid_access_token' } }), 'x')),
    ).toBe(true);
    expect(
      AuthError.isInstance(toDropboxError(sdkError(403, { error: { '.tag': 'no_permission' } }), 'x')),
    ).toBe(true);
    const limited = toDropboxError(
      sdkError(
        429,
        { error: { reason: { '.tag': 'too_many_requests' }, retry_after: 15 } },
        { 'retry-after': '15' },
      ),
      'x',
    );
    expect(RateLimitError.isInstance(limited) && limited.retryAfterMs).toBe(15_000);
    const server = toDropboxError(sdkError(503, 'Service Unavailable'), 'download');
    expect(UpstreamError.isInstance(server) && server.retryable).toBe(true);
    expect(server.message).toBe('[dropbox] download: HTTP 503: Service Unavailable');
  });

  it('reads nested tags, including struct errors with a reason', () => {
    expect(
      dropboxErrorTags(sdkError(409, { error: { '.tag': 'path', path: { '.tag': 'not_found' } } })),
    ).toEqual(['path', 'not_found']);
    expect(dropboxErrorTags(sdkError(429, { error: { reason: { '.tag': 'too_many_requests' } } }))).toEqual([
      'too_many_requests',
    ]);
    expect(dropboxErrorTags(sdkError(400, 'plain text'))).toEqual([]);
  });
});
